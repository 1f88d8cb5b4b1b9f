"""A milestone's status from its dates and the pace of the KPIs it advances."""

from __future__ import annotations

from datetime import date

import pytest

from planner.progress import Reason, Status, derive

START, DUE = date(2027, 4, 1), date(2027, 6, 30)


def status(today, **kwargs):
    return derive(today=today, start=START, due=DUE, **kwargs)


@pytest.mark.parametrize(
    ("today", "kwargs", "expected", "reason"),
    [
        (date(2027, 3, 1), {}, Status.NOT_STARTED, Reason.NOT_YET),
        (date(2027, 5, 1), {}, Status.ON_TRACK, Reason.IN_PROGRESS),
        (date(2027, 7, 1), {}, Status.LATE, Reason.PAST_DUE),
        (date(2027, 5, 1), {"pace": [1.02, 0.96]}, Status.ON_TRACK, Reason.ON_PACE),
        (date(2027, 5, 1), {"pace": [1.02, 0.95]}, Status.ON_TRACK, Reason.ON_PACE),
        (date(2027, 5, 1), {"pace": [1.02, 0.949]}, Status.AT_RISK, Reason.BEHIND_PACE),
        (date(2027, 5, 1), {"pace": [0.8, None]}, Status.AT_RISK, Reason.OFF_TRACK),
        (date(2027, 5, 1), {"completion": [1.0, 1.3]}, Status.DONE, Reason.TARGETS_MET),
        (date(2027, 7, 5), {"completion": [1.0, 0.99]}, Status.LATE, Reason.PAST_DUE),
        (date(2027, 5, 1), {"entered_progress": 1.0}, Status.DONE, Reason.PROGRESS_COMPLETE),
        (date(2027, 3, 1), {"entered_progress": 0.1}, Status.ON_TRACK, Reason.IN_PROGRESS),
    ],
)
def test_status_rules(today, kwargs, expected, reason):
    derived = status(today, **kwargs)
    assert (derived.status, derived.reason) == (expected, reason)


def test_progress_is_the_weakest_completion_and_kpi_data_wins_over_entered_progress():
    derived = status(date(2027, 5, 1), completion=[0.4, 0.7], entered_progress=1.0, pace=[1.0])
    assert derived.status == Status.ON_TRACK
    assert derived.progress == pytest.approx(0.4)
    assert derived.weakest_pace == 1.0


def test_thresholds_come_from_the_plan():
    derived = status(date(2027, 5, 1), pace=[0.9], at_risk_below=0.9, off_track_below=0.8)
    assert derived.status == Status.ON_TRACK
