"""The French words the pages and exports show for the services' codes: statuses, events,
history details, dates. One table per kind; the case statuses come from services.statuses."""

from __future__ import annotations

import datetime as dt
import functools

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


def fdetail(detail: dict | None) -> str:
    """A history event's detail for people: its message, or each value under a French name."""
    detail = detail or {}
    if detail.get("message"):
        return detail["message"]
    labels = _value_labels()
    parts = []
    for key, value in detail.items():
        if value is None or value == "" or value == [] or (key == "title" and "task" in detail):
            continue  # nothing to show, or the task's title twice
        if isinstance(value, str):
            value = labels.get(key, {}).get(value, value)
        parts.append(f"{DETAIL_LABELS.get(key, key)} : {fvalue(value)}")
    return " ; ".join(parts)
