"""A quarterly milestone's status from its dates and the KPIs it advances (pure).

Inputs are plain numbers the caller reads from the KPI section:

* ``pace`` — per linked KPI, attainment to date: actual so far ÷ target so far
  (already inverted for lower-is-better KPIs), ``None`` where there is no data yet;
* ``completion`` — per linked KPI, actual so far in the milestone's quarter ÷ the
  quarter's target (1.0 = the quarter's target reached).

Rules, in order:

1. **done** when every linked KPI with data reached its quarter target (or, without
   KPI data, the entered progress reached 100 %);
2. **late** when the due date has passed and it is not done;
3. **not started** before the start date while nothing has happened yet;
4. **at risk** when the weakest pace is below the plan's "at risk" threshold (the
   same thresholds as KPI attainment: the reason says whether it is also below the
   "off track" one);
5. **on track** otherwise.

A person may override the derived status with a reason (kept by the caller).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    DONE = "done"


class Reason(StrEnum):
    TARGETS_MET = "targets_met"
    PROGRESS_COMPLETE = "progress_complete"
    PAST_DUE = "past_due"
    NOT_YET = "not_yet"
    BEHIND_PACE = "behind_pace"
    OFF_TRACK = "off_track"
    ON_PACE = "on_pace"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class Derived:
    status: Status
    reason: Reason
    progress: float  # 0..1, what the progress bar shows
    weakest_pace: float | None


def derive(
    *,
    today: date,
    start: date,
    due: date,
    pace: Sequence[float | None] = (),
    completion: Sequence[float | None] = (),
    entered_progress: float | None = None,
    at_risk_below: float = 0.95,
    off_track_below: float = 0.85,
) -> Derived:
    paces = [p for p in pace if p is not None]
    completions = [c for c in completion if c is not None]
    if completions:
        progress = min(1.0, max(0.0, min(completions)))
    else:
        progress = min(1.0, max(0.0, entered_progress or 0.0))
    weakest = min(paces) if paces else None
    if completions and min(completions) >= 1.0:
        return Derived(Status.DONE, Reason.TARGETS_MET, 1.0, weakest)
    if not completions and entered_progress is not None and entered_progress >= 1.0:
        return Derived(Status.DONE, Reason.PROGRESS_COMPLETE, 1.0, weakest)
    if today > due:
        return Derived(Status.LATE, Reason.PAST_DUE, progress, weakest)
    if today < start and progress <= 0.0:
        return Derived(Status.NOT_STARTED, Reason.NOT_YET, progress, weakest)
    if weakest is not None and weakest < at_risk_below:
        reason = Reason.OFF_TRACK if weakest < off_track_below else Reason.BEHIND_PACE
        return Derived(Status.AT_RISK, reason, progress, weakest)
    return Derived(
        Status.ON_TRACK,
        Reason.ON_PACE if weakest is not None else Reason.IN_PROGRESS,
        progress,
        weakest,
    )
