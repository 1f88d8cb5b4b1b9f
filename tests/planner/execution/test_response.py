"""Rapid-response pools: validation, who may authorise, and activation — exactly one
approved reserve draw per activation, refused with nothing written when the reserve
(or the pool) is short."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budget import ledger
from budget.models import ReserveDraw, Transfer
from core.errors import InvalidInput, NotAllowed
from planner.execution import activity_services as services
from planner.execution.activity_models import PoolActivation, ResponsePool
from tests.planner.execution.activity_helpers import pool, ready

pytestmark = pytest.mark.django_db
D = Decimal


def _activate(world, by="manager", **overrides):
    found_pool, found_risk, found_line = ready(world)
    values = {
        "pool": found_pool,
        "risk": found_risk,
        "line": found_line,
        "amount": D("30000"),
        "people_used": 2,
        "reason": "Back-up co-packer for the gift box.",
        "actor": world.users[by],
    }
    values.update(overrides)
    return services.activate(**values)


def test_activation_makes_exactly_one_approved_draw(world):
    made = _activate(world)
    draws = list(ReserveDraw.objects.filter(plan=world.plan))
    assert len(draws) == 1
    draw = draws[0]
    assert made.draw == draw
    assert (draw.status, draw.amount, draw.decided_by) == (
        "approved",
        D("30000.00"),
        world.users["manager"],
    )
    assert draw.line.pk == made.draw.line_id
    assert ledger.budget_of(world.plan).reserve_balance == D("70000.00")
    assert (made.people_used, made.authorised_by) == (2, world.users["manager"])


def test_short_reserve_refuses_with_its_message_and_writes_nothing(world):
    found_pool, found_risk, found_line = ready(world, reserve="20000")
    transfers = Transfer.objects.count()
    with pytest.raises(InvalidInput) as caught:
        services.activate(
            pool=found_pool,
            risk=found_risk,
            line=found_line,
            amount=D("30000"),
            people_used=1,
            reason="Crisis",
            actor=world.users["manager"],
        )
    assert "Only 20,000.00 is left in the reserve fund." in str(caught.value.fields["amount"])
    assert not PoolActivation.objects.exists()
    assert not ReserveDraw.objects.exists()
    assert Transfer.objects.count() == transfers


def test_pool_limits_money_and_people(world):
    _activate(world, amount=D("60000"), people_used=3)
    with pytest.raises(InvalidInput) as caught:
        _activate(world, amount=D("30000"), people_used=2)
    assert set(caught.value.fields) == {"amount", "people_used"}
    assert PoolActivation.objects.count() == 1
    assert ReserveDraw.objects.count() == 1


def test_risk_of_another_level_and_missing_reason_are_refused(world):
    other_level = pool(world, level=2)
    with pytest.raises(InvalidInput) as caught:
        _activate(world, pool=other_level, reason=" ")
    assert set(caught.value.fields) == {"risk", "reason"}


def test_only_managers_or_the_named_may_authorise(world):
    with pytest.raises(NotAllowed):
        _activate(world, by="editor")
    found = pool(world)
    services.pool_update(
        pool=found,
        expected_version=found.version,
        changes={"authorisers": [world.users["admin"]]},
        actor=world.users["editor"],
    )
    with pytest.raises(NotAllowed):
        _activate(world, by="manager")
    assert not ReserveDraw.objects.exists()
    assert _activate(world, by="admin").authorised_by == world.users["admin"]


def test_people_only_activation_draws_nothing(world):
    made = _activate(world, amount=D("0"), line=None, people_used=1)
    assert made.draw is None
    assert not ReserveDraw.objects.exists()


def test_pool_validation(world):
    pool(world, level=3)
    with pytest.raises(InvalidInput) as caught:
        services.pool_create(
            plan=world.plan,
            actor=world.users["editor"],
            level=3,
            amount="-5",
            headcount=2,
            authorise_role="viewer",
            authorisers=[world.users["editor"]],
        )
    assert set(caught.value.fields) == {"level", "amount", "authorise_role", "authorisers"}
    assert ResponsePool.objects.filter(plan=world.plan).count() == 1


def test_api_activation_and_its_refusals(world, api_for):
    found_pool, found_risk, found_line = ready(world)
    url = f"/api/v1/response-pools/{found_pool.pk}/activate/"
    body = {
        "risk": found_risk.pk,
        "line": found_line.pk,
        "amount": "25000",
        "people_used": 1,
        "reason": "Supplier failure",
    }
    assert api_for("editor").post(url, body, format="json").status_code == 403
    short = api_for("manager").post(url, body | {"amount": "200000"}, format="json")
    assert short.status_code == 400
    assert "amount" in short.json()["fields"]
    made = api_for("manager").post(url, body, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["draw"] == ReserveDraw.objects.get().pk
    other_line = ledger.line_for(
        world.other_plan,
        channel=world.other_plan.channels.get(code="douyin"),
        campaign=None,
        quarter=1,
    )
    refused = api_for("manager").post(url, body | {"line": other_line.pk}, format="json")
    assert refused.status_code == 400
    assert PoolActivation.objects.count() == 1


def test_response_page_lists_pools_and_log(world, client_for):
    _activate(world)
    page = client_for("viewer").get(f"/plans/{world.plan.pk}/execution/response/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Impact 4" in text
    assert "Back-up co-packer for the gift box." in text
    assert "Activate a pool" not in text  # a viewer cannot
    manager = client_for("manager").get(f"/plans/{world.plan.pk}/execution/response/")
    assert "Activate a pool" in manager.content.decode()
