from django.utils import translation

from channels.catalogue import CATALOGUE
from channels.models import Channel, ChannelFamily
from channels.queries import channel_counts, channels_by_family
from channels.services import catalogue_install


def test_catalogue_install_is_idempotent(world):
    before = world.plan.channels.count()
    assert catalogue_install(plan=world.plan) == []
    assert world.plan.channels.count() == before == len(CATALOGUE)


def test_catalogue_covers_the_three_families_of_the_outline(world):
    counts = channel_counts(world.plan)
    assert counts == {"online": 15, "offline": 6, "crossover": 3}
    families = [family for family, _ in channels_by_family(world.plan)]
    assert families == list(ChannelFamily)


def test_catalogue_names_follow_the_language_and_own_names_win(world):
    wechat = Channel.objects.get(plan=world.plan, code="wechat")
    with translation.override("zh-hans"):
        assert wechat.display_name == "微信公众号"
    wechat.name = "WeChat Official Account"
    assert wechat.display_name == "WeChat Official Account"


def test_channel_codes_are_unique_per_plan_not_globally(world):
    assert Channel.objects.filter(code="wechat").count() == 2
