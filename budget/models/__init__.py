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
