from decimal import Decimal

import pytest
from django.utils import translation

from core.templatetags.almanac import format_amount, percent


@pytest.mark.parametrize(
    ("value", "unit", "currency", "shown"),
    [
        (Decimal("1234.5"), "money", "CNY", "¥1,234.50"),
        (Decimal("120000000"), "money", "CNY", "¥120,000,000"),
        (Decimal("99.999"), "money", "USD", "$100.00"),
        (Decimal("-23520000"), "money", "CNY", "-¥23,520,000"),
        (Decimal("0.035"), "percent", "CNY", "3.5%"),
        (Decimal("3.456"), "ratio", "CNY", "3.46×"),
        (Decimal("2000000"), "count", "CNY", "2,000,000"),
        (None, "count", "CNY", "—"),
    ],
)
def test_amounts_are_shown_by_unit(value, unit, currency, shown):
    with translation.override("en"):
        assert format_amount(value, unit, currency) == shown


def test_chinese_amounts_group_thousands_too():
    with translation.override("zh-hans"):
        assert format_amount(Decimal("80000000"), "money") == "¥80,000,000"


def test_percent_filter():
    assert percent(Decimal("0.953")) == "95%"
    assert percent(None) == "—"
