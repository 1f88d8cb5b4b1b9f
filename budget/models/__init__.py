"""The models of resource coordination, one module per area."""

from budget.models.money import (  # noqa: F401
    Account,
    AllocationRule,
    Budget,
    BudgetLine,
    Invoice,
    ObjectiveWeight,
    PoStatus,
    PurchaseOrder,
    Transfer,
    TransferKind,
)
