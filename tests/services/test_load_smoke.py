"""The load script's users (bench/load/locustfile.py) for a short while against gunicorn
serving the demo: every request answered without a server error or a failure. The
figures come from ``make test-long`` (bench/load/run.py), not from here."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.services


def test_the_load_mix_runs_clean_against_gunicorn(demo, served_by_gunicorn, tmp_path):
    names = ["demo-editor", "demo-manager", "demo-admin"]
    tokens = [Token.objects.create(user=User.objects.get(username=n)).key for n in names]
    server = served_by_gunicorn(workers=2)
    prefix = tmp_path / "smoke"
    env = {
        **os.environ,
        "LOAD_PLAN": str(demo.pk),
        "LOAD_TOKENS": ",".join(tokens),
        "LOAD_USERNAMES": ",".join(names),
        "LOAD_SUMMARY": str(tmp_path / "summary.json"),
        "LOAD_THINK": "0.5-1.5",  # busy users: as many requests as 20 seconds allow
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(ROOT / "bench" / "load" / "locustfile.py"),
            "--headless",
            "--host",
            server.url,
            "-u",
            "8",
            "-r",
            "4",
            "-t",
            "20s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "10",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        stats = {row["Name"]: row for row in csv.DictReader(handle)}
    with open(f"{prefix}_failures.csv", newline="") as handle:
        failures = list(csv.DictReader(handle))
    assert failures == [], failures
    assert int(stats["read"]["Request Count"]) > 0, result.stderr[-2000:]
    assert int(stats["Aggregated"]["Failure Count"]) == 0
    assert "Traceback" not in server.log_path.read_text(errors="replace")
