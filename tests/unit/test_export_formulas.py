"""A text a spreadsheet could run as a formula is exported as text (web/tabular.py)."""

import pytest

from web.tabular import is_risky


@pytest.mark.parametrize("text", ["=1+1", "+33 1", "-2", "@SUM(A1)", "\t=1", "\r=1",
                                  "＝HYPERLINK(\"http://x\")", "＋1", "－1", "＠SUM(A1)"])
def test_a_text_starting_like_a_formula_is_risky(text):
    assert is_risky(text)


@pytest.mark.parametrize("text", ["Martin", "1=1", "", " =1", "élodie", "STG-2026-000001"])
def test_an_ordinary_text_is_not(text):
    assert not is_risky(text)
