"""Driver formulas: syntax, units, trees and goal seek — pure functions, no database.

The last section checks the messages: every error carries a template marked for translation,
and kpis/messages.py translates it (Django's translation machinery, still no database).
"""

from __future__ import annotations

import ast
import importlib.util
import math
import re
import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kpis import breakdown, messages
from kpis.formulas import (
    UNIT_RULES,
    UNIT_WORDS,
    BinOp,
    CycleError,
    Expr,
    FormulaError,
    Neg,
    NodeSpec,
    NoSolution,
    Number,
    Ref,
    Text,
    UnitError,
    check_tree_units,
    check_units,
    dependants,
    evaluate,
    evaluate_tree,
    evaluation_order,
    format_number,
    goal_seek,
    parse,
    references,
    to_text,
)

FAST = settings(max_examples=60, deadline=None)


def inp(code, unit="count", value=None):
    return NodeSpec(code, unit, value=value)


def der(code, formula, unit="count"):
    return NodeSpec(code, unit, formula=formula)


def tree(*specs):
    return {spec.code: spec for spec in specs}


def demo_tree(**overrides):
    """The demo plan's driver tree, with round numbers that make the answers easy to check."""
    values = {
        "budget": 1_000_000.0,
        "cpm": 50.0,
        "ctr": 0.02,
        "cvr": 0.03,
        "aov": 200.0,
        "new_user_share": 0.6,
        **overrides,
    }
    return tree(
        inp("budget", "money", values["budget"]),
        inp("cpm", "money", values["cpm"]),
        inp("ctr", "percent", values["ctr"]),
        inp("cvr", "percent", values["cvr"]),
        inp("aov", "money", values["aov"]),
        inp("new_user_share", "ratio", values["new_user_share"]),
        der("impressions", "budget / cpm * 1000"),
        der("visits", "impressions * ctr"),
        der("orders", "visits * cvr"),
        der("revenue", "orders * aov", "money"),
        der("new_users", "orders * new_user_share"),
        der("cac", "budget / new_users", "money"),
        der("roi", "revenue / budget", "ratio"),
    )


# --------------------------------------------------------------------------- purity


@pytest.mark.parametrize(
    ("module", "allowed"),
    [("kpis.formulas", set()), ("kpis.breakdown", {"lunar_python"})],
)
def test_pure_modules_import_only_the_standard_library(module, allowed):
    origin = importlib.util.find_spec(module).origin
    source = ast.parse(Path(origin).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(source):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    outside = imported - set(sys.stdlib_module_names) - allowed - {"__future__"}
    assert not outside


# --------------------------------------------------------------------------- parsing


def test_numbers_in_every_accepted_spelling():
    assert parse("12") == Number(12.0)
    assert parse("1.5") == Number(1.5)
    assert parse("1e3") == Number(1000.0)
    assert parse("2.5E-2") == Number(0.025)
    assert parse(".5") == Number(0.5)
    assert parse("7.") == Number(7.0)


def test_percent_literal_is_a_fraction():
    assert parse("3.5%") == Number(pytest.approx(0.035))
    assert evaluate(parse("200 * 3.5%"), {}) == pytest.approx(7.0)


def test_codes_become_references():
    assert parse("new_users") == Ref("new_users")
    assert parse("q4_visits2") == Ref("q4_visits2")


def test_multiplication_binds_tighter_than_addition():
    assert parse("a + b * c") == BinOp("+", Ref("a"), BinOp("*", Ref("b"), Ref("c")))


def test_operators_of_equal_precedence_group_from_the_left():
    assert parse("a - b - c") == BinOp("-", BinOp("-", Ref("a"), Ref("b")), Ref("c"))
    assert parse("a / b * c") == BinOp("*", BinOp("/", Ref("a"), Ref("b")), Ref("c"))


def test_unary_minus_binds_tighter_than_multiplication():
    assert parse("-a * b") == BinOp("*", Neg(Ref("a")), Ref("b"))
    assert parse("a * -b") == BinOp("*", Ref("a"), Neg(Ref("b")))
    assert parse("2 - -3") == BinOp("-", Number(2.0), Neg(Number(3.0)))
    assert parse("--a") == Neg(Neg(Ref("a")))


def test_parentheses_override_precedence():
    assert parse("(a + b) * c") == BinOp("*", BinOp("+", Ref("a"), Ref("b")), Ref("c"))


TIMES, MINUS = "\u00d7", "\u2212"  # escaped: ruff flags the characters as confusable


def test_typographic_operators_mean_the_ascii_ones():
    assert parse(f"a {TIMES} b {MINUS} c ÷ d") == parse("a * b - c / d")
    assert parse(f"{MINUS}a") == Neg(Ref("a"))


def test_whitespace_is_ignored():
    assert parse(" a\t*\n( b+c ) ") == parse("a*(b+c)")


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "empty formula", 0),
        ("   ", "empty formula", 0),
        ("a + b )", "unexpected ')' at 6", 6),
        ("orders *)", "unexpected ')' at 8", 8),
        ("a $ b", "unknown character '$' at 2", 2),
        ("a ^ 2", "unknown character '^' at 2", 2),
        ("a b", "unexpected 'b' at 2", 2),
        ("a +", "the formula ends too early at 3", 3),
        ("(a + b", "missing ')' for the '(' at 0", 0),
        ("()", "unexpected ')' at 1", 1),
        ("+a", "unexpected '+' at 0", 0),
        ("1..2", "unexpected '.2' at 2", 2),
        ("2 3", "unexpected '3' at 2", 2),
    ],
)
def test_syntax_errors_say_what_and_where(text, message, position):
    with pytest.raises(FormulaError) as caught:
        parse(text)
    assert caught.value.message == message
    assert str(caught.value) == message
    assert caught.value.position == position


def test_a_code_with_capitals_is_refused_with_the_code_rules():
    with pytest.raises(FormulaError, match="'Revenue' at 4 is not a KPI code") as caught:
        parse("1 + Revenue")
    assert caught.value.position == 4


def test_a_code_longer_than_40_characters_is_refused():
    assert parse("a" * 40) == Ref("a" * 40)
    with pytest.raises(FormulaError, match="longer than 40 characters"):
        parse("a" * 41)


def test_a_number_too_large_for_a_float_is_refused():
    with pytest.raises(FormulaError, match="too large") as caught:
        parse("x + 1e999")
    assert caught.value.position == 4


def test_absurdly_deep_formulas_are_refused_not_crashed():
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("(" * 500 + "a" + ")" * 500)
    with pytest.raises(FormulaError, match="too long"):
        parse(" + ".join(["a"] * 500))
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("-" * 500 + "a")


def test_formulas_are_never_executed_as_python():
    for text in ("__import__('os')", "a.b", "a[0]", "a; b", "lambda: 1", "a == b"):
        with pytest.raises(FormulaError):
            parse(text)


def test_references_lists_each_code_once():
    assert references(parse("a * b + a / (c - 1)")) == frozenset({"a", "b", "c"})
    assert references(parse("3 * 4")) == frozenset()


# --------------------------------------------------------------------------- text form


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("a+b*c", "a + b * c"),
        ("(a+b)*c", "(a + b) * c"),
        ("((a))", "a"),
        ("a-(b-c)", "a - (b - c)"),
        ("(a-b)-c", "a - b - c"),
        ("a+(b+c)", "a + (b + c)"),
        ("a/(b*c)", "a / (b * c)"),
        ("(a*b)/c", "a * b / c"),
        ("-(a+b)", "-(a + b)"),
        ("-(a*b)", "-(a * b)"),
        ("(-a)*b", "-a * b"),
        ("a\u00d7b", "a * b"),
        ("1000", "1000"),
        ("1e3", "1000"),
        ("3.5%", "0.035"),
        ("0.5", "0.5"),
        ("1e20", "1e+20"),
    ],
)
def test_to_text_is_canonical_with_minimal_parentheses(text, canonical):
    assert to_text(parse(text)) == canonical


def test_to_text_of_a_negative_number_reads_back_as_a_negation_of_the_same_value():
    expr = BinOp("*", Number(-3.0), Ref("a"))
    assert to_text(expr) == "-3 * a"
    assert evaluate(parse(to_text(expr)), {"a": 2.0}) == evaluate(expr, {"a": 2.0})


def test_to_text_refuses_a_number_that_cannot_be_written():
    with pytest.raises(FormulaError):
        to_text(Number(math.inf))


CODES = st.sampled_from(["a", "b", "cvr", "new_users", "x1"])
NUMBERS = st.floats(min_value=0, max_value=1e20, allow_nan=False, allow_infinity=False)
OPS = st.sampled_from("+-*/")


def _trees(leaves: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.builds(Neg, children), st.builds(BinOp, OPS, children, children)
        ),
        max_leaves=12,
    )


@FAST
@given(_trees(st.one_of(st.builds(Number, NUMBERS), st.builds(Ref, CODES))))
def test_parse_of_to_text_round_trips_any_tree(expr):
    assert parse(to_text(expr)) == expr


# A tree and an independent Python closure computing the same thing, built side by side.
Pair = tuple[Expr, Callable[[Mapping[str, float]], float]]
_PY_OPS: dict[str, Callable[[float, float], float]] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,  # raises ZeroDivisionError, which the test expects to match
}


def _leaf_pairs() -> st.SearchStrategy[Pair]:
    number = st.integers(0, 20).map(float)
    return st.one_of(
        number.map(lambda n: (Number(n), lambda _values, n=n: n)),
        CODES.map(lambda c: (Ref(c), lambda values, c=c: values[c])),
    )


def _combine(children: st.SearchStrategy[Pair]) -> st.SearchStrategy[Pair]:
    def neg(pair: Pair) -> Pair:
        expr, fn = pair
        return Neg(expr), lambda values: -fn(values)

    def binop(op: str, left: Pair, right: Pair) -> Pair:
        (le, lf), (re, rf), py = left, right, _PY_OPS[op]
        return BinOp(op, le, re), lambda values: py(lf(values), rf(values))

    return st.one_of(st.builds(neg, children), st.builds(binop, OPS, children, children))


VALUES = st.fixed_dictionaries({c: st.integers(-20, 20).map(float) for c in CODES.elements})


@FAST
@given(st.recursive(_leaf_pairs(), _combine, max_leaves=12), VALUES)
def test_evaluate_matches_an_independent_reference_and_is_deterministic(pair, values):
    expr, reference = pair
    try:
        expected = reference(values)
    except ZeroDivisionError:
        with pytest.raises(FormulaError, match="division by zero"):
            evaluate(expr, values)
        return
    assume(math.isfinite(expected))
    assert evaluate(expr, values) == expected
    assert evaluate(expr, values) == evaluate(expr, dict(values))
    assert evaluate(parse(to_text(expr)), values) == expected


# --------------------------------------------------------------------------- evaluation


def test_evaluate_follows_precedence():
    assert evaluate(parse("2 + 3 * 4"), {}) == 14
    assert evaluate(parse("(2 + 3) * 4"), {}) == 20
    assert evaluate(parse("8 / 4 / 2"), {}) == 1
    assert evaluate(parse("10 - 4 - 3"), {}) == 3
    assert evaluate(parse("-2 * -3"), {}) == 6


def test_division_by_zero_names_the_divisor():
    with pytest.raises(FormulaError, match=r"^division by zero: cac is 0$"):
        evaluate(parse("budget / cac"), {"budget": 10.0, "cac": 0.0})
    with pytest.raises(FormulaError, match=r"^division by zero: a - b is 0$"):
        evaluate(parse("1 / (a - b)"), {"a": 2.0, "b": 2.0})


def test_a_missing_code_is_a_formula_error():
    with pytest.raises(FormulaError, match="no value for KPI code 'ctr'"):
        evaluate(parse("impressions * ctr"), {"impressions": 10.0})


def test_an_overflowing_result_is_an_error_not_infinity():
    with pytest.raises(FormulaError, match="too large"):
        evaluate(parse("a * a"), {"a": 1e200})


# --------------------------------------------------------------------------- units

UNITS = {
    "orders": "count",
    "new_users": "count",
    "impressions": "count",
    "aov": "money",
    "spend": "money",
    "revenue": "money",
    "budget": "money",
    "cac": "money",
    "ctr": "percent",
    "cvr": "percent",
    "roi": "ratio",
}


@pytest.mark.parametrize(
    ("formula", "declared"),
    [
        ("orders * aov", "money"),
        ("spend / new_users", "money"),
        ("revenue - spend", "money"),
        ("orders * aov + spend", "money"),
        ("aov * 2 + spend", "money"),
        ("budget * 10%", "money"),
        ("1000", "money"),
        ("revenue / spend", "ratio"),
        ("revenue / spend", "percent"),
        ("impressions * ctr", "count"),
        ("budget / cac", "count"),
        ("ctr + roi", "percent"),
        ("ctr * cvr", "percent"),
        ("1 - ctr", "percent"),
        ("orders * 0.5 + impressions", "count"),
        ("revenue / spend + ctr", "ratio"),
        ("-orders + new_users", "count"),
        ("2 / aov * spend", "ratio"),
    ],
)
def test_formulas_that_follow_the_unit_rules_pass(formula, declared):
    check_units(parse(formula), UNITS, declared, code="k")


@pytest.mark.parametrize(
    ("formula", "declared", "message"),
    [
        (
            "new_users + spend",
            "count",
            "cannot add count and money in the formula of k: new_users + spend",
        ),
        (
            "revenue - new_users",
            "money",
            "cannot subtract count from money in the formula of k: revenue - new_users",
        ),
        (
            "orders + ctr",
            "count",
            "cannot add count and percent in the formula of k: orders + ctr",
        ),
        (
            "orders * aov + orders",
            "money",
            "cannot add money and count in the formula of k: orders * aov + orders",
        ),
        (
            "orders * cvr",
            "money",
            "k is a money KPI, but its formula orders * cvr gives a value without money, not money",
        ),
        (
            "orders * aov * aov",
            "money",
            "k is a money KPI, but its formula orders * aov * aov gives money to the power 2, "
            "not money",
        ),
        (
            "revenue",
            "count",
            "k is a count KPI, so its formula must not give money, but revenue gives money",
        ),
        (
            "revenue - spend",
            "ratio",
            "k is a ratio KPI, so its formula must not give money, but revenue - spend gives money",
        ),
        (
            "1 / aov",
            "count",
            "k is a count KPI, so its formula must not give money, but 1 / aov gives money "
            "to the power -1",
        ),
    ],
)
def test_unit_errors_name_the_kpi_and_the_offending_part(formula, declared, message):
    with pytest.raises(UnitError) as caught:
        check_units(parse(formula), UNITS, declared, code="k")
    assert caught.value.message == message
    assert caught.value.code == "k"


def test_the_offending_part_is_the_smallest_mixed_sum_not_the_whole_formula():
    with pytest.raises(UnitError, match=r"in the formula of k: new_users \+ spend$"):
        check_units(parse("(new_users + spend) * 2"), UNITS, "money", code="k")


def test_unit_errors_without_a_code_still_read_well():
    with pytest.raises(UnitError, match=r"^cannot add count and money in the formula: "):
        check_units(parse("orders + spend"), UNITS, "count")


def test_a_unit_check_over_an_unknown_code_is_a_formula_error():
    with pytest.raises(FormulaError, match="unknown KPI code 'ctr2'"):
        check_units(parse("ctr2 * 2"), UNITS, "percent", code="k")


def test_unit_rules_are_plain_sentences_for_users():
    assert len(UNIT_RULES) == 5
    assert all(rule.endswith(".") and "\n" not in rule for rule in UNIT_RULES)


def test_the_demo_tree_follows_the_unit_rules():
    check_tree_units(demo_tree())


def test_check_tree_units_names_the_offending_kpi():
    specs = tree(inp("orders"), inp("spend", "money"), der("mix", "orders + spend"))
    with pytest.raises(UnitError) as caught:
        check_tree_units(specs)
    assert caught.value.code == "mix"


# --------------------------------------------------------------------------- trees


def test_evaluation_order_puts_every_code_after_what_it_uses():
    specs = demo_tree()
    order = evaluation_order(specs)
    assert sorted(order) == sorted(specs)
    position = {code: i for i, code in enumerate(order)}
    for code, spec in specs.items():
        if spec.formula:
            assert all(position[ref] < position[code] for ref in references(parse(spec.formula)))


def test_evaluation_order_is_deterministic():
    specs = demo_tree()
    assert evaluation_order(specs) == evaluation_order(dict(specs))


def test_cycle_error_names_the_cycle_in_order():
    specs = tree(der("a", "b + 1"), der("b", "c * 2"), der("c", "a - 1"), inp("d", value=1))
    with pytest.raises(CycleError) as caught:
        evaluation_order(specs)
    assert caught.value.cycle == ["a", "b", "c", "a"]
    assert caught.value.message == "these KPIs depend on each other in a circle: a → b → c → a"


def test_cycle_error_starts_at_the_first_code_whatever_the_order_of_the_specs():
    specs = tree(der("c", "a - 1"), der("b", "c * 2"), der("a", "b + 1"))
    with pytest.raises(CycleError) as caught:
        evaluation_order(specs)
    assert caught.value.cycle == ["a", "b", "c", "a"]


def test_a_cycle_below_a_healthy_kpi_is_named_without_the_healthy_part():
    specs = tree(der("top", "x + 1"), der("x", "y * 2"), der("y", "x / 2"))
    with pytest.raises(CycleError, match=r"x → y → x$") as caught:
        evaluation_order(specs)
    assert caught.value.cycle == ["x", "y", "x"]


def test_a_self_reference_is_a_cycle_of_one():
    with pytest.raises(CycleError) as caught:
        evaluation_order(tree(der("visits", "visits * 2")))
    assert caught.value.cycle == ["visits", "visits"]
    assert caught.value.message == "the formula of visits uses visits itself"
    assert isinstance(caught.value, FormulaError)


def test_an_unknown_code_names_the_formula_it_is_in():
    specs = tree(inp("impressions", value=1), der("visits", "impressions * ctr2"))
    with pytest.raises(FormulaError) as caught:
        evaluation_order(specs)
    assert caught.value.message == "unknown KPI code 'ctr2' in the formula of visits"
    assert caught.value.code == "visits"


def test_a_syntax_error_in_a_tree_names_the_kpi_and_keeps_the_position():
    with pytest.raises(FormulaError) as caught:
        evaluation_order(tree(inp("a"), der("visits", "a * )")))
    assert caught.value.message == "in the formula of visits: unexpected ')' at 4"
    assert caught.value.position == 4
    assert caught.value.code == "visits"


def test_a_spec_filed_under_another_code_is_refused():
    with pytest.raises(FormulaError, match="filed under 'a' has the code 'b'"):
        evaluation_order({"a": inp("b")})


def test_evaluate_tree_computes_the_demo_plan():
    values = evaluate_tree(demo_tree())
    assert values["impressions"] == pytest.approx(20_000_000)
    assert values["visits"] == pytest.approx(400_000)
    assert values["orders"] == pytest.approx(12_000)
    assert values["revenue"] == pytest.approx(2_400_000)
    assert values["new_users"] == pytest.approx(7_200)
    assert values["cac"] == pytest.approx(1_000_000 / 7_200)
    assert values["roi"] == pytest.approx(2.4)
    assert list(values) == list(demo_tree())


def test_an_input_without_a_value_blanks_only_its_dependants():
    values = evaluate_tree(demo_tree(cvr=None))
    assert values["cvr"] is None
    assert values["orders"] is None
    assert values["revenue"] is None
    assert values["cac"] is None
    assert values["visits"] == pytest.approx(400_000)


def test_division_by_zero_in_a_tree_raises_naming_the_kpi():
    with pytest.raises(FormulaError) as caught:
        evaluate_tree(demo_tree(ctr=0.0))
    assert caught.value.code == "cac"
    assert caught.value.message == "cannot compute cac: division by zero: new_users is 0"


def test_a_derived_kpis_own_value_is_ignored():
    specs = tree(inp("a", value=2), NodeSpec("b", "count", formula="a * 3", value=99.0))
    assert evaluate_tree(specs) == {"a": 2.0, "b": 6.0}


def test_a_constant_formula_needs_no_inputs():
    assert evaluate_tree(tree(der("days", "365"))) == {"days": 365.0}


def test_dependants_are_transitive_and_exclude_the_code_itself():
    specs = demo_tree()
    assert dependants(specs, "cvr") == {"orders", "revenue", "new_users", "cac", "roi"}
    assert dependants(specs, "budget") == {
        "impressions",
        "visits",
        "orders",
        "revenue",
        "new_users",
        "cac",
        "roi",
    }
    assert dependants(specs, "aov") == {"revenue", "roi"}
    assert dependants(specs, "roi") == set()


def test_dependants_of_an_unknown_code_is_an_error():
    with pytest.raises(FormulaError, match="unknown KPI code 'nope'"):
        dependants(demo_tree(), "nope")


# --------------------------------------------------------------------------- goal seek


def test_goal_seek_budget_for_two_million_new_users_is_exact_and_linear():
    result = goal_seek(demo_tree(), target="new_users", goal=2_000_000, solve_for="budget")
    assert result.method == "linear"
    # new_users = budget / 50 * 1000 * 0.02 * 0.03 * 0.6 = budget * 0.0072
    assert result.value == pytest.approx(2_000_000 / 0.0072, rel=1e-12)
    assert result.values["new_users"] == pytest.approx(2_000_000, rel=1e-12)
    assert result.values["budget"] == result.value
    assert result.values == evaluate_tree(
        {**demo_tree(), "budget": inp("budget", "money", result.value)}
    )


def test_goal_seek_cvr_for_a_revenue_is_linear():
    result = goal_seek(demo_tree(), target="revenue", goal=5_000_000, solve_for="cvr")
    assert result.method == "linear"
    assert result.value == pytest.approx(0.0625, rel=1e-12)
    assert result.values["revenue"] == pytest.approx(5_000_000, rel=1e-12)


def test_goal_seek_through_a_quotient_finds_a_reciprocal_answer():
    # cac = budget / (0.012 * budget * share) = 1 / (0.012 * share): not linear in share.
    result = goal_seek(demo_tree(), target="cac", goal=50, solve_for="new_user_share")
    assert result.method == "bracketing"
    assert result.values["cac"] == pytest.approx(50, rel=1e-9)
    assert result.value == pytest.approx(1 / (0.012 * 50), rel=1e-8)


def test_goal_seek_for_a_kpi_constant_in_the_input_says_where_it_stays():
    with pytest.raises(NoSolution) as caught:
        goal_seek(demo_tree(), target="roi", goal=5, solve_for="budget")
    assert caught.value.message == "roi cannot reach 5 by changing budget: it stays at 2.4"


def test_goal_seek_returns_the_current_value_when_a_constant_already_meets_the_goal():
    result = goal_seek(demo_tree(), target="roi", goal=2.4, solve_for="budget")
    assert result.value == 1_000_000
    assert result.method == "linear"


def test_goal_seek_beyond_a_bounded_formula_says_what_range_it_covers():
    specs = tree(inp("x", value=10), inp("k", value=100), der("share", "x / (x + k)", "ratio"))
    with pytest.raises(NoSolution) as caught:
        goal_seek(specs, target="share", goal=2, solve_for="x")
    assert caught.value.message == (
        "share cannot reach 2 by changing x: over the range tried it goes from 0 to 1"
    )


def test_goal_seek_solves_a_diminishing_returns_formula_by_bracketing():
    specs = tree(
        inp("spend", "money", 10.0),
        inp("k", "money", 100.0),
        inp("reach_max", value=1_000_000),
        der("reach", "reach_max * spend / (spend + k)"),
    )
    result = goal_seek(specs, target="reach", goal=500_000, solve_for="spend")
    assert result.method == "bracketing"
    assert result.value == pytest.approx(100, rel=1e-6)
    assert result.values["reach"] == pytest.approx(500_000, rel=1e-9)


def test_goal_seek_refuses_to_solve_for_a_derived_kpi():
    with pytest.raises(NoSolution, match="orders is computed from a formula"):
        goal_seek(demo_tree(), target="revenue", goal=1, solve_for="orders")


def test_goal_seek_refuses_an_unknown_target():
    with pytest.raises(NoSolution, match="unknown KPI code 'profit'"):
        goal_seek(demo_tree(), target="profit", goal=1, solve_for="budget")


def test_goal_seek_refuses_a_target_that_does_not_depend_on_the_input():
    with pytest.raises(NoSolution) as caught:
        goal_seek(demo_tree(), target="visits", goal=1, solve_for="aov")
    assert caught.value.message == (
        "visits does not depend on aov, so changing aov cannot change it"
    )


def test_goal_seek_refuses_while_other_inputs_have_no_value():
    with pytest.raises(NoSolution) as caught:
        goal_seek(demo_tree(ctr=None, aov=None), target="revenue", goal=1, solve_for="budget")
    assert caught.value.message == (
        "revenue cannot be computed until these inputs have a value: aov, ctr"
    )


def test_goal_seek_starts_from_one_when_the_input_has_no_value_yet():
    result = goal_seek(demo_tree(budget=None), target="new_users", goal=720, solve_for="budget")
    assert result.method == "linear"
    assert result.value == pytest.approx(100_000)


def test_goal_seek_starts_from_one_when_the_input_is_zero():
    result = goal_seek(demo_tree(cvr=0.0), target="orders", goal=800, solve_for="cvr")
    assert result.value == pytest.approx(0.002)


def test_goal_seek_refuses_a_linear_answer_below_the_lower_bound():
    specs = tree(inp("budget", "money", 100), inp("fixed", "money", 500))
    specs["profit"] = der("profit", "budget * 2 - fixed", "money")
    with pytest.raises(NoSolution) as caught:
        goal_seek(specs, target="profit", goal=-600, solve_for="budget")
    assert caught.value.message == (
        "profit cannot reach -600 by changing budget: it would need budget = -50, "
        "below the lowest allowed value 0"
    )


def test_goal_seek_refuses_a_linear_answer_above_an_explicit_upper_bound():
    with pytest.raises(NoSolution, match="above the highest allowed value 1,000,000"):
        goal_seek(demo_tree(), target="new_users", goal=2_000_000, solve_for="budget", upper=1e6)


def test_goal_seek_is_unbounded_below_for_an_input_that_is_negative_now():
    specs = tree(inp("delta", value=-10), der("total", "delta * 3 + 100"))
    result = goal_seek(specs, target="total", goal=-200, solve_for="delta")
    assert result.value == pytest.approx(-100)


def test_goal_seek_respects_explicit_bounds_for_a_non_linear_formula():
    # x * x reaches 4 at -2 and at 2; the bounds choose which.
    specs = tree(inp("x", value=1), der("y", "x * x"))
    assert goal_seek(specs, target="y", goal=4, solve_for="x").value == pytest.approx(2)
    negative = goal_seek(specs, target="y", goal=4, solve_for="x", lower=-10, upper=0)
    assert negative.value == pytest.approx(-2)
    with pytest.raises(NoSolution, match=r"from 0 to 1$"):
        goal_seek(specs, target="y", goal=4, solve_for="x", lower=0, upper=1)


def test_goal_seek_skips_probes_where_the_tree_divides_by_zero():
    specs = tree(inp("x", value=3), der("y", "1 / (x - 3) + x"))
    result = goal_seek(specs, target="y", goal=10, solve_for="x")
    assert result.values["y"] == pytest.approx(10, rel=1e-9)


def test_goal_seek_on_the_input_itself_returns_the_goal():
    result = goal_seek(demo_tree(), target="budget", goal=42, solve_for="budget")
    assert result.value == pytest.approx(42)


def test_goal_seek_messages_format_numbers_readably():
    specs = tree(inp("x", value=10), inp("k", value=100), der("y", "x / (x + k) * 1000"))
    with pytest.raises(NoSolution, match=r"y cannot reach 2,000,000 by changing x: .* to 1,000$"):
        goal_seek(specs, target="y", goal=2_000_000, solve_for="x")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (2_000_000, "2,000,000"),
        (-600, "-600"),
        (1234.5678, "1,234.57"),
        (0.035, "0.035"),
        (2.4, "2.4"),
        (138.88888, "138.889"),
        (1e30, "1e+30"),
        (1e-7, "1e-07"),
        (math.inf, "infinity"),
    ],
)
def test_format_number_reads_like_a_person_wrote_it(value, text):
    assert format_number(value) == text


POSITIVE = st.floats(min_value=0.001, max_value=1.0)


@FAST
@given(
    budget=st.floats(min_value=1, max_value=1e7),
    cpm=st.floats(min_value=1, max_value=500),
    ctr=POSITIVE,
    cvr=POSITIVE,
    share=POSITIVE,
    goal=st.floats(min_value=1, max_value=1e8),
    solve_for=st.sampled_from(["budget", "ctr", "cvr", "new_user_share"]),
)
def test_goal_seek_hits_the_goal_on_random_linear_chains(
    budget, cpm, ctr, cvr, share, goal, solve_for
):
    specs = demo_tree(budget=budget, cpm=cpm, ctr=ctr, cvr=cvr, new_user_share=share)
    result = goal_seek(specs, target="new_users", goal=goal, solve_for=solve_for)
    assert result.method == "linear"
    plugged = evaluate_tree({**specs, solve_for: NodeSpec(solve_for, "count", value=result.value)})
    assert abs(plugged["new_users"] - goal) <= 1e-9 * goal
    assert plugged == result.values


@FAST
@given(
    start=st.floats(min_value=0.1, max_value=1e5),
    k=st.floats(min_value=1, max_value=1e4),
    ceiling=st.floats(min_value=1, max_value=1e6),
    fraction=st.floats(min_value=0.01, max_value=0.99),
)
def test_goal_seek_hits_the_goal_on_a_monotone_non_linear_formula(start, k, ceiling, fraction):
    specs = tree(
        inp("spend", "money", start),
        inp("k", "money", k),
        inp("ceiling", value=ceiling),
        der("reach", "ceiling * spend / (spend + k)"),
    )
    goal = ceiling * fraction
    result = goal_seek(specs, target="reach", goal=goal, solve_for="spend")
    plugged = evaluate_tree({**specs, "spend": inp("spend", "money", result.value)})
    assert abs(plugged["reach"] - goal) <= 1e-9 * max(goal, 1)
    assert result.value >= 0


@FAST
@given(
    cpm=st.floats(min_value=1, max_value=500),
    ctr=POSITIVE,
    goal=st.floats(min_value=1, max_value=1e8),
)
def test_goal_seek_hits_the_goal_through_a_decreasing_reciprocal(cpm, ctr, goal):
    # new_users falls as 1/cpm: not linear in cpm, so the bracketing search must find it.
    specs = demo_tree(cpm=cpm, ctr=ctr)
    result = goal_seek(specs, target="new_users", goal=goal, solve_for="cpm")
    assert result.method == "bracketing"
    plugged = evaluate_tree({**specs, "cpm": inp("cpm", "money", result.value)})
    assert abs(plugged["new_users"] - goal) <= 1e-9 * goal


def test_goal_seek_probes_only_what_the_target_needs():
    # broken divides by zero at x = 2, one of the linear probes (1, 2, 4); y never needs it,
    # so the linear detection still succeeds.
    specs = tree(inp("x", value=1), der("y", "x * 3 + 1"), der("broken", "1 / (x - 2)"))
    result = goal_seek(specs, target="y", goal=10, solve_for="x")
    assert result.method == "linear"
    assert result.value == pytest.approx(3)
    assert result.values["broken"] == pytest.approx(1)


def test_goal_seek_reports_a_kpi_that_breaks_at_the_answer():
    with pytest.raises(FormulaError) as caught:
        goal_seek(demo_tree(), target="revenue", goal=0, solve_for="cvr")
    assert caught.value.code == "cac"
    assert not isinstance(caught.value, NoSolution)


# --------------------------------------------------------------------------- messages


def _marked(module: str) -> set[str]:
    """Every literal a module wraps in gettext_noop(...): what makemessages extracts."""
    origin = importlib.util.find_spec(module).origin
    return {
        node.args[0].value
        for node in ast.walk(ast.parse(Path(origin).read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "gettext_noop"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
    }


MARKED = _marked("kpis.formulas")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def assert_translatable(text, marked=MARKED):
    """A template that is in the catalogue, with exactly its params, giving the English text.

    Checked again for every parameter that is itself translatable (a Text, an inner message).
    """
    template, params = text.template, text.params
    assert template in marked, f"not marked with gettext_noop: {template!r}"
    assert "%" not in PLACEHOLDER.sub("", template), "only %(name)s placeholders"
    assert set(PLACEHOLDER.findall(template)) == set(params)
    english = text.message if isinstance(text, Exception) else str(text)
    assert (template % params if params else template) == english
    for value in params.values():
        if isinstance(value, Text):
            assert_translatable(value, marked)


SPECS_WITH_MONEY = tree(inp("orders"), inp("spend", "money"), der("mix", "orders + spend"))

USER_FACING_ERRORS = {
    "empty": lambda: parse(""),
    "unexpected token": lambda: parse("a + b )"),
    "unexpected dot": lambda: parse("a + ."),
    "unknown character": lambda: parse("a $ b"),
    "ends too early": lambda: parse("a +"),
    "missing parenthesis": lambda: parse("(a + b"),
    "not a code": lambda: parse("1 + Revenue"),
    "code too long": lambda: parse("a" * 41),
    "number too large": lambda: parse("x + 1e999"),
    "nested too deeply": lambda: parse("(" * 500 + "a" + ")" * 500),
    "too long": lambda: parse(" + ".join(["a"] * 500)),
    "no value": lambda: evaluate(parse("impressions * ctr"), {"impressions": 10.0}),
    "division by zero": lambda: evaluate(parse("budget / cac"), {"budget": 1.0, "cac": 0.0}),
    "too large": lambda: evaluate(parse("a * a"), {"a": 1e200}),
    "cannot be written": lambda: to_text(Number(math.inf)),
    "cannot add": lambda: check_units(parse("new_users + spend"), UNITS, "count", code="k"),
    "cannot add, no code": lambda: check_units(parse("orders + spend"), UNITS, "count"),
    "cannot add a percent": lambda: check_units(parse("orders + ctr"), UNITS, "count", code="k"),
    "cannot subtract": lambda: check_units(parse("revenue - orders"), UNITS, "money", code="k"),
    "cannot subtract, no code": lambda: check_units(parse("revenue - orders"), UNITS, "money"),
    "not money": lambda: check_units(parse("orders * cvr"), UNITS, "money", code="k"),
    "not money, no code": lambda: check_units(parse("orders * cvr"), UNITS, "money"),
    "money power": lambda: check_units(parse("orders * aov * aov"), UNITS, "money", code="k"),
    "gives money": lambda: check_units(parse("revenue"), UNITS, "count", code="k"),
    "gives money, no code": lambda: check_units(parse("1 / aov"), UNITS, "ratio"),
    "unknown code in units": lambda: check_units(parse("ctr2 * 2"), UNITS, "percent", code="k"),
    "unknown code in units, no code": lambda: check_units(parse("ctr2"), UNITS, "percent"),
    "unit in a tree": lambda: check_tree_units(SPECS_WITH_MONEY),
    "unknown unit": lambda: check_units(parse("a"), {"a": "count"}, "days", code="k"),
    "unknown unit in a tree": lambda: evaluation_order({"a": NodeSpec("a", "days")}),
    "cycle": lambda: evaluation_order(tree(der("a", "b + 1"), der("b", "a - 1"))),
    "self reference": lambda: evaluation_order(tree(der("visits", "visits * 2"))),
    "unknown code in a tree": lambda: evaluation_order(
        tree(inp("impressions"), der("visits", "impressions * ctr2"))
    ),
    "syntax error in a tree": lambda: evaluation_order(tree(inp("a"), der("v", "a * )"))),
    "bad key": lambda: evaluation_order({"Bad": inp("Bad")}),
    "filed under another code": lambda: evaluation_order({"a": inp("b")}),
    "not finite": lambda: evaluate_tree(tree(inp("a", value=math.inf))),
    "division by zero in a tree": lambda: evaluate_tree(demo_tree(ctr=0.0)),
    "unknown code for dependants": lambda: dependants(demo_tree(), "nope"),
    "seek unknown target": lambda: goal_seek(
        demo_tree(), target="profit", goal=1, solve_for="budget"
    ),
    "seek a derived kpi": lambda: goal_seek(
        demo_tree(), target="revenue", goal=1, solve_for="orders"
    ),
    "seek independent": lambda: goal_seek(demo_tree(), target="visits", goal=1, solve_for="aov"),
    "seek infinite goal": lambda: goal_seek(
        demo_tree(), target="revenue", goal=math.inf, solve_for="budget"
    ),
    "seek missing inputs": lambda: goal_seek(
        demo_tree(ctr=None, aov=None), target="revenue", goal=1, solve_for="budget"
    ),
    "seek stays": lambda: goal_seek(demo_tree(), target="roi", goal=5, solve_for="budget"),
    "seek range": lambda: goal_seek(
        tree(inp("x", value=10), inp("k", value=100), der("s", "x / (x + k)", "ratio")),
        target="s",
        goal=2,
        solve_for="x",
    ),
    "seek below the lowest": lambda: goal_seek(
        tree(inp("b", "money", 100), inp("f", "money", 500), der("p", "b * 2 - f", "money")),
        target="p",
        goal=-600,
        solve_for="b",
    ),
    "seek above the highest": lambda: goal_seek(
        demo_tree(), target="new_users", goal=2_000_000, solve_for="budget", upper=1e6
    ),
    "seek nothing computable": lambda: goal_seek(
        tree(inp("x", value=1), der("y", "1 / (x - x)")), target="y", goal=1, solve_for="x"
    ),
}


@pytest.mark.parametrize("case", USER_FACING_ERRORS)
def test_every_user_facing_error_carries_a_marked_template_and_its_params(case):
    with pytest.raises(FormulaError) as caught:
        USER_FACING_ERRORS[case]()
    error = caught.value
    assert_translatable(error)
    assert str(error) == error.message


def test_unit_words_and_labels_are_translatable_params_but_codes_and_formulas_are_not():
    with pytest.raises(UnitError) as caught:
        check_units(parse("orders * aov * aov"), UNITS, "money", code="k")
    params = caught.value.params
    assert params["code"] == "k"
    assert not isinstance(params["code"], Text)
    assert not isinstance(params["formula"], Text)
    assert isinstance(params["result"], Text)
    assert params["result"].template == "money to the power %(power)s"
    assert params["result"].params == {"power": 2}
    with pytest.raises(UnitError) as caught:
        check_units(parse("new_users + spend"), UNITS, "count", code="k")
    assert caught.value.params["left"] is UNIT_WORDS["count"]
    assert caught.value.params["right"] is UNIT_WORDS["money"]


def test_an_inner_error_is_passed_as_translatable_text_and_keeps_its_position():
    with pytest.raises(FormulaError) as caught:
        evaluation_order(tree(inp("a"), der("visits", "a * )")))
    assert caught.value.template == "in the formula of %(code)s: %(problem)s"
    problem = caught.value.params["problem"]
    assert isinstance(problem, Text)
    assert problem.template == "unexpected '%(token)s' at %(position)s"
    assert problem.params == {"token": ")", "position": 4}
    assert caught.value.position == 4


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_format_number_words_for_what_is_not_a_number_are_translatable(value):
    word = format_number(value)
    assert isinstance(word, Text)
    assert_translatable(word)


def test_numbers_in_messages_are_passed_already_formatted():
    with pytest.raises(NoSolution) as caught:
        goal_seek(demo_tree(), target="new_users", goal=2_000_000, solve_for="budget", upper=1e6)
    assert caught.value.params["goal"] == "2,000,000"
    assert caught.value.params["bound"] == "1,000,000"


def test_a_formula_error_with_plain_text_keeps_the_text_as_it_is():
    error = FormulaError("100% is not a template", code="k", position=3)
    assert error.message == error.template == "100% is not a template"
    assert error.params == {}
    assert (error.code, error.position) == ("k", 3)


def test_no_error_message_is_built_with_an_f_string_or_an_unmarked_literal():
    source = ast.parse(Path(importlib.util.find_spec("kpis.formulas").origin).read_text("utf-8"))
    constructors = {"FormulaError", "UnitError", "NoSolution", "Text"}
    for node in ast.walk(source):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in constructors:
            first = node.args[0]
            assert not isinstance(first, ast.JoinedStr | ast.Constant), ast.unparse(node)


def test_the_unit_rules_and_words_are_marked_for_translation():
    assert set(UNIT_RULES) <= MARKED
    assert {word.template for word in UNIT_WORDS.values()} <= MARKED
    assert set(UNIT_WORDS) == {"count", "money", "percent", "ratio"}
    assert set(breakdown.RULE_TEXT.values()) <= _marked("kpis.breakdown")


# ---------------------------------------------- at the Django boundary (kpis/messages.py)


@pytest.mark.parametrize("case", ["cannot add", "syntax error in a tree", "seek below the lowest"])
def test_translate_in_english_is_the_message(case):
    with pytest.raises(FormulaError) as caught:
        USER_FACING_ERRORS[case]()
    with translation.override("en"):
        assert messages.translate(caught.value) == caught.value.message


def test_translate_a_breakdown_refusal_in_english_is_the_message():
    with pytest.raises(breakdown.BreakdownError) as caught:
        breakdown.rebalance(
            Decimal(12), [Decimal(1)] * 12, [Decimal(1)] * 12, "sum", locked=range(12), places=0
        )
    with translation.override("en"):
        assert messages.translate(caught.value) == "all months are locked"


def test_translate_falls_back_to_the_text_of_an_error_without_a_template():
    assert messages.translate(ValueError("plain")) == "plain"


def test_translate_translates_the_template_and_text_params_but_not_codes(monkeypatch):
    catalogue = {
        "cannot add %(left)s and %(right)s in the formula of %(code)s: %(part)s": (
            "%(code)s 的公式中不能把%(left)s和%(right)s相加：%(part)s"
        ),
        "count": "数量",
        "money": "金额",
        "new_users": "新用户",  # a code: must never be looked up
    }
    monkeypatch.setattr(messages, "gettext", lambda text: catalogue.get(text, text))
    with pytest.raises(UnitError) as caught:
        check_units(parse("new_users + spend"), UNITS, "count", code="new_users")
    assert messages.translate(caught.value) == (
        "new_users 的公式中不能把数量和金额相加：new_users + spend"
    )


def test_translate_translates_inner_messages_and_phrases(monkeypatch):
    catalogue = {
        "cannot compute %(code)s: %(problem)s": "无法计算 %(code)s：%(problem)s",
        "division by zero: %(divisor)s is 0": "除数为零：%(divisor)s 为 0",
        "money to the power %(power)s": "金额的 %(power)s 次方",
    }
    monkeypatch.setattr(messages, "gettext", lambda text: catalogue.get(text, text))
    with pytest.raises(FormulaError) as caught:
        evaluate_tree(demo_tree(ctr=0.0))
    assert messages.translate(caught.value) == "无法计算 cac：除数为零：new_users 为 0"
    assert messages.translate(Text("money to the power %(power)s", power=2)) == "金额的 2 次方"


def test_translate_shows_english_when_a_translation_does_not_fit_its_params(monkeypatch):
    monkeypatch.setattr(messages, "gettext", lambda text: "%(missing)s" if "%" in text else text)
    with pytest.raises(FormulaError) as caught:
        parse("a $ b")
    assert messages.translate(caught.value) == "unknown character '$' at 2"


def test_translate_uses_the_catalogue_of_the_active_language():
    with translation.override("zh-hans"):
        translated = translation.gettext("Count")
    if translated == "Count":
        pytest.skip("the zh_Hans catalogue has no translation of 'Count'")
    error = FormulaError("%(unit)s of %(what)s", unit=Text("Count"), what="Count")
    with translation.override("zh-hans"):
        assert messages.translate(error) == f"{translated} of Count"


def test_rule_text_and_unit_rules_in_english_are_the_sentences():
    with translation.override("en"):
        assert messages.rule_text("sum") == breakdown.RULE_TEXT["sum"]
        assert messages.rule_text("weighted") == breakdown.RULE_TEXT["weighted"]
        assert messages.unit_rules() == list(UNIT_RULES)
