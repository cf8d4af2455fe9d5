"""web/cli_french.py's catalogue is keyed by click's own English texts: a click upgrade that
rewords one would leave that message English without a sound; this says which."""

from __future__ import annotations

import ast
from pathlib import Path

import click

from web.cli_french import CLICK_MODULES, MESSAGES, PLURALS


def _click_texts() -> tuple[set[str], set[tuple[str, str]]]:
    folder = Path(click.__file__).parent
    singles, plurals = set(), set()
    for name in CLICK_MODULES:
        tree = ast.parse((folder / f"{name.split('.')[1]}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)
                     and isinstance(a.value, str)]
            if node.func.id == "_" and texts:
                singles.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) == 2:
                plurals.add((texts[0], texts[1]))
    # "required" reaches `_` through a variable (core.py: extra["required"] = "required")
    return singles | {"required"}, plurals


def test_every_translated_text_is_one_of_clicks():
    singles, plurals = _click_texts()
    assert sorted(set(MESSAGES) - singles) == []
    assert sorted(set(PLURALS) - plurals) == []


def test_the_translations_keep_clicks_placeholders():
    import string

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for english, french in MESSAGES.items():
        assert fields(english) == fields(french), english
    for (one, many), (un, plusieurs) in PLURALS.items():
        assert fields(one) == fields(un) and fields(many) == fields(plusieurs), one
