"""Both languages: the Chinese catalogue is complete, compiled and used."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_chinese_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_compiled_catalogue_matches_the_po_file():
    po = {
        (e.msgctxt, e.msgid): e for e in polib.pofile(str(LOCALE / "django.po")) if not e.obsolete
    }
    mo = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(LOCALE / "django.mo"))}
    missing = sorted(str(key) for key in po.keys() - mo.keys() if key[1])
    assert not missing, f"run `make messages`: the .mo lacks {missing[:10]}"
    changed = [
        k
        for k, e in po.items()
        if k in mo
        and (e.msgstr or e.msgstr_plural.get(0)) != (mo[k].msgstr or mo[k].msgstr_plural.get(0))
    ]
    assert not changed, f"run `make messages`: the .mo is older than the .po for {changed[:10]}"


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)s|\{\{ ?\w+ ?\}\}")
    for entry in polib.pofile(str(LOCALE / "django.po")):
        translated = entry.msgstr or entry.msgstr_plural.get(0, "")
        assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(translated)), (
            entry.msgid
        )


@pytest.mark.parametrize(("text", "chinese"), [("Annual goals", "年度目标设定"), ("Draft", "草稿")])
def test_section_names_come_out_in_chinese(text, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(text) == chinese


def test_plan_overview_renders_in_chinese(world, client_for):
    client = client_for("editor", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    content = client.get(f"/plans/{world.plan.pk}/").content.decode()
    assert 'lang="zh-Hans"' in content
    for phrase in ("年度目标设定", "提交审核", "渠道构成", "人民币"):
        assert phrase in content, phrase
    # dates in the Chinese format
    assert "年" in content.split("人民币")[1]


def test_language_switch_remembers_the_choice(world, client_for):
    client = client_for("viewer")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-Hans"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    "module", ["kpis/formulas.py", "kpis/breakdown.py", "content/festivals.py"]
)
def test_every_text_of_the_pure_modules_is_in_the_catalogue(module):
    """Their gettext_noop texts are shown to users: a makemessages run that dropped
    them (a plain run extracts gettext_noop, so it never should) would leave them
    in English in the Chinese UI."""
    import ast

    tree = ast.parse((ROOT / module).read_text())
    marked = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "gettext_noop"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    translated = {e.msgid for e in polib.pofile(str(LOCALE / "django.po")) if e.translated()}
    missing = sorted(marked - translated)
    assert marked and not missing, f"run `make messages` and translate: {missing[:10]}"
