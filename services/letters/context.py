"""What a letter template sees: plain values under French names (docs/process-bundle.md,
« Courriers »). A real case (`letter_context`) and the sample case a bundle's templates are
rendered against at deployment (`sample_context`) have exactly the same keys, so a template that
renders against the sample never meets an unknown name at run time; a fact a case does not have
yet is None, which a letter prints as « — »."""

from __future__ import annotations

import datetime as dt
import decimal

from services import licence_ledger, outcome
from services.clock import clock
from services.letters import wording
from services.letters.render import date_in_words
from services.settings import setting

DEFAULT_PREFECTURE = "Préfecture de la Gironde"
DEFAULT_PREFECTURE_ADDRESS = "2 esplanade Charles-de-Gaulle\nCS 41397\n33077 Bordeaux Cedex"
DEFAULT_SERVICE = "Bureau de la circulation et de la sécurité routière"

RECEIPTS = {"signed": "remise contre signature", "unclaimed": "non réclamée",
            "npai": "retournée NPAI (n'habite pas à l'adresse indiquée)"}
OBLIGATIONS = {"pending": "en attente", "met": "satisfaite", "not_met": "non satisfaite",
               "manual_review": "en cours d'examen"}
REFERRALS = {"candidate": "signalement à décider",
             "referred": "signalé au procureur de la République", "not_referred": "non signalé"}
PROBATIONS = {"classic": "permis probatoire (3 ans)", "aac": "permis probatoire (2 ans, "
              "apprentissage anticipé de la conduite)", "none": "permis définitif"}


def words(value) -> str | None:
    return date_in_words(value) if value else None


def euros(amount) -> str | None:
    """« 135 € » / « 67,50 € »."""
    if amount is None:
        return None
    value = decimal.Decimal(str(amount)).quantize(decimal.Decimal("0.01"))
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return (text[:-3] if text.endswith(",00") else text) + " €"


def aupres_du_centre(name: str | None) -> str | None:
    """« auprès du Centre Sécurité Paris 11 » for a name that says it is a centre, else
    « auprès du centre agréé ECF Bordeaux » (a QA finding: « auprès du centre Centre Sécurité
    Paris 11 »)."""
    if not name:
        return None
    name = name.strip()
    return (f"auprès du {name}" if name.casefold().startswith("centre ")
            else f"auprès du centre agréé {name}")


def prefecture() -> dict:
    address = str(setting("PREFECTURE_ADRESSE", DEFAULT_PREFECTURE_ADDRESS))
    return {"nom": str(setting("PREFECTURE_NOM", DEFAULT_PREFECTURE)),
            "service": str(setting("PREFECTURE_SERVICE", DEFAULT_SERVICE)),
            "adresse": [line.strip() for line in address.replace("\\n", "\n").splitlines()
                        if line.strip()]}


def letter_context(case, ledger=None) -> dict:
    """The values of `case` a letter shows (read only: nothing is written); `ledger`: the
    licence's ledger as it now is, when the caller has it (else replayed here)."""
    lic = case.licence
    inf = case.infraction
    lg = ledger if ledger is not None else licence_ledger.replay(lic)
    credited = case.credited_enrollment
    attended = credited or outcome.latest_attended(case)
    credit = lg.course(licence_ledger.course_ref(credited)) if credited is not None else None
    session = attended.session if attended is not None else (case.session or None)
    refund = case.refund if case.kind == "obligatoire" and isinstance(case.refund, dict) \
        else None
    refused = credit is not None and credit.refusal is not None
    # the driver's words (services/letters/wording.py), not the clerks' rule ids and formulas
    explanations = wording.credit_explanations(credit.explanations, credit.points) \
        if credit is not None and not refused else []
    decision = outcome.refund_decision_for(case, lg) \
        if refund is not None and not refund.get("eligible") else None
    return {
        "prefecture": prefecture(),
        "date_du_jour": date_in_words(clock().today()),
        "dossier": {"reference": case.reference, "nature": case.kind,
                    "obligatoire": case.kind == "obligatoire"},
        "conducteur": {"nom": lic.last_name, "prenom": lic.first_name,
                       "nom_complet": lic.holder_name,
                       "date_naissance": words(lic.birth_date),
                       "date_obtention": words(lic.obtained_on),
                       "periode_probatoire": PROBATIONS.get(lic.probation, lic.probation)},
        "permis": {"numero": lic.number},
        "infraction": {"libelle": inf.label if inf else None,
                       "date": words(inf.committed_on) if inf else None,
                       "classe": inf.offence_class if inf else None,
                       "date_decision": words(inf.decision_on) if inf else None,
                       "amende": euros(inf.fine_amount) if inf else None},
        "lettre_48n": {"envoyee_le": words(case.letter_sent_on),
                       "reception": RECEIPTS.get(case.letter_receipt, case.letter_receipt),
                       "recue_le": words(case.letter_received_on),
                       "notifiee_le": words(case.notified_on)},
        "echeance": words(case.deadline),
        "stage": {"centre": session.centre.name if session is not None else None,
                  "aupres_du_centre": aupres_du_centre(session.centre.name)
                  if session is not None else None,
                  "jour1": words(session.day1) if session is not None else None,
                  "jour2": words(session.day2) if session is not None else None,
                  "attestation_delivree_le": words(attended.attestation_issued_on)
                  if attended is not None else None,
                  "attestation_recue_le": words(attended.attestation_received_on)
                  if attended is not None else None},
        "issue": {"obligation": OBLIGATIONS.get(case.obligation) if case.obligation else None,
                  "points_credites": credit.points if credit and not credit.refusal else
                  (0 if credit else None),
                  "date_effet": words(credit.effect_on) if credit else None,
                  "solde_apres": credit.balance_after if credit and not credit.refusal
                  else None,
                  # R4: what a course may not exceed; a letter crediting 0 says so
                  "plafond": lg.cap_on(credit.effect_on)
                  if credit and not credit.refusal and credit.effect_on else None,
                  "refus": wording.refusal_text(credit.refusal) if refused else None,
                  "regles": explanations,
                  "examen": wording.review_text(outcome.reviewed_course(case))},
        "remboursement": _refund(refund, wording.refund_reason(refund, decision,
                                                               words(case.deadline))),
        "signalement": REFERRALS.get(case.referral, case.referral) if case.referral else None,
    }


def _refund(refund: dict | None, motif: str | None) -> dict:
    if not refund:
        return {"decide": False, "accorde": False, "montant": None, "a_demander_avant": None,
                "delai_expire": False, "regle": None, "motif": None}
    deadline = refund.get("request_deadline")
    last_day = dt.date.fromisoformat(deadline) if deadline else None
    return {"decide": True, "accorde": bool(refund.get("eligible")),
            "montant": euros(refund.get("amount")),
            "a_demander_avant": words(last_day) if last_day else None,
            # the letter may be made after the driver's own deadline (R46): it says so
            "delai_expire": last_day is not None and last_day < clock().today(),
            # an eligible refund carries no rule of its own: R20 (refund after a course on time);
            # the rule's id is for a template's conditions, not a text for the driver to read
            "regle": refund.get("rule") or ("R20" if refund.get("eligible") else None),
            "motif": motif}


def sample_context(today: dt.date | None = None) -> dict:
    """A made-up mandatory case with every fact known: what a bundle's letters are rendered
    against when it is deployed (no database read)."""
    return {
        "prefecture": {"nom": DEFAULT_PREFECTURE, "service": DEFAULT_SERVICE,
                       "adresse": DEFAULT_PREFECTURE_ADDRESS.splitlines()},
        "date_du_jour": date_in_words(today or dt.date(2026, 12, 4)),
        "dossier": {"reference": "STG-2026-000001", "nature": "obligatoire",
                    "obligatoire": True},
        "conducteur": {"nom": "EXEMPLE", "prenom": "Camille", "nom_complet": "Camille EXEMPLE",
                       "date_naissance": "12 mars 2004", "date_obtention": "3 juin 2025",
                       "periode_probatoire": PROBATIONS["classic"]},
        "permis": {"numero": "250633100001"},
        "infraction": {"libelle": "Excès de vitesse de 20 à 30 km/h", "date": "2 mars 2026",
                       "classe": "C4", "date_decision": "20 avril 2026", "amende": "135 €"},
        "lettre_48n": {"envoyee_le": "4 mai 2026", "reception": RECEIPTS["signed"],
                       "recue_le": "7 mai 2026", "notifiee_le": "7 mai 2026"},
        "echeance": "7 septembre 2026",
        "stage": {"centre": "Centre de sensibilisation d'exemple",
                  "aupres_du_centre": "auprès du Centre de sensibilisation d'exemple",
                  "jour1": "1er juin 2026",
                  "jour2": "2 juin 2026", "attestation_delivree_le": "2 juin 2026",
                  "attestation_recue_le": "10 juin 2026"},
        "issue": {"obligation": OBLIGATIONS["met"], "points_credites": 4,
                  "date_effet": "3 juin 2026", "solde_apres": 10, "plafond": 12,
                  "refus": None,
                  "regles": [{"regle": "R27", "texte": "La reconstitution de points prend effet "
                              "le lendemain du dernier jour du stage, soit le 3 juin 2026."},
                             {"regle": "R26", "texte": "Un stage permet de récupérer jusqu'à 4 "
                              "points, dans la limite du plafond de 12 points applicable à votre "
                              "permis à cette date : votre solde étant de 6 points avant le "
                              "stage, 4 points ont été crédités."}],
                  "examen": None},
        "remboursement": {"decide": True, "accorde": True, "montant": "135 €",
                          "a_demander_avant": "2 juin 2027", "delai_expire": False,
                          "regle": "R20", "motif": None},
        "signalement": REFERRALS["referred"],
    }
