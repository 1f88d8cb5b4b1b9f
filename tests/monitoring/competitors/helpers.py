"""Competitor tracking data in the ``world`` plan, made through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring import competitor_services as services
from monitoring.competitor_demo import png
from monitoring.competitors import Competitor, CompetitorObservation, Feature, FeatureValue

D = Decimal


def competitor(world: Any, name: str = "HeyTea", plan: Any = None) -> Competitor:
    plan = plan or world.plan
    found = Competitor.objects.filter(plan=plan, name=name).first()
    if found:
        return found
    actor = world.users["editor"] if plan == world.plan else world.users["outsider"]
    return services.competitor_create(
        plan=plan, actor=actor, name=name, website="https://example.com", positioning="Premium"
    )


def image(width: int = 24, height: int = 16, name: str = "shot.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(width, height, "#ffffff", "#3b49df"), "image/png")


def creative(world: Any, **fields: Any) -> CompetitorObservation:
    """An ad creative of HeyTea with a screenshot."""
    found = CompetitorObservation.objects.filter(plan=world.plan, kind="ad_creative").first()
    if found and not fields:
        return found
    values: dict[str, Any] = {
        "competitor": competitor(world),
        "kind": "ad_creative",
        "observed_on": date(2027, 5, 28),
        "title": "618 key visual",
    }
    values.update(fields)
    return services.observation_create(
        plan=world.plan, actor=world.users["editor"], screenshot=image(), **values
    )


def voice(world: Any, rival: Competitor | None, month: int, mentions: int, **shares: Any):
    return services.observation_create(
        plan=world.plan,
        actor=world.users["editor"],
        competitor=rival,
        kind="voice",
        observed_on=date(2027, month, 1),
        mentions=mentions,
        positive=shares.get("positive", D("0.6")),
        neutral=shares.get("neutral", D("0.3")),
        negative=shares.get("negative", D("0.1")),
    )


def feature(world: Any, name: str = "Low-sugar option", **fields: Any) -> Feature:
    found = Feature.objects.filter(plan=world.plan, name=name).first()
    if found:
        return found
    return services.feature_create(
        plan=world.plan, actor=world.users["editor"], name=name, group="Product", **fields
    )


def cell(world: Any) -> FeatureValue:
    found = FeatureValue.objects.filter(feature__plan=world.plan).first()
    if found:
        return found
    return services.cell_create(
        feature=feature(world), competitor=None, actor=world.users["editor"], level="has"
    )
