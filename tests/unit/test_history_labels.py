"""A case history's details read in French (web/labels.fdetail): a QA pass found the manual
review's choices shown as raw codes (« remboursement : accorde »)."""

from __future__ import annotations

import pytest

from web.labels import fdetail


def test_the_manual_reviews_choices_are_told_in_french():
    text = fdetail({"task": "examen_manuel", "decision": "crediter", "obligation": "remplie",
                    "remboursement": "accorde"})
    assert "décision : Créditer les points" in text
    assert "obligation : Obligation remplie" in text
    assert "remboursement : Remboursement accordé" in text
    assert "accorde " not in text + " " and ": remplie" not in text


def test_a_late_enrolment_says_so_in_french():
    assert fdetail({"session": 4, "inscription_tardive": True}) == \
        "session n° : 4 ; inscrite après le début de la session : oui"


def test_an_incident_event_has_a_french_label():
    """A QA finding: the history showed the raw code « incident »."""
    from web.labels import EVENT_LABELS

    assert EVENT_LABELS["incident"] == "Incident technique"
    assert EVENT_LABELS["incident_resolu"] == "Incident résolu"


def test_an_iso_duration_is_told_in_words():
    from web.labels import fduration

    assert fduration("P14D") == "14 jours"
    assert fduration("P1D") == "1 jour"
    assert fduration("P2W") == "2 semaines"
    assert fduration("P1M15D") == "1 mois et 15 jours"
    assert fduration("P1Y2M3D") == "1 an, 2 mois et 3 jours"
    assert fduration("PT36H") == "36 heures"
    for other in ("P", "PT", "14D", "haute", "P14", ""):
        assert fduration(other) is None, other


def test_a_decision_of_a_table_is_told_from_its_stored_facts():
    """A QA finding: « → delai_relance = « P14D » »; the stored message stays as it was."""
    detail = {"message": "Décision « Délai de relance du signalement » : règle 2 retenue "
                         "(entrées : Attestation délivrée = oui) → delai_relance = « P14D »",
              "table": "delai_relance_signalement", "tache": "fixer_delai", "regles": [2],
              "entrees": {"Attestation délivrée": True}, "sorties": {"delai_relance": "P14D"}}
    assert fdetail(detail, "decision_table") == (
        "Décision « Délai de relance du signalement » : règle 2 retenue (Attestation délivrée : "
        "oui) → delai_relance : 14 jours")
    assert fdetail(detail) == detail["message"]  # another event type: its message
    labelled = dict(detail, libelles_sorties={"delai_relance": "Délai de relance"})
    assert fdetail(labelled, "decision_table").endswith("→ Délai de relance : 14 jours")
    for broken in ([], "Délai", {"autre": "Autre"}):  # an event stored otherwise: the names
        assert fdetail(dict(detail, libelles_sorties=broken), "decision_table").endswith(
            "→ delai_relance : 14 jours")
    several = dict(detail, regles=[], sorties={"priorite": "haute", "liste": ["a", None]})
    assert fdetail(several, "decision_table").endswith(
        ": aucune règle retenue (Attestation délivrée : oui) → priorite : « haute », liste : "
        "« a », aucune valeur")


def test_timers_fired_are_a_sentence():
    assert fdetail({"timers": 1, "at": "2026-10-30T10:00:00+01:00"}, "minuteur_declenche") == \
        "1 minuteur arrivé à échéance le 30/10/2026 à 10:00"
    assert fdetail({"timers": 2, "at": "2026-07-11T00:00:00+02:00"}, "minuteur_declenche") == \
        "2 minuteurs arrivés à échéance le 11/07/2026 à 00:00"


@pytest.mark.parametrize(("refund", "expected"), [
    ({"eligible": True, "amount": 135, "request_deadline": "2026-11-09"},
     "remboursement : possible, 135 €, demande à adresser au comptable public au plus tard le "
     "09/11/2026"),
    ({"eligible": True, "amount": None, "request_deadline": "2026-11-09",
      "reason": "interruption de l'action en recouvrement"},
     "remboursement : possible, demande à adresser au comptable public au plus tard le "
     "09/11/2026, interruption de l'action en recouvrement"),
    ({"eligible": False, "rule": "R48", "reason": "hors délai"},
     "remboursement : refusé (R48) : hors délai")])
def test_a_refund_decided_is_told_as_a_sentence(refund, expected):
    assert fdetail({"refund": refund}, "remboursement_decide") == expected


def test_flags_in_a_history_line_name_their_rule_once():
    assert fdetail({"flags": [{"rule": "R19", "message": "R19 : le stage se termine après"}]}) \
        == "signalements : R19 : le stage se termine après"
    assert fdetail({"session": 4, "flags": ["R19"]}) == "session n° : 4 ; signalements : R19"


def test_a_flags_message_loses_only_the_rule_it_begins_with():
    from services.rules.explain import Flag
    from web.labels import flag_message

    assert flag_message({"rule": "R32", "message": "R32 : session tenue"}) == "session tenue"
    assert flag_message(Flag("R46", "R46 : délai calculé")) == "délai calculé"
    assert flag_message({"rule": "R17", "message": "Lettre 48N revenue NPAI"}) == \
        "Lettre 48N revenue NPAI"
    assert flag_message({"rule": "R3", "message": "R32 : autre règle"}) == "R32 : autre règle"
    assert flag_message({"rule": None, "message": "Note"}) == "Note"


def test_a_timer_at_the_start_of_a_day_is_the_deadline_of_the_day_before():
    from web.labels import timer_due

    assert timer_due("2026-12-29T00:00:00+01:00") == "28/12/2026 (minuteur le 29/12/2026 à 00:00)"
    assert timer_due("2026-11-06T10:00:00+01:00") == "06/11/2026 à 10:00"
    assert timer_due("2026-07-10T22:00:00+00:00") == "10/07/2026 (minuteur le 11/07/2026 à 00:00)"
