"""Content-section data in the ``world`` plan: a campaign, a licence, an asset, a mechanism.

Each helper returns the existing row when there is one, so access cases can call them
repeatedly.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from channels.models import Channel
from content import services
from content.models import Asset, Campaign, InteractionMechanism, Licence, SizeSpec


def campaign(world: Any, code: str = "spring-2027", **overrides: Any) -> Campaign:
    found = Campaign.objects.filter(plan=world.plan, code=code).first()
    if found:
        return found
    fields: dict[str, Any] = {
        "code": code,
        "name": "Spring Festival reunion",
        "theme": "festival",
        "festival": "spring_festival",
        "start": date(2027, 1, 15),
        "end": date(2027, 2, 12),
        "audience": "Families",
        "budget": Decimal(300000),
        "status": "planned",
        "key_message": "Bring the taste of home to the reunion table.",
        "channels": list(Channel.objects.filter(plan=world.plan, code__in=["douyin", "wechat"])),
    }
    fields.update(overrides)
    return services.campaign_create(plan=world.plan, actor=world.users["editor"], **fields)


def spec(world: Any) -> SizeSpec:
    found = SizeSpec.objects.filter(plan=world.plan).order_by("pk").first()
    if found:
        return found
    services.specs_install(plan=world.plan)
    return SizeSpec.objects.filter(plan=world.plan).order_by("pk").first()  # type: ignore[return-value]


def licence(world: Any, name: str = "Source Han Sans", **overrides: Any) -> Licence:
    found = Licence.objects.filter(plan=world.plan, name=name).first()
    if found:
        return found
    fields: dict[str, Any] = {
        "name": name,
        "kind": "font",
        "source": "Adobe / Google (SIL OFL)",
        "scope": "Commercial use in all media",
        "territory": "worldwide",
        "expires": timezone.localdate() + timedelta(days=400),
        "document_ref": "OFL-1.1",
    }
    fields.update(overrides)
    return services.licence_create(plan=world.plan, actor=world.users["editor"], **fields)


def asset(world: Any, name: str = "Reunion poster", **overrides: Any) -> Asset:
    found = Asset.objects.filter(campaign__plan=world.plan, name=name).first()
    if found:
        return found
    fields: dict[str, Any] = {
        "name": name,
        "layers": ["selling_point", "emotional_story", "call_to_action"],
        "review_status": "approved",
        "vi_passed": True,
        "elements": [{"kind": "font", "name": "Source Han Sans", "licence": licence(world)}],
    }
    fields.update(overrides)
    return services.asset_create(campaign=campaign(world), actor=world.users["editor"], **fields)


def mechanism(world: Any, name: str = "Tea moments challenge") -> InteractionMechanism:
    found = InteractionMechanism.objects.filter(plan=world.plan, name=name).first()
    if found:
        return found
    return services.mechanism_create(
        plan=world.plan,
        actor=world.users["editor"],
        kind="ugc_challenge",
        name=name,
        goal="5,000 user videos of tea moments",
        indicators=[{"name": "Videos", "target": 5000, "actual": None, "unit": "videos"}],
        channel=Channel.objects.get(plan=world.plan, code="douyin"),
        start=date(2027, 4, 1),
        end=date(2027, 4, 30),
        topic="#MyTeaMoment",
        reward="Gift boxes for the 50 best videos",
        boost_rules="Top 10 by likes get paid boost",
    )
