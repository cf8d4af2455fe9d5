"""The lists that export to CSV and XLSX (web.tabular writes them): tasks, cases, sessions,
licences, a licence's points ledger, a case's history. Each is the same query, filters and order
as its page (the services' *_query functions), all rows rather than one page, with French headers
and labels. The callers check who asks first, as the pages do."""

from __future__ import annotations

from services import licence_ledger, licences, tasks
from services.cases import CASE_ORDER, case_query
from services.clock import clock
from services.db import count_rows, stream_rows
from services.licences import SEARCH_ORDER, search_query
from services.reads import case_view, licence_view, worklist
from services.sessions import SESSION_ORDER, session_query
from web import labels
from web.tabular import Table

STREAM_BATCH = 500


def _count(query) -> int:
    return count_rows(query)


def _stream(query, order):
    """Every row of `query` in `order`, read from the database a batch at a time."""
    return lambda: stream_rows(query, order, STREAM_BATCH)


def tasks_table(user, scope: str, key: str, due, sort: str) -> Table:
    """The task list page's open tasks, its filters and sort."""
    return _tasks(*worklist.task_query(user, scope, key, due, sort))


def api_tasks_table(user, case_id, key, mine, state, my_groups=False) -> Table:
    """GET /tasks's filters (any state)."""
    return _tasks(tasks.task_query(user, case_id, key, mine, state, my_groups)
                  .options(*worklist.TASK_ROW),
                  tasks.TASK_ORDER)


def _tasks(query, order) -> Table:
    stream = _stream(query, order)

    def rows():
        for t in stream():
            yield [t.title, t.case.reference, t.case.licence.number,
                   t.case.licence.holder_name, t.created_at, t.due_on,
                   t.assignee.username if t.assignee else None,
                   labels.status_label(t.case)]

    return Table("taches", "Tâches", ["Tâche", "Dossier", "Permis", "Titulaire", "Créée le",
                                      "Délai", "Attribuée à", "Statut du dossier"],
                 _count(query), rows, [34, 18, 15, 26, 17, 12, 14, 30])


CASE_KINDS = {"obligatoire": "Obligatoire (48N)", "volontaire": "Volontaire"}


def cases_table(status=None, licence=None, q=None, overdue=False) -> Table:
    query = case_query(status, licence, q, overdue)
    stream = _stream(query, CASE_ORDER)

    def rows():
        for c in stream():
            yield [c.reference, CASE_KINDS.get(c.kind, c.kind), c.licence.number,
                   c.licence.last_name, c.licence.first_name,
                   labels.status_label(c), c.deadline,
                   labels.OBLIGATION_LABELS.get(c.obligation, c.obligation) if c.obligation
                   else None,
                   labels.REFERRAL_LABELS.get(c.referral, c.referral) if c.referral else None,
                   c.closed]

    return Table("dossiers", "Dossiers", ["Dossier", "Type", "Permis", "Nom", "Prénom",
                                          "Statut", "Échéance", "Obligation",
                                          "Signalement au parquet", "Clos"],
                 _count(query), rows, [18, 18, 15, 20, 18, 30, 12, 16, 20, 8])


def sessions_table(user, centre, from_, to, status) -> Table:
    query = session_query(user, centre, from_, to, status)
    stream = _stream(query, SESSION_ORDER)

    def rows():
        for s in stream():
            enrolled = sum(1 for e in s.enrollments if e.status != "cancelled")
            yield [s.id, s.centre.name, s.centre.agrement, s.day1, s.day2, s.capacity,
                   enrolled, labels.SESSION_STATUS_LABELS.get(s.status, s.status),
                   s.driving_sequence, s.cancelled_on, s.cancel_reason]

    return Table("sessions", "Sessions", ["Session n°", "Centre", "Agrément", "Jour 1",
                                          "Jour 2", "Places", "Inscrits", "Statut",
                                          "Séquence de conduite", "Annulée le",
                                          "Motif d'annulation"],
                 _count(query), rows, [11, 30, 14, 12, 12, 8, 9, 12, 12, 12, 30])


def licences_table(q: str) -> Table:
    query = search_query(q)
    stream = _stream(query, SEARCH_ORDER)

    def rows():
        for lic in stream():
            yield [lic.number, lic.last_name, lic.first_name, lic.birth_date, lic.obtained_on,
                   labels.PROBATION_LABELS.get(lic.probation, lic.probation),
                   lic.formation_complementaire]

    return Table("permis", "Permis", ["Permis", "Nom", "Prénom", "Né(e) le", "Obtenu le",
                                      "Période probatoire", "Formation complémentaire"],
                 _count(query), rows, [15, 22, 20, 12, 12, 30, 14])


def ledger_table(licence) -> Table:
    """The licence's movements known today, the latest first (as on its page), with the balance
    of each movement's day."""
    today = clock().today()
    lg = licence_ledger.replay(licence)
    movements = list(reversed(licences.view(licence, today, lg)["movements"]))
    balance_on = {p["on"]: p["balance"] for p in licence_view.balance_series(licence, today, lg)}
    sources = licences.movement_sources(licence, [m["ref"] for m in movements])

    def rows():
        for m in movements:
            yield [m["effective_on"], labels.MOVEMENT_LABELS.get(m["kind"], m["kind"]),
                   m["points"], balance_on.get(m["effective_on"]), m["explanation"],
                   sources.get(m["ref"], m["ref"])]

    return Table(f"releve-{licence.number}", "Relevé de points",
                 ["Date d'effet", "Mouvement", "Points", "Solde ce jour-là", "Explication",
                  "Référence"], len(movements), rows, [12, 16, 8, 14, 60, 40])


def history_table(case) -> Table:
    """The case's history, oldest first (as on its page), the details in French."""
    events = case_view.history(case)

    def rows():
        for e in events:
            yield [e.at, e.actor, labels.EVENT_LABELS.get(e.type, e.type),
                   labels.fdetail(e.detail, e.type)]

    return Table(f"historique-{case.reference}", "Historique",
                 ["Date", "Par", "Événement", "Détail"], len(events), rows, [17, 14, 30, 80])
