"""Driver formulas over KPI codes: parsing, unit checks, tree evaluation and goal seek.

A plan's KPIs form a tree of drivers: ``revenue = orders * aov``, ``orders = visits * cvr``,
``visits = impressions * ctr`` … The leaves are *input* KPIs, which have a value of their own
(budget, CPM, CTR); every other KPI is *derived* from a formula over other KPI codes. This
module is pure computation — no Django, no database — so the planner, the API and the tests
can all use it, and an import-linter contract keeps it that way.

Formulas
--------
Numbers (``12``, ``1.5``, ``1e3``, ``.5``; ``3.5%`` means 0.035), KPI codes (lower-case letters,
digits and underscores, starting with a letter, at most 40 characters), ``+ - * /`` (the
typographic multiplication, division and minus signs work too), unary minus and
parentheses. Unary minus binds tighter than ``* /``, which bind tighter than ``+ -``;
operators of equal precedence group from the left. Formulas are parsed by hand into a small
expression tree — never by ``eval`` — so a formula can only ever compute, and every syntax
error can point at a character.

Rates are stored as fractions: a percent KPI of 3.5% has the value 0.035.

Unit rules
----------
These sentences are shown to users (see :data:`UNIT_RULES`):

1. Units are checked on money only. A money KPI's formula must come out as money
   (for example orders * aov, spend / new_users, revenue - spend).
2. A count, percent or ratio KPI's formula must come out free of money (for example
   revenue / spend, impressions * ctr, or budget / cac, where money / money cancels out).
3. Both sides of + and - must have the same unit: count with count, money with money, and
   percents and ratios with each other. A plain number fits any unit.
4. The result of * or / is compared by its money only: orders * aov + spend adds money to
   money and is fine; new_users + spend adds a count to money and is refused.
5. Multiplying or dividing by a plain number keeps the unit: impressions * 0.5 is still a count.

Tree evaluation
---------------
:func:`evaluate_tree` evaluates every KPI in dependency order. An input without a value makes
every KPI that depends on it ``None`` ("not known yet"), which is normal while a plan is being
written. A division by zero, or a result too large to be a number, is *not* silently turned
into ``None``: it raises :class:`FormulaError` naming the KPI (``error.code``), because a
plan whose CAC divides by zero new users is a plan the user must fix, not a blank cell.

Goal seek
---------
:func:`goal_seek` answers "how much budget do we need for 2,000,000 new users at this CTR
and CVR?": it finds the value of one input that makes a target KPI reach a goal. Driver trees
are almost always linear in the input being solved for, and then the answer is computed
exactly; otherwise a bracketing search finds it for any continuous monotone relation, and
when no value works the error says what range the target can reach.

Messages
--------
Error messages and the unit rules are shown to users, in English or Chinese. This module
cannot import Django, so it cannot translate: each text is an English template with named
``%(name)s`` placeholders, wrapped in :func:`gettext_noop` where it is written (``makemessages``
extracts ``gettext_noop``, a keyword it always knows). An error keeps the
template and its parameters apart (``error.template``, ``error.params``) next to the English
``error.message``; :func:`kpis.messages.translate` puts them together in the user's
language. Parameters are shown as they are (codes, formulas, numbers already formatted by
:func:`format_number`) unless they are :class:`Text` — unit words and phrases — which are
translated too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "CODE_RE",
    "MAX_CODE_LENGTH",
    "MAX_DEPTH",
    "UNITS",
    "UNIT_RULES",
    "UNIT_WORDS",
    "BinOp",
    "CycleError",
    "Expr",
    "FormulaError",
    "GoalSeekResult",
    "Neg",
    "NoSolution",
    "NodeSpec",
    "Number",
    "Ref",
    "Text",
    "Unit",
    "UnitError",
    "check_tree_units",
    "check_units",
    "dependants",
    "evaluate",
    "evaluate_tree",
    "evaluation_order",
    "format_number",
    "gettext_noop",
    "goal_seek",
    "parse",
    "references",
    "to_text",
]

Unit = Literal["count", "money", "percent", "ratio"]
UNITS: tuple[str, ...] = get_args(Unit)

MAX_CODE_LENGTH = 40
#: Deepest expression tree a formula may produce. Real driver formulas are a handful of
#: levels deep; the cap keeps the recursive evaluator far from Python's recursion limit.
MAX_DEPTH = 100

CODE_RE = re.compile(r"[a-z][a-z0-9_]*\Z")


# --------------------------------------------------------------------------- messages


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation and return it unchanged.

    A no-op of the same name as Django's, which ``makemessages`` already extracts:
    this module is pure and cannot import Django, so the text is translated at the
    Django boundary (:mod:`kpis.messages`). It must wrap the literal itself.
    """
    return message


def _render(template: str, params: Mapping[str, object]) -> str:
    """Fill a template's ``%(name)s`` placeholders; a template without parameters is kept as is."""
    return template % params if params else template


class Text(str):
    """User-facing text inside a message parameter, translated along with the message.

    Parameters are shown as they are — KPI codes, formulas, numbers — unless they are
    ``Text``: a unit word (``Text(gettext_noop("money"))``), a phrase with parameters of its own
    (``Text(gettext_noop("money to the power %(power)s"), power=2)``) or the message of an
    inner error.
    As a ``str`` it is the English text, so ``template % params`` still gives the English
    message; ``template`` and ``params`` let :func:`kpis.messages.translate` translate it.
    """

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, /, **params: object) -> Text:
        text = super().__new__(cls, _render(template, params))
        text.template = template
        text.params = params
        return text


#: The units as words in messages ("cannot add count and money …"), translated with them.
UNIT_WORDS: dict[str, Text] = {
    # Translators: a KPI unit, as a word inside messages ("cannot add count and money").
    "count": Text(gettext_noop("count")),
    # Translators: a KPI unit, as a word inside messages ("cannot add count and money").
    "money": Text(gettext_noop("money")),
    # Translators: a KPI unit, as a word inside messages ("cannot add count and percent").
    "percent": Text(gettext_noop("percent")),
    # Translators: a KPI unit, as a word inside messages ("cannot add count and ratio").
    "ratio": Text(gettext_noop("ratio")),
}

#: The unit rules as shown to users (translate with :func:`kpis.messages.unit_rules`).
UNIT_RULES: tuple[str, ...] = (
    gettext_noop(
        "Units are checked on money only. A money KPI's formula must come out as money "
        "(for example orders * aov, spend / new_users, revenue - spend)."
    ),
    gettext_noop(
        "A count, percent or ratio KPI's formula must come out free of money (for example "
        "revenue / spend, impressions * ctr, or budget / cac, where money / money cancels out)."
    ),
    gettext_noop(
        "Both sides of + and - must have the same unit: count with count, money with money, "
        "and percents and ratios with each other. A plain number fits any unit."
    ),
    gettext_noop(
        "The result of * or / is compared by its money only: orders * aov + spend adds money "
        "to money and is fine; new_users + spend adds a count to money and is refused."
    ),
    gettext_noop(
        "Multiplying or dividing by a plain number keeps the unit: "
        "impressions * 0.5 is still a count."
    ),
)


# --------------------------------------------------------------------------- errors


class FormulaError(ValueError):
    """A formula that cannot be used.

    ``message`` is a readable English sentence for the user (also ``str(error)``);
    ``template`` and ``params`` are that sentence before interpolation, ``message ==
    template % params``, for :func:`kpis.messages.translate` to show it in the user's
    language. ``position`` is the 0-based character offset in the formula text when the
    problem is a syntax error, else ``None``; ``code`` names the KPI whose formula failed when
    the error comes from a whole tree, so the interface can highlight that row. When the
    template names them (``%(position)s``, ``%(code)s``) they are parameters too.

    ``FormulaError("some text")`` without parameters keeps the text as it is.
    """

    def __init__(
        self,
        template: str,
        /,
        *,
        position: int | None = None,
        code: str | None = None,
        **params: object,
    ) -> None:
        for name, value in (("position", position), ("code", code)):
            if value is not None and f"%({name})" in template:
                params[name] = value
        message = _render(template, params)
        super().__init__(message)
        self.message = message
        self.template = template
        self.params: dict[str, object] = params
        self.position = position
        self.code = code


class CycleError(FormulaError):
    """KPIs whose formulas depend on each other in a circle, so none can be computed.

    ``cycle`` lists the codes in dependency order and repeats the first at the end, e.g.
    ``["a", "b", "a"]`` when a's formula uses b and b's formula uses a.
    """

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = list(cycle)
        if len(cycle) == 2:
            super().__init__(
                gettext_noop("the formula of %(code)s uses %(code)s itself"), code=cycle[0]
            )
        else:
            super().__init__(
                gettext_noop("these KPIs depend on each other in a circle: %(cycle)s"),
                code=cycle[0],
                cycle=" → ".join(cycle),
            )


class UnitError(FormulaError):
    """A formula whose units do not fit together or do not match its KPI's unit."""


class NoSolution(FormulaError):
    """Goal seek found no value of the input that makes the target reach the goal."""


# --------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Expr:
    """A node of a parsed formula. Frozen, so trees compare structurally and can be shared."""


@dataclass(frozen=True)
class Number(Expr):
    value: float


@dataclass(frozen=True)
class Ref(Expr):
    code: str


@dataclass(frozen=True)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True)
class BinOp(Expr):
    op: str  # one of "+", "-", "*", "/"
    left: Expr
    right: Expr


# --------------------------------------------------------------------------- parsing

_OPERATORS = {"+": "+", "-": "-", "*": "*", "/": "/", "\u00d7": "*", "\u00f7": "/", "\u2212": "-"}
_NUMBER_RE = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?")
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class _Token:
    kind: Literal["number", "code", "op", "(", ")", "end"]
    text: str
    position: int
    value: float = 0.0


def _tokenize(text: str) -> list[_Token]:
    """Split a formula into tokens, refusing anything that is not part of the syntax.

    Steps:
    1. Skip whitespace.
    2. A digit or a dot starts a number (with an optional exponent and ``%``).
    3. A letter or underscore starts a word, which must be a valid KPI code.
    4. ``+ - * /``, their typographic forms and parentheses are single-character tokens (the Unicode
       operators are normalised to ASCII here, so the parser sees one spelling).
    5. Anything else is an unknown character, reported with its position.
    """
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char.isdigit() or char == ".":
            match = _NUMBER_RE.match(text, i)
            if match is None:
                raise FormulaError(
                    gettext_noop("unexpected '%(token)s' at %(position)s"), position=i, token=char
                )
            literal = match.group()
            value = float(literal.rstrip("%"))
            if literal.endswith("%"):
                value /= 100
            if not math.isfinite(value):
                raise FormulaError(
                    gettext_noop("the number at %(position)s is too large"), position=i
                )
            tokens.append(_Token("number", literal, i, value))
            i = match.end()
            continue
        if char.isascii() and (char.isalpha() or char == "_"):
            match = _WORD_RE.match(text, i)
            assert match is not None  # the first character matched the pattern's start
            word = match.group()
            if not CODE_RE.match(word):
                raise FormulaError(
                    gettext_noop(
                        "'%(word)s' at %(position)s is not a KPI code: codes use lower-case "
                        "letters, digits and underscores, and start with a letter"
                    ),
                    position=i,
                    word=word,
                )
            if len(word) > MAX_CODE_LENGTH:
                raise FormulaError(
                    gettext_noop("'%(word)s' at %(position)s is longer than %(limit)s characters"),
                    position=i,
                    word=word,
                    limit=MAX_CODE_LENGTH,
                )
            tokens.append(_Token("code", word, i))
            i = match.end()
            continue
        if char in _OPERATORS:
            tokens.append(_Token("op", _OPERATORS[char], i))
        elif char in "()":
            tokens.append(_Token("(" if char == "(" else ")", char, i))
        else:
            raise FormulaError(
                gettext_noop("unknown character '%(char)s' at %(position)s"), position=i, char=char
            )
        i += 1
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    """Recursive descent over the token list; one method per precedence level."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.nesting = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def unexpected(self, token: _Token) -> FormulaError:
        if token.kind == "end":
            return FormulaError(
                gettext_noop("the formula ends too early at %(position)s"), position=token.position
            )
        return FormulaError(
            gettext_noop("unexpected '%(token)s' at %(position)s"),
            position=token.position,
            token=token.text,
        )

    def expression(self) -> Expr:
        node = self.term()
        while self.peek().kind == "op" and self.peek().text in "+-":
            op = self.advance().text
            node = BinOp(op, node, self.term())
        return node

    def term(self) -> Expr:
        node = self.unary()
        while self.peek().kind == "op" and self.peek().text in "*/":
            op = self.advance().text
            node = BinOp(op, node, self.unary())
        return node

    def unary(self) -> Expr:
        token = self.peek()
        if token.kind == "op" and token.text == "-":
            self.advance()
            self.enter(token)
            operand = self.unary()
            self.nesting -= 1
            return Neg(operand)
        return self.primary()

    def primary(self) -> Expr:
        token = self.advance()
        if token.kind == "number":
            return Number(token.value)
        if token.kind == "code":
            return Ref(token.text)
        if token.kind == "(":
            self.enter(token)
            node = self.expression()
            closing = self.advance()
            if closing.kind != ")":
                if closing.kind == "end":
                    raise FormulaError(
                        gettext_noop("missing ')' for the '(' at %(position)s"),
                        position=token.position,
                    )
                raise self.unexpected(closing)
            self.nesting -= 1
            return node
        raise self.unexpected(token)

    def enter(self, token: _Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise FormulaError(
                gettext_noop("the formula is nested too deeply at %(position)s"),
                position=token.position,
            )


def _depth(expr: Expr) -> int:
    """Depth of a tree, computed without recursion so that any tree can be measured."""
    deepest = 0
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, Neg):
            stack.append((node.operand, level + 1))
        elif isinstance(node, BinOp):
            stack.append((node.left, level + 1))
            stack.append((node.right, level + 1))
    return deepest


def parse(text: str) -> Expr:
    """Parse a formula into an expression tree.

    Raises :class:`FormulaError` with the character ``position`` of the problem, so the
    editor can put the cursor on it: ``unexpected ')' at 7``, ``empty formula``,
    ``unknown character '$' at 3``.
    """
    tokens = _tokenize(text)
    if tokens[0].kind == "end":
        raise FormulaError(gettext_noop("empty formula"), position=0)
    parser = _Parser(tokens)
    expr = parser.expression()
    trailing = parser.peek()
    if trailing.kind != "end":
        raise parser.unexpected(trailing)
    if _depth(expr) > MAX_DEPTH:
        raise FormulaError(
            gettext_noop("the formula is too long: it has more than %(limit)s operations in a row"),
            limit=MAX_DEPTH,
        )
    return expr


def references(expr: Expr) -> frozenset[str]:
    """The KPI codes a formula uses."""
    found: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Ref):
            found.add(node.code)
        elif isinstance(node, Neg):
            stack.append(node.operand)
        elif isinstance(node, BinOp):
            stack.extend((node.left, node.right))
    return frozenset(found)


# --------------------------------------------------------------------------- text form

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_NEG_PRECEDENCE = 3
_ATOM_PRECEDENCE = 4


def _precedence(expr: Expr) -> int:
    if isinstance(expr, BinOp):
        return _PRECEDENCE[expr.op]
    if isinstance(expr, Neg) or (isinstance(expr, Number) and expr.value < 0):
        return _NEG_PRECEDENCE
    return _ATOM_PRECEDENCE


def _number_text(value: float) -> str:
    value = float(value)
    if not math.isfinite(value):
        raise FormulaError(
            gettext_noop("%(value)s cannot be written in a formula"), value=str(value)
        )
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)  # the shortest text that reads back as exactly this float


def to_text(expr: Expr) -> str:
    """Canonical text of a formula: ASCII operators, single spaces, minimal parentheses.

    Parentheses are kept exactly where the tree needs them — a lower-precedence operand, or
    a right operand of equal precedence (``a - (b - c)``) — so ``parse(to_text(e)) == e``
    for every tree :func:`parse` can produce. (A ``Number`` with a negative value reads back
    as ``Neg(Number(…))``: same value, different tree; the parser never makes one.)
    """
    if isinstance(expr, Number):
        return _number_text(expr.value)
    if isinstance(expr, Ref):
        return expr.code
    if isinstance(expr, Neg):
        inner = to_text(expr.operand)
        if _precedence(expr.operand) < _NEG_PRECEDENCE:
            inner = f"({inner})"
        return f"-{inner}"
    if isinstance(expr, BinOp):
        own = _PRECEDENCE[expr.op]
        left = to_text(expr.left)
        if _precedence(expr.left) < own:
            left = f"({left})"
        right = to_text(expr.right)
        if _precedence(expr.right) <= own:
            right = f"({right})"
        return f"{left} {expr.op} {right}"
    raise TypeError(f"not a formula node: {expr!r}")


# --------------------------------------------------------------------------- evaluation


def evaluate(expr: Expr, values: Mapping[str, float]) -> float:
    """Compute a formula from the values of the KPIs it uses.

    Raises :class:`FormulaError` for a code without a value, a division by zero (naming the
    divisor: ``division by zero: cac is 0``) and a result too large to be a number.
    """
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, Ref):
        try:
            return float(values[expr.code])
        except KeyError:
            raise FormulaError(
                gettext_noop("no value for KPI code '%(ref)s'"), ref=expr.code
            ) from None
    if isinstance(expr, Neg):
        return -evaluate(expr.operand, values)
    if isinstance(expr, BinOp):
        left = evaluate(expr.left, values)
        right = evaluate(expr.right, values)
        if expr.op == "+":
            result = left + right
        elif expr.op == "-":
            result = left - right
        elif expr.op == "*":
            result = left * right
        else:
            if right == 0:
                raise FormulaError(
                    gettext_noop("division by zero: %(divisor)s is 0"), divisor=to_text(expr.right)
                )
            result = left / right
        if not math.isfinite(result):
            raise FormulaError(
                gettext_noop("the result of %(part)s is too large"), part=to_text(expr)
            )
        return result
    raise TypeError(f"not a formula node: {expr!r}")


# --------------------------------------------------------------------------- units


@dataclass(frozen=True)
class _Dim:
    """The unit of a sub-expression, as far as the unit rules care.

    ``kind`` is "count", "money" or "rate" for a KPI (or something that kept its unit),
    "number" for a bare literal (which fits anything) and "product" for the result of
    * or / between KPIs (compared by its money exponent only). ``money`` is the power of
    money: 1 for money, 0 for money-free, 2 for money * money, -1 for per-money.
    """

    kind: Literal["count", "money", "rate", "number", "product"]
    money: int
    label: Text  # how messages name it


def _product_dim(money: int) -> _Dim:
    if money == 0:
        # Translators: the unit of a result such as orders * cvr, inside a message.
        label = Text(gettext_noop("a value without money"))
    elif money == 1:
        label = UNIT_WORDS["money"]
    else:
        # Translators: the unit of a result such as aov * aov (2) or 1 / aov (-1).
        label = Text(gettext_noop("money to the power %(power)s"), power=money)
    return _Dim("product", money, label)


_KPI_DIMS: dict[str, _Dim] = {
    "count": _Dim("count", 0, UNIT_WORDS["count"]),
    "money": _Dim("money", 1, UNIT_WORDS["money"]),
    "percent": _Dim("rate", 0, UNIT_WORDS["percent"]),
    "ratio": _Dim("rate", 0, UNIT_WORDS["ratio"]),
}


def _dim(expr: Expr, units: Mapping[str, Unit], code: str | None) -> _Dim:
    """Work out the unit of a sub-expression, raising UnitError where + or - mixes units.

    Steps:
    1. A number is "number"; a KPI code takes its unit; unary minus keeps the unit.
    2. * and / add or subtract money exponents; with a bare number on one side the other
       side's unit is kept, otherwise the result is a "product".
    3. + and - accept a bare number with anything; a product is compared with the other
       side by money exponent; two KPI units must be the same kind (percent and ratio are
       both rates). The result takes the more specific of the two units.
    """
    if isinstance(expr, Number):
        return _Dim("number", 0, Text(gettext_noop("a number")))
    if isinstance(expr, Ref):
        if expr.code not in units:
            if code:
                raise FormulaError(
                    gettext_noop("unknown KPI code '%(ref)s' in the formula of %(code)s"),
                    code=code,
                    ref=expr.code,
                )
            raise FormulaError(
                gettext_noop("unknown KPI code '%(ref)s' in the formula"), ref=expr.code
            )
        return _KPI_DIMS[units[expr.code]]
    if isinstance(expr, Neg):
        return _dim(expr.operand, units, code)
    if not isinstance(expr, BinOp):
        raise TypeError(f"not a formula node: {expr!r}")
    left = _dim(expr.left, units, code)
    right = _dim(expr.right, units, code)
    if expr.op in "*/":
        if right.kind == "number":
            return left
        if left.kind == "number":
            return right if expr.op == "*" else _product_dim(-right.money)
        return _product_dim(
            left.money + right.money if expr.op == "*" else left.money - right.money
        )
    if left.kind == "number":
        return right
    if right.kind == "number":
        return left
    if "product" in (left.kind, right.kind):
        fits = left.money == right.money
    else:
        fits = left.kind == right.kind
    if not fits:
        if expr.op == "+" and code:
            template = gettext_noop(
                "cannot add %(left)s and %(right)s in the formula of %(code)s: %(part)s"
            )
        elif expr.op == "+":
            template = gettext_noop("cannot add %(left)s and %(right)s in the formula: %(part)s")
        elif code:
            template = gettext_noop(
                "cannot subtract %(right)s from %(left)s in the formula of %(code)s: %(part)s"
            )
        else:
            template = gettext_noop(
                "cannot subtract %(right)s from %(left)s in the formula: %(part)s"
            )
        raise UnitError(template, code=code, left=left.label, right=right.label, part=to_text(expr))
    return right if left.kind == "product" else left


def check_units(
    expr: Expr, units: Mapping[str, Unit], declared: Unit, *, code: str | None = None
) -> None:
    """Check a formula against the unit rules (see the module docstring).

    ``units`` gives the unit of every KPI code the formula may use; ``declared`` is the
    unit of the KPI the formula computes, and ``code`` (optional) its code, which the error
    messages name. Raises :class:`UnitError`.
    """
    if declared not in UNITS:
        raise FormulaError(gettext_noop("unknown unit '%(unit)s'"), code=code, unit=declared)
    result = _dim(expr, units, code)
    text = to_text(expr)
    if declared == "money" and result.money != 1 and result.kind != "number":
        if code:
            template = gettext_noop(
                "%(code)s is a money KPI, but its formula %(formula)s gives %(result)s, not money"
            )
        else:
            template = gettext_noop(
                "this KPI is a money KPI, but its formula %(formula)s gives %(result)s, not money"
            )
        raise UnitError(template, code=code, formula=text, result=result.label)
    if declared != "money" and result.money != 0:
        if code:
            template = gettext_noop(
                "%(code)s is a %(unit)s KPI, so its formula must not give money, "
                "but %(formula)s gives %(result)s"
            )
        else:
            template = gettext_noop(
                "this KPI is a %(unit)s KPI, so its formula must not give money, "
                "but %(formula)s gives %(result)s"
            )
        raise UnitError(
            template, code=code, unit=UNIT_WORDS[declared], formula=text, result=result.label
        )


# --------------------------------------------------------------------------- trees


@dataclass(frozen=True)
class NodeSpec:
    """One KPI of a plan as the computation needs it.

    ``formula`` empty means an input KPI, whose ``value`` may be ``None`` while it is not
    known yet; a derived KPI's ``value`` is ignored.
    """

    code: str
    unit: Unit
    formula: str = ""
    value: float | None = None

    @property
    def is_input(self) -> bool:
        return not self.formula.strip()


@dataclass(frozen=True)
class _Compiled:
    """A validated tree: formulas parsed once, codes in evaluation order."""

    specs: Mapping[str, NodeSpec]
    exprs: dict[str, Expr]  # derived codes only
    order: list[str]


def _compile(specs: Mapping[str, NodeSpec]) -> _Compiled:
    """Validate a tree and put it in evaluation order.

    Steps:
    1. Check every key is a valid code equal to its spec's code, with a known unit.
    2. Parse every derived formula; a syntax error names the KPI.
    3. Refuse unknown codes and self-references.
    4. Depth-first search (iterative, visiting codes in mapping order and references in
       sorted order, so the result is deterministic) emits each code after everything it
       uses; meeting a code that is still on the path means a cycle, reported in order
       and rotated to start at its alphabetically first code.
    """
    exprs: dict[str, Expr] = {}
    for key, spec in specs.items():
        if not CODE_RE.match(key) or len(key) > MAX_CODE_LENGTH:
            raise FormulaError(gettext_noop("'%(code)s' is not a valid KPI code"), code=key)
        if spec.code != key:
            raise FormulaError(
                gettext_noop("the KPI filed under '%(code)s' has the code '%(other)s'"),
                code=key,
                other=spec.code,
            )
        if spec.unit not in UNITS:
            raise FormulaError(
                gettext_noop("%(code)s has an unknown unit '%(unit)s'"), code=key, unit=spec.unit
            )
        if spec.is_input:
            continue
        try:
            exprs[key] = parse(spec.formula)
        except FormulaError as error:
            raise FormulaError(
                # Translators: %(problem)s is a syntax error, e.g. "unexpected ')' at 4".
                gettext_noop("in the formula of %(code)s: %(problem)s"),
                position=error.position,
                code=key,
                problem=Text(error.template, **error.params),
            ) from None
    uses: dict[str, list[str]] = {}
    for key, expr in exprs.items():
        used = sorted(references(expr))
        for ref in used:
            if ref not in specs:
                raise FormulaError(
                    gettext_noop("unknown KPI code '%(ref)s' in the formula of %(code)s"),
                    code=key,
                    ref=ref,
                )
            if ref == key:
                raise CycleError([key, key])
        uses[key] = used

    order: list[str] = []
    state: dict[str, Literal["active", "done"]] = {}
    for root in specs:
        if root in state:
            continue
        state[root] = "active"
        path = [root]
        stack: list[Iterator[str]] = [iter(uses.get(root, ()))]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                done = path.pop()
                state[done] = "done"
                order.append(done)
            elif state.get(child) == "active":
                cycle = path[path.index(child) :]
                start = cycle.index(min(cycle))
                cycle = cycle[start:] + cycle[:start]
                raise CycleError([*cycle, cycle[0]])
            elif child not in state:
                state[child] = "active"
                path.append(child)
                stack.append(iter(uses.get(child, ())))
    return _Compiled(specs, exprs, order)


def evaluation_order(specs: Mapping[str, NodeSpec]) -> list[str]:
    """Every code, each after all the codes its formula uses (a topological order).

    Raises :class:`CycleError` naming one cycle, and :class:`FormulaError` for a syntax
    error, an unknown code (``unknown KPI code 'ctr2' in the formula of visits``) or a
    self-reference (a :class:`CycleError` of length one).
    """
    return _compile(specs).order


def _evaluate_compiled(
    compiled: _Compiled,
    overrides: Mapping[str, float] | None = None,
    only: Collection[str] | None = None,
) -> dict[str, float | None]:
    """Evaluate a compiled tree, with some inputs overridden, optionally only some codes.

    ``only`` must be closed under "uses" (a code and everything its formula needs).
    """
    values: dict[str, float | None] = {}
    known: dict[str, float] = {}
    for code in compiled.order:
        if only is not None and code not in only:
            continue
        spec = compiled.specs[code]
        result: float | None
        if code in compiled.exprs:
            expr = compiled.exprs[code]
            if any(known.get(ref) is None for ref in references(expr)):
                result = None
            else:
                try:
                    result = evaluate(expr, known)
                except FormulaError as error:
                    raise FormulaError(
                        # Translators: %(problem)s is e.g. "division by zero: new_users is 0".
                        gettext_noop("cannot compute %(code)s: %(problem)s"),
                        code=code,
                        problem=Text(error.template, **error.params),
                    ) from None
        else:
            result = overrides[code] if overrides and code in overrides else spec.value
            if result is not None:
                result = float(result)
                if not math.isfinite(result):
                    raise FormulaError(
                        gettext_noop("the value of %(code)s is not a finite number"), code=code
                    )
        values[code] = result
        if result is not None:
            known[code] = result
    return {code: values[code] for code in compiled.specs if code in values}


def evaluate_tree(specs: Mapping[str, NodeSpec]) -> dict[str, float | None]:
    """The value of every KPI, keyed in the order of ``specs``.

    An input without a value is ``None``, and so is every KPI that depends on it: an
    unfinished plan is normal, not an error. A division by zero (or an overflow) inside a
    formula raises :class:`FormulaError` with ``code`` set to the KPI, e.g.
    ``cannot compute cac: division by zero: new_users is 0`` — a blank cell would hide a
    plan that needs fixing.
    """
    return _evaluate_compiled(_compile(specs))


def check_tree_units(specs: Mapping[str, NodeSpec]) -> None:
    """Check every derived KPI's formula against the unit rules (and the tree's shape)."""
    compiled = _compile(specs)
    units = {code: spec.unit for code, spec in specs.items()}
    for code, expr in compiled.exprs.items():
        check_units(expr, units, specs[code].unit, code=code)


def _reverse_edges(compiled: _Compiled) -> dict[str, set[str]]:
    used_by: dict[str, set[str]] = {code: set() for code in compiled.specs}
    for code, expr in compiled.exprs.items():
        for ref in references(expr):
            used_by[ref].add(code)
    return used_by


def _dependants(compiled: _Compiled, code: str) -> set[str]:
    used_by = _reverse_edges(compiled)
    found: set[str] = set()
    stack = [code]
    while stack:
        for child in used_by[stack.pop()]:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def dependants(specs: Mapping[str, NodeSpec], code: str) -> set[str]:
    """Every KPI whose value depends, directly or through others, on ``code``.

    ``code`` itself is not included. This is what must be recomputed (and re-shown) when
    ``code`` changes. Raises :class:`FormulaError` for an unknown code.
    """
    compiled = _compile(specs)
    if code not in specs:
        raise FormulaError(gettext_noop("unknown KPI code '%(ref)s'"), ref=code)
    return _dependants(compiled, code)


def _ancestors(compiled: _Compiled, code: str) -> set[str]:
    found: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        if current in compiled.exprs:
            for ref in references(compiled.exprs[current]):
                if ref not in found:
                    found.add(ref)
                    stack.append(ref)
    return found


# --------------------------------------------------------------------------- goal seek


def format_number(value: float) -> str:
    """A number as people read it in a message: ``2,000,000``, ``1,234.57``, ``0.035``."""
    value = float(value)
    if not math.isfinite(value):
        if value > 0:
            return Text(gettext_noop("infinity"))
        return (
            Text(gettext_noop("minus infinity")) if value < 0 else Text(gettext_noop("undefined"))
        )
    if value == 0:
        return "0"
    size = abs(value)
    if size >= 1e15 or size < 1e-4:
        return f"{value:.3g}"
    if value.is_integer():
        return f"{value:,.0f}"
    text = f"{value:,.2f}" if size >= 1000 else f"{value:.6g}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class GoalSeekResult:
    """The input value goal seek found, the whole tree evaluated with it, and how."""

    value: float
    values: dict[str, float | None]
    method: Literal["linear", "bracketing"]


_MAX_EXPANSIONS = 200
_MAX_REFINEMENTS = 400


def goal_seek(
    specs: Mapping[str, NodeSpec],
    *,
    target: str,
    goal: float,
    solve_for: str,
    lower: float | None = None,
    upper: float | None = None,
    tolerance: float = 1e-9,
) -> GoalSeekResult:
    """Find the value of the input ``solve_for`` that makes ``target`` equal ``goal``.

    The goal counts as reached when ``|target - goal| ≤ tolerance * max(|goal|, 1)``
    (relative, with an absolute floor so that a goal of 0 is reachable). The answer lies in
    ``[lower, upper]``; when ``lower`` is not given it is 0 if the input's current value is
    ≥ 0 or unknown (budgets, rates and counts are not negative), else unbounded; ``upper``
    defaults to unbounded.

    Steps:
    1. Refuse (:class:`NoSolution`) when ``solve_for`` is not an input, ``target`` is
       unknown, ``target`` does not depend on ``solve_for``, or another input that
       ``target`` needs has no value.
    2. f(x) is the value of ``target`` with ``solve_for`` set to x; a probe where the tree
       cannot be computed (division by zero, overflow) is unusable rather than an error.
    3. Linear detection: evaluate f at x0 (the current value, or 1 if it is unknown or 0),
       2·x0 and 4·x0. If the three points lie on a line within ``tolerance`` (relative),
       solve the line exactly, polish with one secant step, and verify by evaluating. A
       constant f cannot reach any other goal; an answer outside the bounds is refused.
    4. Otherwise (or if the verification failed) bracket: walk away from x0 in both
       directions with geometrically growing steps (towards a finite bound, halving the
       distance to it; the bound itself last), at most 200 probes, until f - goal
       changes sign between neighbouring usable probes. Refine the bracket with the
       Illinois variant of regula falsi, bisecting every third step so that progress is
       guaranteed. A refined point that does not hit the goal (a jump, not a root) is
       skipped and the walk goes on. No sign change at all → :class:`NoSolution` saying
       what range the target covered.
    5. Return the solved value and the whole tree evaluated with it (which, like
       :func:`evaluate_tree`, raises :class:`FormulaError` if some other KPI divides by
       zero at that value).
    """
    # 1. Refuse what cannot be solved.
    goal = float(goal)
    compiled = _compile(specs)
    for code in (target, solve_for):
        if code not in specs:
            raise NoSolution(gettext_noop("unknown KPI code '%(ref)s'"), code=code, ref=code)
    if not specs[solve_for].is_input:
        raise NoSolution(
            gettext_noop(
                "%(input)s is computed from a formula; only an input KPI can be solved for"
            ),
            code=solve_for,
            input=solve_for,
        )
    if target != solve_for and target not in _dependants(compiled, solve_for):
        raise NoSolution(
            gettext_noop(
                "%(target)s does not depend on %(input)s, so changing %(input)s cannot change it"
            ),
            code=target,
            target=target,
            input=solve_for,
        )
    if not math.isfinite(goal):
        raise NoSolution(gettext_noop("the goal must be a finite number"), code=target)
    if not tolerance > 0:
        raise ValueError("tolerance must be positive")
    missing = sorted(
        code
        for code in _ancestors(compiled, target)
        if code != solve_for and code not in compiled.exprs and specs[code].value is None
    )
    if missing:
        raise NoSolution(
            gettext_noop(
                "%(target)s cannot be computed until these inputs have a value: %(inputs)s"
            ),
            code=target,
            target=target,
            inputs=", ".join(missing),
        )
    current = specs[solve_for].value
    lo = lower if lower is not None else (0.0 if current is None or current >= 0 else -math.inf)
    hi = upper if upper is not None else math.inf
    if math.isnan(lo) or math.isnan(hi) or lo > hi:
        raise ValueError(f"the lower bound {lo} is above the upper bound {hi}")
    target_text = format_number(goal)

    # 2. f(x), with unusable probes as None. Only the target and what it needs are
    # evaluated, so a KPI elsewhere that divides by zero at some x cannot spoil a probe.
    needed = _ancestors(compiled, target) | {target}

    def f(x: float) -> float | None:
        try:
            return _evaluate_compiled(compiled, {solve_for: x}, needed)[target]
        except FormulaError:
            return None

    allowed = tolerance * max(abs(goal), 1.0)

    def hits(y: float | None) -> bool:
        return y is not None and abs(y - goal) <= allowed

    def result(x: float, method: Literal["linear", "bracketing"]) -> GoalSeekResult:
        return GoalSeekResult(x, _evaluate_compiled(compiled, {solve_for: x}), method)

    x0 = current if current else 1.0
    if not lo <= x0 <= hi:
        if math.isfinite(lo) and math.isfinite(hi):
            x0 = lo + (hi - lo) / 2
        elif math.isfinite(lo):
            x0 = lo + max(abs(lo), 1.0)
        else:
            x0 = hi - max(abs(hi), 1.0)
        if x0 == 0:
            x0 = hi if lo == 0 else lo  # keep linear probes distinct; either bound is finite

    # 3. Linear detection.
    linear = _solve_linear(f, x0, goal, tolerance)
    if isinstance(linear, _Constant):
        if hits(linear.value):
            return result(x0, "linear")
        # Flat on three probes — truly constant, or saturated there; the walk below decides.
    elif linear is not None:
        x = linear
        if hits(f(x)):
            if not lo <= x <= hi:
                if x < lo:
                    template = gettext_noop(
                        "%(target)s cannot reach %(goal)s by changing %(input)s: it would need "
                        "%(input)s = %(value)s, below the lowest allowed value %(bound)s"
                    )
                else:
                    template = gettext_noop(
                        "%(target)s cannot reach %(goal)s by changing %(input)s: it would need "
                        "%(input)s = %(value)s, above the highest allowed value %(bound)s"
                    )
                raise NoSolution(
                    template,
                    code=target,
                    target=target,
                    goal=target_text,
                    input=solve_for,
                    value=format_number(x),
                    bound=format_number(lo if x < lo else hi),
                )
            return result(x, "linear")

    # 4. Bracketing.
    seen: list[float] = []
    for x in _bracket_and_refine(f, goal, x0, lo, hi, hits, seen):
        return result(x, "bracketing")
    if not seen:
        raise NoSolution(
            gettext_noop(
                "%(target)s cannot reach %(goal)s by changing %(input)s: "
                "it could not be computed for any value tried"
            ),
            code=target,
            target=target,
            goal=target_text,
            input=solve_for,
        )
    smallest, largest = min(seen), max(seen)
    if largest - smallest <= tolerance * max(abs(smallest), abs(largest)):
        raise NoSolution(
            gettext_noop(
                "%(target)s cannot reach %(goal)s by changing %(input)s: it stays at %(value)s"
            ),
            code=target,
            target=target,
            goal=target_text,
            input=solve_for,
            value=format_number(seen[0]),
        )
    raise NoSolution(
        gettext_noop(
            "%(target)s cannot reach %(goal)s by changing %(input)s: "
            "over the range tried it goes from %(low)s to %(high)s"
        ),
        code=target,
        target=target,
        goal=target_text,
        input=solve_for,
        low=format_number(smallest),
        high=format_number(largest),
    )


@dataclass(frozen=True)
class _Constant:
    value: float


def _solve_linear(
    f: Callable[[float], float | None], x0: float, goal: float, tolerance: float
) -> float | _Constant | None:
    """The exact root if f is affine on three probes, _Constant if flat, else None."""
    xs = (x0, 2 * x0, 4 * x0)
    ys: list[float] = []
    for x in xs:
        y = f(x)
        if y is None:
            return None
        ys.append(y)
    f0, f1, f2 = ys
    scale = max(abs(f0), abs(f1), abs(f2))
    if scale == 0 or max(ys) - min(ys) <= tolerance * scale:
        return _Constant(f0)
    slope = (f1 - f0) / (xs[1] - xs[0])
    predicted = f0 + slope * (xs[2] - xs[0])
    if abs(predicted - f2) > tolerance * scale:
        return None
    x = x0 + (goal - f0) / slope
    # One secant step from the solved point polishes away the rounding of the slope.
    y = f(x)
    if y is not None and y != goal and y != f0:
        polished = x - (y - goal) * (x - x0) / (y - f0)
        y_polished = f(polished)
        if y_polished is not None and abs(y_polished - goal) < abs(y - goal):
            x = polished
    return x


def _toward(x0: float, bound: float) -> list[float]:
    """Points from x0 towards ``bound``: geometric steps to infinity, halving to a finite bound.

    Towards infinity the distance from x0 doubles each time (x0 ± s, ± 3s, ± 7s … with
    s = max(|x0|, 1)); towards a finite bound the distance *to the bound* halves each time,
    which for a lower bound of 0 means x0/2, x0/4 … — geometric, as budgets are — and the
    bound itself comes last.
    """
    points: list[float] = []
    limit = _MAX_EXPANSIONS // 2
    if math.isinf(bound):
        sign = 1.0 if bound > 0 else -1.0
        scale = max(abs(x0), 1.0)
        return [x0 + sign * scale * (2.0**k - 1) for k in range(1, limit + 1)]
    if bound == x0:
        return []
    for k in range(1, limit):
        point = bound + (x0 - bound) * 0.5**k
        if point == bound or (points and point == points[-1]):
            break
        points.append(point)
    points.append(bound)
    return points


def _probes(x0: float, lo: float, hi: float) -> Iterator[tuple[int, float]]:
    """Probe points walking away from x0: (direction, x), alternating up (+1) and down (-1)."""
    up = _toward(x0, hi)
    down = _toward(x0, lo)
    for k in range(max(len(up), len(down))):
        if k < len(up):
            yield 1, up[k]
        if k < len(down):
            yield -1, down[k]


def _bracket_and_refine(
    f: Callable[[float], float | None],
    goal: float,
    x0: float,
    lo: float,
    hi: float,
    hits: Callable[[float | None], bool],
    seen: list[float],
) -> Iterator[float]:
    """Yield a verified root, walking outwards from x0 until a sign change is found.

    ``seen`` collects every usable value of f, for the failure message.
    """
    last: dict[int, tuple[float, float]] = {}
    y0 = f(x0)
    if y0 is not None:
        seen.append(y0)
        if hits(y0):
            yield x0
            return
        last = {1: (x0, y0 - goal), -1: (x0, y0 - goal)}
    for direction, x in _probes(x0, lo, hi):
        y = f(x)
        if y is None:
            continue
        seen.append(y)
        if hits(y):
            yield x
            return
        g = y - goal
        previous = last.get(direction)
        last[direction] = (x, g)
        if previous is None or (previous[1] > 0) == (g > 0):
            continue
        root = _refine(f, goal, previous, (x, g), hits)
        if root is not None:
            yield root
            return


def _refine(
    f: Callable[[float], float | None],
    goal: float,
    a_point: tuple[float, float],
    b_point: tuple[float, float],
    hits: Callable[[float | None], bool],
) -> float | None:
    """Illinois regula falsi on a bracket [a, b] with g(a), g(b) of opposite signs.

    Steps:
    1. Take the false-position point of the bracket, or its midpoint every third step
       (and whenever the false-position point falls outside the bracket).
    2. Stop with that point when it hits the goal; give up if f cannot be computed there
       or the bracket has shrunk to adjacent floats (a jump rather than a root).
    3. Keep the sub-bracket with the sign change; when the same end is kept twice in a
       row, halve its g (the Illinois rule), so the other end moves too.
    """
    (a, ga), (b, gb) = a_point, b_point
    kept: int = 0
    for step in range(_MAX_REFINEMENTS):
        c = (a * gb - b * ga) / (gb - ga)
        if step % 3 == 2 or not min(a, b) < c < max(a, b):
            c = a + (b - a) / 2
        if c in (a, b):
            return None
        y = f(c)
        if y is None:
            return None
        if hits(y):
            return c
        gc = y - goal
        if (gc > 0) == (gb > 0):
            b, gb = c, gc
            if kept == -1:
                ga /= 2
            kept = -1
        else:
            a, ga = c, gc
            if kept == 1:
                gb /= 2
            kept = 1
    return None
