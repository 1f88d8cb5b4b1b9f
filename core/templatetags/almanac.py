"""Display helpers: amounts by unit, localised (money in the plan's currency)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()

CURRENCY_SYMBOLS = {"CNY": "¥", "HKD": "HK$", "USD": "$", "EUR": "€", "JPY": "¥", "GBP": "£"}
DECIMALS = {"count": 0, "money": 2, "percent": 1, "ratio": 2}


def _number(value: Decimal, places: int) -> str:
    """Localised, grouped, rounded half up (Django's number_format truncates)."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(rounded, places, force_grouping=True)


def _places(number: Decimal) -> int:
    """The decimals ``number`` needs: ``0.0495`` → 4, ``12.50`` → 1, ``100`` → 0."""
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_amount(value: Any, unit: str, currency: str = "CNY", *, exact: bool = False) -> str:
    """``1234.5`` money → ``¥1,234.50`` (``¥12,345`` from 10,000 up); ``0.035`` percent
    → ``3.5%``; ratio → ``2.35×``.

    ``exact`` never rounds further than the value itself (up to 6 decimals), for
    comparisons, where two different values must not read the same: ``0.0495`` percent
    → ``4.95%``, ``12,345.50`` money → ``¥12,345.50``."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    if unit == "percent":
        places = DECIMALS["percent"]
        if exact:
            places = max(places, min(6, _places(number * 100)))
        return f"{_number(number * 100, places)}%"
    places = DECIMALS.get(unit, 2)
    if unit == "money" and abs(number) >= 10_000 and not (exact and _places(number)):
        places = 0  # cents add noise, not information, to large amounts
    elif exact and unit != "money":
        places = max(places, min(6, _places(number)))
    if unit == "money":
        sign = "-" if number < 0 else ""
        symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
        return f"{sign}{symbol}{_number(abs(number), places)}"
    text = _number(number, places)
    if unit == "ratio":
        return f"{text}×"
    return text


@register.simple_tag
def amount(value: Any, unit: str, currency: str = "CNY") -> str:
    return format_amount(value, unit, currency)


@register.filter
def percent(value: Any, places: int = 0) -> str:
    """A fraction as a percentage: ``0.953`` → ``95%``."""
    if value is None or value == "":
        return "—"
    return f"{_number(Decimal(str(value)) * 100, places)}%"


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)
