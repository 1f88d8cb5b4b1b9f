"""The plan's history page shows changes to the content section too."""

from __future__ import annotations

from content import services
from planner.queries import plan_history
from tests.content.helpers import asset, campaign


def test_campaign_and_asset_changes_are_in_the_plan_history(world, client_for):
    # given a campaign whose status moved on, and an asset that was published
    c = campaign(world)
    services.campaign_update(
        campaign=c,
        expected_version=c.version,
        changes={"status": "in_production"},
        actor=world.users["editor"],
    )
    a = asset(world)
    services.asset_publish(asset=a, expected_version=a.version, actor=world.users["manager"])
    # when the history is read
    entries = plan_history(world.plan)
    labels = {(e.object_label, e.kind) for e in entries}
    # then both objects appear, with who changed what
    assert ("Spring Festival reunion", "~") in labels
    assert ("Spring Festival reunion · Reunion poster", "~") in labels
    status_change = next(
        e for e in entries if e.object_label == "Spring Festival reunion" and e.kind == "~"
    )
    assert [(ch.old, ch.new) for ch in status_change.changes] == [("Planned", "In production")]
    published = next(
        e for e in entries if e.object_label.endswith("Reunion poster") and e.kind == "~"
    )
    assert published.who == world.users["manager"]
    # and the page shows them
    page = client_for("viewer").get(f"/plans/{world.plan.pk}/history/")
    assert b"Reunion poster" in page.content
