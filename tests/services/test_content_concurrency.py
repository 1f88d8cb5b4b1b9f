"""The content section's writes under real concurrency on PostgreSQL: one publish wins,
and a licence that expires while an asset is being published never slips through."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from content import services
from content.models import Asset, Campaign, Licence
from core.errors import StaleVersion
from tests.content.helpers import asset, campaign
from tests.services.support import run_threads

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

N_WRITERS = 6


def test_of_n_concurrent_publishers_exactly_one_wins(world):
    a = asset(world)
    asset_id, editor_id, v0 = a.pk, world.users["editor"].pk, a.version

    def writer(i: int, barrier: threading.Barrier) -> Asset:
        mine = Asset.objects.select_related("campaign").get(pk=asset_id)
        editor = get_user_model().objects.get(pk=editor_id)
        barrier.wait()
        return services.asset_publish(asset=mine, expected_version=v0, actor=editor)

    results = run_threads(N_WRITERS, writer)
    winners = [r for r in results if isinstance(r, Asset)]
    others = [r for r in results if not isinstance(r, Asset | StaleVersion)]
    assert others == [] and len(winners) == 1
    fresh = Asset.objects.get(pk=asset_id)
    assert fresh.review_status == "published" and fresh.version == v0 + 1


def test_a_licence_expired_concurrently_with_a_publish_never_leaves_both_applied(world):
    # given an approved asset whose only licence is valid, and someone expiring that licence
    a = asset(world)
    lic = a.elements.get().licence
    assert lic is not None
    ids = (a.pk, lic.pk, world.users["editor"].pk)
    yesterday = timezone.localdate() - timedelta(days=1)

    def writer(i: int, barrier: threading.Barrier) -> object:
        asset_id, licence_id, editor_id = ids
        editor = get_user_model().objects.get(pk=editor_id)
        mine = Asset.objects.select_related("campaign").get(pk=asset_id)
        licence = Licence.objects.get(pk=licence_id)
        barrier.wait()
        if i == 0:
            return services.asset_publish(asset=mine, expected_version=mine.version, actor=editor)
        return services.licence_update(
            licence=licence,
            expected_version=licence.version,
            changes={"expires": yesterday, "starts": None},
            actor=editor,
        )

    # when both run at once (both lock the plan row, so one goes first)
    results = run_threads(2, writer)
    # then either the publish came first (published, licence expired after), or the expiry
    # came first and the publish was refused — never an error of another kind
    published = isinstance(results[0], Asset)
    assert isinstance(results[1], Licence), results[1]
    if not published:
        assert isinstance(results[0], services.PublishBlocked), results[0]
        assert Asset.objects.get(pk=a.pk).review_status == "approved"
    else:
        assert Asset.objects.get(pk=a.pk).review_status == "published"


def test_concurrent_status_steps_on_one_campaign_one_wins(world):
    c = campaign(world)  # planned
    ids = (c.pk, world.users["editor"].pk, c.version)

    def writer(i: int, barrier: threading.Barrier) -> Campaign:
        campaign_id, editor_id, v0 = ids
        mine = Campaign.objects.get(pk=campaign_id)
        editor = get_user_model().objects.get(pk=editor_id)
        barrier.wait()
        target = "in_production" if i % 2 else "idea"
        return services.campaign_update(
            campaign=mine, expected_version=v0, changes={"status": target}, actor=editor
        )

    results = run_threads(N_WRITERS, writer)
    winners = [r for r in results if isinstance(r, Campaign)]
    assert len(winners) == 1
    assert all(isinstance(r, Campaign | StaleVersion) for r in results)
    assert Campaign.objects.get(pk=c.pk).status == winners[0].status
