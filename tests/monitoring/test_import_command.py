"""``manage.py import_metrics PLAN FILE [--dry-run]``: output, exit codes, recompute request."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import OutboxMessage
from monitoring.management.commands.import_metrics import Command
from monitoring.models import ComputeState, DailyMetric
from monitoring.services import RECOMPUTE_TASK

HEADER = (
    "date,channel,campaign,impressions,clicks,visits,signups,conversions,new_users,spend,revenue"
)
GOOD = [
    "2027-03-01,douyin,,1000,50,40,10,5,3,120.50,300.00",
    "2027-03-02,wechat,,500,0,70,2,1,1,0,0",
]


def write(tmp_path, *rows: str, name: str = "metrics.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows, ""]), encoding="utf-8")
    return path


def run(*args: object) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_metrics", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def recompute_requested(plan) -> bool:
    state = ComputeState.objects.filter(plan=plan).first()
    return (
        state is not None
        and state.requested_at is not None
        and OutboxMessage.objects.filter(
            task_name=RECOMPUTE_TASK, dedup_key=f"recompute:{plan.pk}"
        ).exists()
    )


def test_import_prints_the_outcome_and_requests_a_recompute(world, tmp_path):
    # given a good file
    path = write(tmp_path, *GOOD)
    # when it is imported
    out, err = run(world.plan.pk, path)
    # then the rows are written, the outcome printed and a recompute requested
    assert DailyMetric.objects.filter(plan=world.plan).count() == 2
    assert "Imported metrics.csv into" in out
    assert "2 rows from 2027-03-01 to 2027-03-02; 2 added, 0 replaced" in out
    assert "A recompute has been requested." in out
    assert err == ""
    assert recompute_requested(world.plan)


def test_second_import_reports_replaced_rows(world, tmp_path):
    path = write(tmp_path, *GOOD)
    run(world.plan.pk, path)
    out, _err = run(world.plan.pk, path)
    assert "0 added, 2 replaced" in out
    assert DailyMetric.objects.count() == 2


def test_dry_run_writes_nothing_and_requests_nothing(world, tmp_path):
    path = write(tmp_path, *GOOD)
    out, _err = run(world.plan.pk, path, "--dry-run")
    assert "Checked metrics.csv (dry run, nothing written): 2 rows" in out
    assert "2 would be added and 0 would replace stored rows" in out
    assert not DailyMetric.objects.exists()
    assert not recompute_requested(world.plan)


def test_a_bad_file_lists_every_problem_and_fails(world, tmp_path):
    # given 53 rows with an unknown channel (more than the 50 listed)
    rows = [f"2027-04-{1 + i % 28:02d},nope{i},,1,1,1,1,1,1,1,1" for i in range(53)]
    path = write(tmp_path, *rows)
    # when it is imported
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_metrics", str(world.plan.pk), str(path), stdout=out, stderr=err)
    # then each problem is printed with row, column and reason, then "+N more"
    lines = err.getvalue().splitlines()
    assert lines[0] == "Row 2, channel: no channel with the code “nope0” in this plan"
    assert len(lines) == 51
    assert lines[-1] == "+3 more problems"
    assert str(refused.value) == "metrics.csv was refused (53 problems); nothing was imported."
    assert out.getvalue() == ""
    # and nothing is written or requested
    assert not DailyMetric.objects.exists()
    assert not recompute_requested(world.plan)


def test_unknown_plan(world, tmp_path):
    path = write(tmp_path, *GOOD)
    with pytest.raises(CommandError, match=r"There is no plan with the id 987654\."):
        run(987654, path)


def test_plan_must_be_a_number(world, tmp_path):
    with pytest.raises(CommandError, match="invalid int value: 'annual'"):
        run("annual", write(tmp_path, *GOOD))


def test_missing_file(world, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*nope\.csv: no such file\."):
        run(world.plan.pk, tmp_path / "nope.csv")


def test_unreadable_content_is_a_refusal(world, tmp_path):
    path = tmp_path / "logo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    err = StringIO()
    with pytest.raises(CommandError, match=r"logo\.csv was refused \(1 problem\)"):
        call_command("import_metrics", str(world.plan.pk), str(path), stderr=err)
    assert "“logo.csv” is not a CSV or XLSX file: it is a PNG image." in err.getvalue()


def test_exit_status_is_non_zero_on_refusal(world, tmp_path, monkeypatch, capsys):
    # given a file with one bad row, run as from the shell
    path = write(tmp_path, "2027-13-01,douyin,,1,1,1,1,1,1,1,1")
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)  # keep the test DB
    # when the command runs
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "import_metrics", str(world.plan.pk), str(path)])
    # then it exits with 1 and says why on stderr
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "Row 2, date: “2027-13-01” is not a real date" in err
    assert "CommandError: metrics.csv was refused (1 problem); nothing was imported." in err


def test_imports_from_the_command_are_in_the_import_history(world, tmp_path):
    from monitoring.models import ImportStatus, MetricImport

    # given a good file and a bad one, imported from the command line
    run(world.plan.pk, write(tmp_path, *GOOD))
    with pytest.raises(CommandError):
        run(world.plan.pk, write(tmp_path, "2027-03-01,nowhere,,1,1,1,1,1,1,1,1", name="bad.csv"))
    # then both are in the plan's history, without a person, with their results
    history = list(MetricImport.objects.filter(plan=world.plan).order_by("pk"))
    assert [(i.filename, i.status, i.created_by) for i in history] == [
        ("metrics.csv", ImportStatus.SUCCEEDED, None),
        ("bad.csv", ImportStatus.FAILED, None),
    ]
    assert history[0].rows_inserted == 2 and history[1].errors[0]["column"] == "channel"


def test_an_archived_plan_refuses_a_command_import(world, tmp_path):
    from planner.models import PlanStatus

    world.plan.status = PlanStatus.ARCHIVED
    world.plan.save(update_fields=["status"])
    with pytest.raises(CommandError, match="archived"):
        run(world.plan.pk, write(tmp_path, *GOOD))
    assert not DailyMetric.objects.filter(plan=world.plan).exists()
