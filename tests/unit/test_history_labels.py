"""A case history's details read in French (web/labels.fdetail): a QA pass found the manual
review's choices shown as raw codes (« remboursement : accorde »)."""

from __future__ import annotations

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
