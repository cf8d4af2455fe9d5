"""What a driver reads in a letter (services/letters/wording.py): the rules' results told from the
dates and figures they used, without the clerks' rule ids, formulas or settings (a QA finding:
« R26 : min(4, 8 − 5) = 3 points crédités (plafond 8… », « (règle R20) », « 3 point(s) »)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from services import licence_ledger
from services.letters import wording
from services.letters.context import aupres_du_centre
from services.rules import refund as rrefund
from services.rules.config import DEFAULT_CONFIG, RulesConfig
from services.rules.explain import Decision, Explanation
from services.rules.ledger import CourseFacts, InvalidationFacts, LicenceFacts, Retrait, replay

D = date
JARGON = re.compile(r"\b[RDQ]\d{1,2}\b|\((?:s|e)\)|min\(|max\(|CFG_|examen manuel|l'agent")


def plain(text: str) -> str:
    assert text and not JARGON.search(text), text
    return text


JAN_2026 = D(2026, 1, 1)


def licence(points: int, on: date = JAN_2026) -> LicenceFacts:
    return LicenceFacts(obtained_on=D(2015, 1, 1), probation="none", imported_points=points,
                        imported_on=on)


def course(ref: str, day1: date, **kw) -> CourseFacts:
    return CourseFacts(ref, day1, day1 + timedelta(days=1), **kw)


def credited(points: int, cfg: RulesConfig = DEFAULT_CONFIG):
    return replay(licence(points), courses=[course("s", D(2026, 6, 4))], cfg=cfg).course("s")


def told(credit) -> list[str]:
    return [plain(r["texte"]) for r in wording.credit_explanations(credit.explanations,
                                                                   credit.points)]


def test_the_credit_is_told_with_its_effect_date_and_its_cap_in_words():
    credit = credited(5)
    assert told(credit) == [
        "La reconstitution de points prend effet le lendemain du dernier jour du stage, soit "
        "le 6 juin 2026.",
        "Un stage permet de récupérer jusqu'à 4 points, dans la limite du plafond de 12 points "
        "applicable à votre permis à cette date : votre solde étant de 5 points avant le stage, "
        "4 points ont été crédités."]


def test_one_point_is_singular():
    assert wording.credited(1) == "1 point a été crédité"
    assert wording.credited(3) == "3 points ont été crédités"
    assert told(credited(11))[-1].endswith("votre solde étant de 11 points avant le stage, "
                                           "1 point a été crédité.")


@pytest.mark.parametrize(("starts", "expected"), [
    (False, "Ce stage n'ayant donné lieu à aucun crédit de points, il ne fait pas courir"),
    (True, "Bien qu'il n'ait donné lieu à aucun crédit de points, ce stage fait courir")])
def test_a_course_at_the_cap_tells_only_what_the_letter_does_not_r28(starts, expected):
    credit = credited(12, RulesConfig(zero_point_course_starts_clock=starts))
    assert credit.points == 0
    [text] = told(credit)  # the cap itself is the letter's paragraph: not told twice
    assert text.startswith(expected)


def test_a_kept_year_between_two_courses_is_told_r25():
    lg = replay(licence(4, D(2025, 1, 1)), [Retrait("i", D(2026, 1, 1), 4, D(2026, 2, 1))],
                [course("s1", D(2025, 9, 2)), course("s2", D(2026, 9, 2))])
    texts = told(lg.course("s2"))
    assert ("Le délai d'un an entre deux stages donnant lieu à une récupération de points est "
            "respecté : votre précédent stage de ce type a commencé le 2 septembre 2025 et "
            "celui-ci le 2 septembre 2026.") in texts


def refusal(courses, invalidations=(), points=6):
    lg = replay(licence(points), courses=courses, invalidations=list(invalidations))
    return lg.course(courses[-1].ref).refusal


@pytest.mark.parametrize(("courses", "invalidations", "expected"), [
    ([course("s", D(2026, 6, 4))], [InvalidationFacts(D(2026, 2, 10), D(2026, 3, 1))],
     "l'invalidation de votre permis de conduire (lettre référence 48SI) vous a été notifiée "
     "le 1er mars 2026, avant la fin du stage."),
    ([course("s", D(2026, 6, 4), attested=False)], [],
     "le stage n'a pas été suivi dans son intégralité : aucune attestation de suivi de stage "
     "n'a été délivrée."),
    ([CourseFacts("s", D(2026, 6, 4), D(2026, 6, 6))], [],
     "les deux journées d'un stage doivent être consécutives, ce qui n'est pas le cas des "
     "journées du 4 juin 2026 et du 6 juin 2026."),
    ([course("s", D(2026, 6, 7))], [],  # a Sunday
     "un stage ne peut se tenir ni un dimanche ni un jour férié ; or le premier jour de ce "
     "stage, le 7 juin 2026, est un dimanche."),
    ([course("s", D(2026, 7, 13))], [],  # Monday 13, Tuesday 14 July
     "un stage ne peut se tenir ni un dimanche ni un jour férié ; or le second jour de ce "
     "stage, le 14 juillet 2026, est un jour férié (fête nationale, 14 juillet)."),
    ([course("s1", D(2026, 3, 3)), course("s2", D(2026, 6, 5))], [],
     "un seul stage par période d'un an peut donner lieu à une récupération de points. Votre "
     "précédent stage de ce type ayant commencé le 3 mars 2026, un nouveau stage ne pouvait "
     "vous rapporter des points qu'à partir du 3 mars 2027 ; celui-ci a commencé le 5 juin "
     "2026."),
], ids=["R42", "R34", "D12", "R31-dimanche", "R31-ferie", "R25"])
def test_why_no_point_is_told_from_the_rules_facts(courses, invalidations, expected):
    found = refusal(courses, invalidations, points=4)
    assert found is not None
    assert plain(wording.refusal_text(found)) == expected


def test_a_persons_refusal_is_told_with_its_motif_whatever_rule_it_cites():
    enrollment = SimpleNamespace(id=1, credit_decision="refuser", credit_rule="R32",
                                 credit_motif="Session tenue sans animateur",
                                 attestation_issued_on=D(2026, 6, 5))
    session = SimpleNamespace(day1=D(2026, 6, 4), day2=D(2026, 6, 5))
    facts = licence_ledger.course_facts(enrollment, session)
    found = refusal([facts])
    assert found.rule == "R32"
    assert plain(wording.refusal_text(found)) == (
        "après examen de votre dossier, mes services ont refusé ce crédit de points pour le "
        "motif suivant : Session tenue sans animateur.")
    without = SimpleNamespace(**{**vars(enrollment), "credit_motif": None})
    assert wording.refusal_text(refusal([licence_ledger.course_facts(without, session)])) == (
        "après examen de votre dossier, mes services ont refusé ce crédit de points.")


def test_a_refusal_without_facts_is_never_told_with_the_clerks_message():
    bare = Explanation("R99", "R99 : quelque chose de technique (Q3, CFG_X=true)")
    assert wording.refusal_text(bare) == wording.REFUSAL_DEFAULT


# ---- the refund's reasons (R45, R48) -----------------------------------------------------------

PAID = rrefund.FineFacts(Decimal(135), "forfaitaire", D(2026, 2, 1))
IN_TIME = Decision(True, (Explanation("R19", "R19 : conforme"),))
LATE = Decision(False, (Explanation("R19", "R19 : le stage se termine après l'échéance"),))


def refund_reason(decision, deadline="10 juillet 2026"):
    stored = decision.to_outcome()
    return wording.refund_reason(stored, decision, deadline)


def test_a_refund_refused_is_told_by_its_cause():
    base = rrefund.refund_decision("obligatoire", PAID, IN_TIME, D(2026, 6, 5), D(2026, 6, 5))
    compo = rrefund.refund_decision(
        "obligatoire", rrefund.FineFacts(Decimal(135), "composition_penale", None), IN_TIME,
        D(2026, 6, 5), D(2026, 6, 5))
    late = rrefund.refund_decision("obligatoire", PAID, LATE, D(2026, 7, 16), D(2026, 7, 16))
    clerk = rrefund.refund_after_credit(base, clerk_choice="refuse", clerk_motif="Pièces.")
    not_met = rrefund.refund_after_credit(base, obligation_met=False)
    no_point = rrefund.refund_after_credit(base, Explanation(
        "R34", "R34 : pas d'attestation", {}))
    assert plain(refund_reason(compo)) == \
        "l'amende résulte d'une composition pénale, qui ne peut pas être remboursée"
    assert plain(refund_reason(late)) == (
        "le remboursement suppose que le stage obligatoire soit suivi dans le délai de quatre "
        "mois, qui expirait le 10 juillet 2026, ce qui n'est pas le cas")
    assert plain(refund_reason(clerk)) == (
        "après examen de votre dossier, mes services ont refusé le remboursement pour le motif "
        "suivant : Pièces")
    assert plain(refund_reason(not_met)).startswith(
        "après examen de votre dossier, mes services ont constaté que l'obligation de stage "
        "n'est pas remplie")
    assert plain(refund_reason(no_point)).startswith(
        "ce stage n'a donné lieu à aucune récupération de points, si bien qu'il ne remplit pas "
        "l'obligation de stage et ne se substitue pas à l'amende. En effet, le stage n'a pas été "
        "suivi dans son intégralité")
    for decision in (compo, late, clerk, not_met, no_point):  # the template ends the sentence
        assert not refund_reason(decision).endswith(".")


def test_a_refund_refused_of_another_decision_than_the_stored_one_is_told_plainly():
    late = rrefund.refund_decision("obligatoire", PAID, LATE, D(2026, 7, 16), D(2026, 7, 16))
    stored = {"eligible": False, "rule": "R45", "reason": "autre chose"}
    assert wording.refund_reason(stored, late, None) == \
        "les conditions du remboursement de l'amende ne sont pas remplies"


@pytest.mark.parametrize(("fine", "expected"), [
    (PAID, None),
    (rrefund.FineFacts(Decimal(135), "forfaitaire", None),
     "L'amende n'ayant pas été payée, votre demande au comptable public porte sur "
     "l'interruption de l'action en recouvrement de l'amende, et non sur son remboursement."),
    (None, "Si vous avez payé l'amende, votre demande au comptable public porte sur son "
           "remboursement ; si vous ne l'avez pas payée, elle porte sur l'interruption de "
           "l'action en recouvrement de l'amende.")])
def test_a_refund_granted_says_what_the_request_is_about_r45(fine, expected):
    """A QA finding: the clerks' « à vérifier par l'agent » was the driver's letter's text."""
    decision = rrefund.refund_decision("obligatoire", fine, IN_TIME, D(2026, 6, 5),
                                       D(2026, 6, 5))
    assert decision.eligible
    assert refund_reason(decision) == expected


def test_the_review_is_told_without_rule_ids():
    enrollment = SimpleNamespace(credit_decision="refuser", review_obligation="non_remplie",
                                 review_refund="refuse")
    assert plain(wording.review_text(enrollment)) == (
        "Après examen de votre dossier par mes services, le crédit de points a été refusé ; "
        "l'obligation de stage n'est pas remplie ; le remboursement de l'amende est refusé.")
    assert wording.review_text(None) is None


@pytest.mark.parametrize(("name", "expected"), [
    ("Centre Sécurité Paris 11", "auprès du Centre Sécurité Paris 11"),
    ("ECF Bordeaux", "auprès du centre agréé ECF Bordeaux"),
    (None, None)])
def test_the_centre_is_named_once(name, expected):
    """A QA finding: « auprès du centre Centre Sécurité Paris 11 »."""
    assert aupres_du_centre(name) == expected
