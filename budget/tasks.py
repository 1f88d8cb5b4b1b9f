"""Background work of the budget section: thin wrappers that call one service."""

from __future__ import annotations

from celery import shared_task

from budget import approval_services


@shared_task(name="budget.propose_reviews", ignore_result=True)
def propose_reviews() -> int:
    """At each quarter's end: propose the reallocation review of the quarter that just
    ended for every live plan of its year (idempotent: one review per plan and quarter)."""
    return approval_services.propose_due_reviews()
