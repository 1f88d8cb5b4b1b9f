"""Template helpers of the execution section."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def step_ack(alert: Any, step: Any) -> Any:
    """The acknowledgement of ``step`` on ``alert`` or None (reads the prefetched rows)."""
    for ack in alert.step_acks.all():
        if ack.step_id == step.pk:
            return ack
    return None
