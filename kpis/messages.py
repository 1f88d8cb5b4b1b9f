"""The user-facing texts of the pure modules, in the user's language.

kpis/formulas.py and kpis/breakdown.py must not import Django (an import-linter contract), so
they cannot call gettext. Instead every text they show is an English template wrapped in
their own no-op ``gettext_noop`` (named like Django's, so plain ``makemessages`` extracts
it into the catalogue), and their errors keep the template and its
parameters apart next to the English ``message``:

* ``error.template`` — e.g. ``"cannot add %(left)s and %(right)s in the formula of %(code)s:
  %(part)s"``, the msgid;
* ``error.params`` — e.g. ``{"left": Text("count"), "right": Text("money"), "code": "k",
  "part": "new_users + spend"}``.

:func:`translate` is the other half, run at the Django boundary (services, queries, views,
API): it translates the template and every parameter that is itself translatable text
(:class:`kpis.formulas.Text` — unit words, phrases such as "money to the power 2", the
message of an inner error), recursively, and fills the one into the other. Every other
parameter — a KPI code, a formula, a number the pure module already formatted — is shown as
it is. Anything that carries ``template`` and ``params`` works the same way, so a future pure
module can follow the same pattern.

Translate when the text is shown (in the request, in the user's language), not when the
error is raised.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext

from kpis import breakdown, formulas

__all__ = ["rule_text", "translate", "unit_rules"]


def translate(error: object) -> str:
    """The text of an error from kpis.formulas or kpis.breakdown in the active language.

    Steps:
    1. An object without a ``template`` (a plain ``ValueError`` from a programming error, an
       exception from elsewhere) falls back to its ``message``, else ``str(error)``.
    2. Translate the template with gettext; a template without parameters is the text.
    3. Otherwise fill it with the parameters, each translated by these same steps when it is
       translatable text itself (has a ``template``), else shown as it is.
    4. Should a translation not fit its parameters (a catalogue with a mistyped
       placeholder), show the English text rather than fail the page.
    """
    template = getattr(error, "template", None)
    if not isinstance(template, str):
        return _english(error)
    params = getattr(error, "params", None)
    if not isinstance(params, Mapping) or not params:
        return gettext(template)
    filled = {name: _param(value) for name, value in params.items()}
    try:
        return gettext(template) % filled
    except (KeyError, ValueError, TypeError):
        return _english(error)


def _english(error: object) -> str:
    message = getattr(error, "message", None)
    return str(message) if message is not None else str(error)


def _param(value: object) -> object:
    if isinstance(getattr(value, "template", None), str):
        return translate(value)
    return value


def rule_text(rule: breakdown.Rule) -> str:
    """The sentence for a breakdown rule ("sum" or "weighted") in the active language."""
    return gettext(breakdown.RULE_TEXT[rule])


def unit_rules() -> list[str]:
    """The unit rules of formulas, one sentence each, in the active language."""
    return [gettext(rule) for rule in formulas.UNIT_RULES]
