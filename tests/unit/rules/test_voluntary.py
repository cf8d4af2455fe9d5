"""R29: a voluntary course is for a holder who committed an infraction that gave rise to a
retrait of points (docs/legal-decisions.md, LD13)."""

from __future__ import annotations

from datetime import date

from services.rules.ledger import LicenceFacts, Retrait
from services.rules.voluntary import may_open


def retrait(points=2, on=date(2026, 2, 1)) -> Retrait:
    return Retrait(ref="infraction:1", committed_on=on, points=points, decision_on=on)


def test_R29_no_retrait_known_refused():
    decision = may_open(LicenceFacts(date(2010, 1, 1), "none"), [])
    assert not decision.ok and decision.rules == ("R29",)
    assert "aucun retrait" in decision.text


def test_R29_a_recorded_retrait_allows_it():
    decision = may_open(LicenceFacts(date(2010, 1, 1), "none"), [retrait()])
    assert decision.ok and "01/02/2026" in decision.text


def test_R29_an_imported_balance_below_the_maximum_shows_a_retrait():
    lic = LicenceFacts(date(2010, 1, 1), "none", imported_points=8,
                       imported_on=date(2026, 1, 1))
    assert may_open(lic, []).ok
    full = LicenceFacts(date(2010, 1, 1), "none", imported_points=12,
                        imported_on=date(2026, 1, 1))
    assert not may_open(full, []).ok


def test_R29_probation_imported_balance_judged_against_the_increments_due():
    # obtained 01/09/2024: 6 + 2 on 01/09/2025 → 8 without any retrait on 01/01/2026
    assert may_open(LicenceFacts(date(2024, 9, 1), "classic", imported_points=6,
                                 imported_on=date(2026, 1, 1)), []).ok
    assert not may_open(LicenceFacts(date(2024, 9, 1), "classic", imported_points=8,
                                     imported_on=date(2026, 1, 1)), []).ok


def test_R29_an_imported_balance_of_one_point_is_singular():
    lic = LicenceFacts(date(2010, 1, 1), "none", imported_points=1,
                       imported_on=date(2026, 2, 1))
    decision = may_open(lic, [])
    assert decision.ok and "R29 : solde importé de 1 point au 01/02/2026" in decision.text
