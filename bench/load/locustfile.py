"""Simulated plan users for ``bench/load/run.py`` (locust, headless).

Each user signs in (a session for the pages, a token for the API) and then, with
the weights of the issue: 70 % reads (dashboards, plan pages, lists), 20 % edits
with If-Match (GET the row, PATCH it; a 412 when someone else saved it first is
the expected answer, counted apart), 10 % imports of 1,000 metric rows.
Requests are named by category, so locust's statistics are per category.
"""

from __future__ import annotations

import io
import json
import os
import random
from datetime import date, timedelta

from locust import HttpUser, between, events, task

PLAN = int(os.environ["LOAD_PLAN"])
TOKENS = os.environ["LOAD_TOKENS"].split(",")
USERNAMES = os.environ["LOAD_USERNAMES"].split(",")
PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-password")
YEAR = int(os.environ.get("LOAD_YEAR", "2027"))
# Seconds a user waits between two actions (reading the page, typing), "MIN-MAX".
THINK = tuple(float(part) for part in os.environ.get("LOAD_THINK", "1-5").split("-", 1))
CONFLICTS = {"write": 0, "import_refused": 0}


@events.quitting.add_listener
def _summary(environment, **_kwargs):
    path = os.environ.get("LOAD_SUMMARY")
    if path:
        with open(path, "w") as handle:
            json.dump(CONFLICTS, handle)


class PlanUser(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        index = random.randrange(len(TOKENS))
        self.api = {"Authorization": f"Token {TOKENS[index]}"}
        self.client.get("/accounts/login/", name="login")
        csrf = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/accounts/login/",
            {"username": USERNAMES[index], "password": PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
        )
        campaigns = self.client.get(
            f"/api/v1/campaigns/?plan={PLAN}", headers=self.api, name="read"
        ).json()
        rows = campaigns["results"] if isinstance(campaigns, dict) else campaigns
        self.campaigns = [row["id"] for row in rows]
        channels = self.client.get(
            f"/api/v1/channels/?plan={PLAN}", headers=self.api, name="read"
        ).json()
        rows = channels["results"] if isinstance(channels, dict) else channels
        self.channel_codes = sorted(row["code"] for row in rows)

    @task(70)
    def read(self) -> None:
        quarter = f"{YEAR}Q{random.randint(1, 4)}"
        path, api = random.choice(
            [
                (f"/plans/{PLAN}/execution/dashboard/?quarter={quarter}", False),
                (f"/plans/{PLAN}/", False),
                (f"/plans/{PLAN}/monitoring/", False),
                (f"/api/v1/plans/{PLAN}/dashboard/?quarter={quarter}", True),
                (f"/api/v1/kpis/?plan={PLAN}", True),
                (f"/api/v1/campaigns/?plan={PLAN}", True),
                (f"/api/v1/alerts/?plan={PLAN}&status=open", True),
                (f"/api/v1/plans/{PLAN}/funnel/?group_by=channel&period=month", True),
            ]
        )
        self.client.get(path, headers=self.api if api else None, name="read")

    @task(20)
    def write(self) -> None:
        campaign = random.choice(self.campaigns)
        url = f"/api/v1/campaigns/{campaign}/"
        current = self.client.get(url, headers=self.api, name="read")
        with self.client.patch(
            url,
            json={"audience": f"load test {random.randrange(10**6)}"},
            headers={**self.api, "If-Match": current.headers.get("ETag", "")},
            name="write",
            catch_response=True,
        ) as response:
            if response.status_code == 412:  # someone saved it in between: the contract
                CONFLICTS["write"] += 1
                response.success()

    @task(10)
    def import_rows(self) -> None:
        body = io.StringIO()
        body.write(
            "date,channel,campaign,impressions,clicks,visits,signups,conversions,new_users,"
            "spend,revenue\n"
        )
        start = date(YEAR, 1, 1) + timedelta(days=random.randrange(300))
        written = 0
        day = 0
        while written < 1000:
            for code in self.channel_codes:
                if written == 1000:
                    break
                impressions = random.randint(10_000, 90_000)
                clicks = impressions // 50
                body.write(
                    f"{start + timedelta(days=day)},{code},,{impressions},{clicks},"
                    f"{clicks // 2},{clicks // 10},{clicks // 20},{clicks // 25},"
                    f"{clicks * 1.5:.2f},{clicks * 6:.2f}\n"
                )
                written += 1
            day += 1
        with self.client.post(
            f"/api/v1/plans/{PLAN}/metrics/import/",
            files={"file": ("load.csv", body.getvalue().encode(), "text/csv")},
            headers=self.api,
            name="import",
            catch_response=True,
        ) as response:
            if response.status_code == 400:
                CONFLICTS["import_refused"] += 1
                response.failure(response.text[:300])
