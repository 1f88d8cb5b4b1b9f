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


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        ("0.0495", "percent", "4.95%"),
        ("0.05", "percent", "5.0%"),
        ("0.123456789", "percent", "12.345679%"),
        ("3.125", "ratio", "3.125×"),
        ("3.5", "ratio", "3.50×"),
        ("12345.50", "money", "¥12,345.50"),
        ("1200000.000000", "money", "¥1,200,000"),
        ("99.999", "money", "¥100.00"),
        ("2000000", "count", "2,000,000"),
    ],
)
def test_exact_amounts_are_not_rounded_further_than_the_value(value, unit, shown):
    # a comparison of 4.95 % with 5 % must not read "5.0% → 5.0%"
    with translation.override("en"):
        assert format_amount(Decimal(value), unit, "CNY", exact=True) == shown


def test_chinese_amounts_group_thousands_too():
    with translation.override("zh-hans"):
        assert format_amount(Decimal("80000000"), "money") == "¥80,000,000"


def test_percent_filter():
    assert percent(Decimal("0.953")) == "95%"
    assert percent(None) == "—"
