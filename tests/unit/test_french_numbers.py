"""Figures on the clerks' pages are written the French way: a decimal comma (a QA finding:
« 0.0 » on the statistics page, « 67.5 € » for a refund on the case page)."""

from decimal import Decimal

from web.labels import feuros, fnumber


def test_a_figure_has_a_decimal_comma_and_a_whole_number_stays_as_it_is():
    assert fnumber(0.0) == "0,0" and fnumber(12.5) == "12,5" and fnumber(Decimal("3.25")) == "3,25"
    assert fnumber(7) == "7" and fnumber(None) == "—"


def test_an_amount_in_euros_has_two_decimals_when_it_has_cents():
    assert feuros(67.5) == "67,50" and feuros(135) == "135" and feuros(135.0) == "135"
    assert feuros(None) == "—"
