"""The French words the pages and exports show for the services' codes: statuses, events,
history details, dates. One table per kind; the case statuses come from services.statuses."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping

from services import statuses
from services.clock import PARIS

STATUS_LABELS = statuses.LABELS
TASK_TITLES = statuses.TASK_TITLES
status_label = statuses.label_of  # a case's status for people
EVENT_LABELS = {
    "dossier_ouvert": "Dossier ouvert", "inscription": "Inscription à une session",
    "inscription_liberee": "Place libérée dans la session (dossier clos)",
    "desinscription": "Désinscription d'une session",
    "presence_enregistree": "Présence enregistrée", "attestation_recue": "Attestation reçue",
    "tache_prise": "Tâche prise", "tache_rendue": "Tâche rendue",
    "tache_terminee": "Tâche terminée", "points_credites": "Points crédités",
    "remboursement_decide": "Remboursement décidé", "session_annulee": "Session annulée",
    "signalement_decide": "Signalement décidé", "echeance_depassee": "Échéance dépassée",
    "minuteur_declenche": "Minuteur déclenché", "invalidation_48si": "Invalidation (48SI)",
    "invalidation_constatee": "Invalidation constatée", "erreur_minuteur": "Erreur de minuteur",
    "migration_version": "Migration vers une autre version du processus",
    "relance": "Relance d'une tâche",
    "changement_propose": "Changement de résultat proposé",
    "changement_remplace": "Changement de résultat remplacé par un plus récent",
    "changement_ecarte": "Changement de résultat écarté",
    "resultat_recalcule": "Résultat recalculé (appliqué)",
    "courrier_genere": "Courrier généré",
    # the catalogue's actions (services/actions)
    "note_ajoutee": "Note", "drapeau_pose": "Drapeau posé", "drapeau_leve": "Drapeau levé",
    "tache_affectee": "Tâche affectée à un groupe", "centre_notifie": "Centre prévenu",
    "decision_table": "Décision d'une table (DMN)",
    # a command the process could not run (services/incidents.py)
    "incident": "Incident technique", "incident_resolu": "Incident résolu",
}
# the referral to the prosecutor (R21): the export's column, the case page's outcome
REFERRAL_LABELS = {"candidate": "À décider", "referred": "Signalé",
                   "not_referred": "Non signalé"}
OBLIGATION_LABELS = {"pending": "En attente", "met": "Satisfaite", "not_met": "Non satisfaite",
                     "manual_review": "Examen manuel"}
PROBATION_LABELS = {"classic": "classique (3 ans)", "aac": "apprentissage anticipé (2 ans)",
                    "none": "aucune (permis définitif)"}
RECEIPT_LABELS = {"signed": "signé", "unclaimed": "non réclamé",
                  "npai": "NPAI (n’habite pas à l’adresse indiquée)"}
SESSION_STATUS_LABELS = {"planned": "Planifiée", "held": "Tenue", "cancelled": "Annulée"}
# the accounts' roles (the API's codes) for people: « designer » is no French word
ROLE_LABELS = {"agent": "agent", "admin": "administrateur", "centre": "centre agréé",
               "designer": "concepteur"}
MOVEMENT_LABELS = {"solde": "Solde de départ", "retrait": "Retrait", "majoration": "Majoration",
                   "stage": "Stage", "restitution": "Restitution"}
ATTENDANCE = (("present", "Présent"), ("absent", "Absent"), ("late", "En retard"))
# the details of the history's events (the services' audit.record), under French names
DETAIL_LABELS = {
    "kind": "type", "deadline": "échéance", "receipt": "accusé de réception",
    "process": "processus", "session": "session n°", "day1": "jour 1", "day2": "jour 2",
    "flags": "signalements", "attestation": "attestation délivrée", "reason": "motif",
    "on": "le", "regle": "règle", "rule": "règle", "decision_on": "décision du",
    "notified_on": "notifiée le", "decision": "décision", "motif": "motif", "points": "points",
    "effect_on": "effet le", "explication": "explication", "refund": "remboursement",
    "eligible": "possible", "amount": "montant (€)",
    "request_deadline": "à demander au plus tard le",
    "timers": "minuteurs", "timer": "minuteur", "group": "groupe", "at": "à", "erreur": "erreur",
    "task": "tâche", "proposition": "proposition n°", "changements": "changements",
    "remplace": "remplace la proposition n°", "automatique": "sans validation",
    "received_on": "reçue le", "credit_due_on": "points à créditer au plus tard le",
    "courrier": "courrier", "lettre": "courrier n°", "modele": "modèle",
    "sha256": "empreinte SHA-256",
    "texte": "texte", "element": "élément BPMN", "message": "message", "removed": "retirés",
    "centre": "centre", "objet": "objet", "canal": "canal", "envoi": "envoi",
    "inscription_tardive": "inscrite après le début de la session",
    "incident": "incident n°", "commande": "action",
}
# the choices of the contract tasks' forms (the form's radios and the history's details)
DECISION_LABELS = {
    "valider": "Valider l'attestation", "refuser": "Refuser", "crediter": "Créditer les points",
    "signaler": "Signaler au parquet", "ne_pas_signaler": "Ne pas signaler",
    "remplie": "Obligation remplie", "non_remplie": "Obligation non remplie",
    "accorde": "Remboursement accordé", "refuse": "Remboursement refusé",
}


def flag_message(flag) -> str:
    """A flag's message as the pages show it, after the flag's rule (a badge, or « R32 : »):
    without the rule id the message begins with, so that the rule is not read twice (a QA
    finding: « R32 R32 : session tenue… », « R32 : R32 : … »). A message that does not begin
    with its rule is shown whole. `flag`: the API's {"rule", "message"} or a rules' Flag."""
    if isinstance(flag, Mapping):
        rule, message = flag.get("rule"), flag.get("message")
    else:
        rule, message = getattr(flag, "rule", None), getattr(flag, "message", None)
    message = str(message or "")
    if rule:
        return re.sub(rf"^\s*{re.escape(str(rule))}\s*:\s*", "", message, count=1)
    return message


def fdate(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"  # « 01/01/0001 », not « /1 »


def fnumber(value) -> str:
    """A figure for a French page: a decimal comma (« 0,0 », « 12,5 »), « — » when absent;
    a whole number as it is. The CSV export has its own (web/ui/stats_pages._fr_number)."""
    if value is None:
        return "—"
    if isinstance(value, int):  # bool too
        return str(value)
    return str(value).replace(".", ",")


def feuros(value) -> str:
    """An amount in euros: « 135 », « 67,50 »."""
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{float(value):.2f}".replace(".", ",")


def fdatetime(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    value = value.astimezone(PARIS)
    return f"{fdate(value)} {value:%H:%M}"


def timer_due(due_at) -> str:
    """When a waiting timer of a case falls, as the case page tells it (the list above the
    diagram, and the diagram's overlay after « Échéance : »). A timer due at the start of a Paris
    day closes the day before, which is the deadline the page shows (D1: the 4-month timer fires
    at 00:00 the day after the deadline): « 28/12/2026 (minuteur le 29/12/2026 à 00:00) », not
    « 29/12/2026 00:00 » beside a page saying 28/12/2026 (a QA finding). Any other timer:
    « 06/11/2026 à 10:00 »."""
    if isinstance(due_at, str):
        due_at = dt.datetime.fromisoformat(due_at)
    at = due_at.astimezone(PARIS)
    if at.time() == dt.time(0, 0):
        return f"{fdate(at.date() - dt.timedelta(days=1))} (minuteur le {fdate(at.date())} à 00:00)"
    return f"{fdate(at.date())} à {at:%H:%M}"


def fvalue(value) -> str:
    """A history detail value, readable: French dates, lists and objects spelled out."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
            return fdatetime(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(fvalue(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{DETAIL_LABELS.get(k, k)} : {fvalue(v)}" for k, v in value.items()
                         if v is not None)
    return str(value)


@functools.cache  # constant: built once, not for each history row
def _value_labels() -> dict[str, dict[str, str]]:
    attendance = dict(ATTENDANCE)
    return {"receipt": RECEIPT_LABELS, "day1": attendance, "day2": attendance,
            "task": dict(statuses.TASK_TITLES), "decision": DECISION_LABELS,
            "obligation": DECISION_LABELS, "remboursement": DECISION_LABELS}


ISO_DURATION = re.compile(r"P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                          r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
DURATION_UNITS = (("an", "ans"), ("mois", "mois"), ("semaine", "semaines"), ("jour", "jours"),
                  ("heure", "heures"), ("minute", "minutes"), ("seconde", "secondes"))


def fduration(value: str) -> str | None:
    """An ISO 8601 duration in words (« P14D » → « 14 jours », « P1M15D » → « 1 mois et
    15 jours »); None when `value` is not one."""
    found = ISO_DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        return None
    words = [f"{n} {one if int(n) <= 1 else many}"
             for n, (one, many) in zip(found.groups(), DURATION_UNITS, strict=True) if n]
    return " et ".join(words) if len(words) <= 2 else ", ".join(words[:-1]) + " et " + words[-1]


def _decision_value(value) -> str:
    """A DMN table's input or output value in a history line: a duration in words, yes/no."""
    if value is None:
        return "aucune valeur"
    if isinstance(value, str):
        return fduration(value) or f"« {value} »"
    if isinstance(value, list):
        return ", ".join(_decision_value(v) for v in value) or "aucune valeur"
    return fvalue(value)


DECISION_NAME = re.compile(r"^Décision « (.+?) » :")


def _decision_text(detail: dict) -> str | None:
    """A DMN table's decision (services/decision_history), told from its stored inputs, rules
    and outputs: « Décision « Délai de relance du signalement » : règle 2 retenue (Attestation
    délivrée : oui) → Délai de relance : 14 jours » (QA findings: « delai_relance = « P14D » »,
    then the output's variable instead of its column's label).
    None for a detail without them (its message is shown)."""
    if not isinstance(detail.get("sorties"), dict) or not isinstance(detail.get("regles"), list):
        return None
    named = DECISION_NAME.match(str(detail.get("message") or ""))
    name = named.group(1) if named else detail.get("table") or "table de décision"
    rules = [str(i) for i in detail["regles"]]
    retained = ("aucune règle retenue" if not rules else f"règle {rules[0]} retenue"
                if len(rules) == 1 else f"règles {', '.join(rules)} retenues")
    inputs = ", ".join(f"{label} : {_decision_value(v)}"
                       for label, v in (detail.get("entrees") or {}).items())
    labels = detail.get("libelles_sorties")  # absent before 2026-12-06: the variables' names
    labels = labels if isinstance(labels, dict) else {}
    outputs = ", ".join(f"{labels.get(name_) or name_} : {_decision_value(v)}"
                        for name_, v in detail["sorties"].items())
    return (f"Décision « {name} » : {retained}" + (f" ({inputs})" if inputs else "")
            + f" → {outputs or 'aucune sortie'}")


def _timers_text(detail: dict) -> str | None:
    """« 1 minuteur arrivé à échéance le 30/10/2026 à 10:00 » (was « minuteurs : 1 ; à : … »)."""
    count, at = detail.get("timers"), detail.get("at")
    if not isinstance(count, int) or not at:
        return None
    when = fdatetime(at).replace(" ", " à ", 1)
    return (f"{count} minuteur arrivé à échéance le {when}" if count <= 1
            else f"{count} minuteurs arrivés à échéance le {when}")


def refund_text(refund) -> str:
    """The refund decided for a case (API.md outcome.refund) in a history line: « possible,
    135 €, demande à adresser au comptable public au plus tard le 09/11/2026 » or « refusé (R48) :
    <reason> » (was « possible : oui, montant (€) : 135, à demander au plus tard le : … »)."""
    if not isinstance(refund, Mapping):
        return fvalue(refund)
    if not refund.get("eligible"):
        text = "refusé" + (f" ({refund['rule']})" if refund.get("rule") else "")
        return text + (f" : {refund['reason']}" if refund.get("reason") else "")
    parts = ["possible"]
    if refund.get("amount") is not None:
        parts.append(f"{feuros(refund['amount'])} €")
    if refund.get("request_deadline"):
        parts.append("demande à adresser au comptable public au plus tard le "
                     f"{fdate(refund['request_deadline'])}")
    if refund.get("reason"):
        parts.append(str(refund["reason"]))
    return ", ".join(parts)


def _flags_text(flags) -> str:
    """A list of flags in a history line: « R19 : le stage se termine… » each, the rule once."""
    if not isinstance(flags, list):
        return fvalue(flags)
    return " ; ".join(f"{f.get('rule')} : {flag_message(f)}" if isinstance(f, Mapping)
                      and f.get("rule") else fvalue(f) for f in flags)


# an event whose detail reads as one sentence (its type → the sentence, None: shown as usual)
EVENT_TEXTS = {"decision_table": _decision_text, "minuteur_declenche": _timers_text}
# a detail's value that reads as words of its own (its key → the words)
VALUE_TEXTS = {"refund": refund_text, "flags": _flags_text}


def fdetail(detail: dict | None, kind: str | None = None) -> str:
    """A history event's detail for people: a sentence for the events that have one
    (EVENT_TEXTS, `kind`: the event's type), else its message, else each value under a French
    name. Only the words change: the stored detail is what the event recorded."""
    detail = detail or {}
    sentence = EVENT_TEXTS[kind](detail) if kind in EVENT_TEXTS else None
    if sentence:
        return sentence
    if detail.get("message"):
        return detail["message"]
    labels = _value_labels()
    parts = []
    for key, value in detail.items():
        if value is None or value == "" or value == [] or (key == "title" and "task" in detail):
            continue  # nothing to show, or the task's title twice
        if isinstance(value, str):
            value = labels.get(key, {}).get(value, value)
        text = VALUE_TEXTS[key](value) if key in VALUE_TEXTS else fvalue(value)
        parts.append(f"{DETAIL_LABELS.get(key, key)} : {text}")
    return " ; ".join(parts)
