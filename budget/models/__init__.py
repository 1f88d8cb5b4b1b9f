"""The models of resource coordination, one module per area."""

from budget.models.approvals import (  # noqa: F401
    BudgetRequest,
    DecisionAction,
    DrawStatus,
    MoveStatus,
    ReallocationMove,
    ReallocationReview,
    RequestDecision,
    RequestStatus,
    ReserveDraw,
)
from budget.models.money import (  # noqa: F401
    Account,
    Budget,
    BudgetLine,
    Transfer,
    TransferKind,
)
from budget.models.suppliers import (  # noqa: F401
    ClauseKind,
    FlagAction,
    FlagStatus,
    InnovationFund,
    InnovationProject,
    ProjectStatus,
    RiskClause,
    Supplier,
    SupplierCategory,
    SupplierFlag,
    SupplierPolicy,
    SupplierReview,
    SupplierTier,
)
from budget.models.teams import (  # noqa: F401
    ArbitrationStep,
    Cadence,
    CollaborationScore,
    CommunicationRule,
    Conflict,
    ConflictStatus,
    CoordinatorGroup,
    Department,
    MessagingTool,
    RaciAssignment,
    RaciRole,
    RuleKind,
    Workstream,
    WorkstreamKind,
)
