"""The layering rules hold: pure modules are covered by the import contract."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE_MODULES = [
    "monitoring.analytics",
    "kpis.formulas",
    "kpis.breakdown",
    "content.festivals",
    "budget.allocation",
    "planner.timeline",
    "planner.progress",
    "planner.quarters",
    "budget.collaboration",
    "budget.supplier_rules",
    "budget.reallocation",
    "planner.svg_charts",
    "planner.chat_formats",
    "planner.plan_diff",
    "planner.notify.periods",
]


def _exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_every_pure_module_is_under_the_import_contract():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["name"].startswith("Pure computation")
    )
    missing = [m for m in PURE_MODULES if _exists(m) and m not in contract["source_modules"]]
    assert not missing, f"add {missing} to the pure-computation contract in pyproject.toml"


def test_every_app_has_the_standard_modules_it_needs():
    for app in ("core", "planner", "kpis", "channels", "content", "monitoring", "budget"):
        assert (ROOT / app / "apps.py").exists()
        assert (ROOT / app / "migrations" / "__init__.py").exists()
