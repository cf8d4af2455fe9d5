"""Incidents: a command that the deployed process version could not run on a case.

A bound of the restricted environment hit (steps, time, memory, size of a value), an error in a
designer's script, condition or timer, a version whose code today's checks refuse: the engine
raises, the service turns it into `IncidentRaised` (409, French). The command's transaction is
rolled back (the case stays exactly as it was), then the incident is recorded in a transaction of
its own (`services.db.transaction` calls `after_rollback`), with a case event when the case
exists. Designers and admins list and resolve incidents (`GET /api/v1/incidents`).

Which incidents stop what (a QA finding: a clerk's failed task, retried successfully, left an
incident open that stopped every timer of the case):
- the timer sweep skips an instance only while an incident *the sweep itself raised*
  (`TIMER_COMMAND`) is open on its current version, so it does not spin; a clerk's failed
  command never stops the case's timers (reminders, the 4-month deadline, R21);
- a command that succeeds on a case resolves the open incidents the same command (same case,
  same command text) left there: it is superseded (`supersede`, recorded as resolved
  automatically, by whom, when, with a case event). The same for a case opening, by licence.
"""

from __future__ import annotations

import logging

from sqlalchemy import exists, select

from services import audit, statuses
from services.clock import clock
from services.db import MAX_ROW_ID, command, db, paginate, transaction
from services.errors import Conflict, NotFound
from services.models import Case, Incident, ProcessInstance

log = logging.getLogger(__name__)

INCIDENT_EVENT = "incident"
TIMER_COMMAND = "minuterie"  # the timer sweep's command (services/timers.py)
OPENING_COMMAND = "ouverture du dossier"
AUTOMATIC = " (automatique)"  # how `resolved_by` tells an incident a later success superseded
TECHNICAL_ROLES = frozenset({"designer", "admin"})  # who reads an incident's error
INCIDENT_RESOLVED_EVENT = "incident_resolu"
# the sizes of the columns of `incidents`
MAX_ELEMENT_ID = Incident.__table__.c.element_id.type.length
MAX_COMMAND = Incident.__table__.c.command.type.length
MAX_ACTOR = Incident.__table__.c.actor.type.length


class IncidentRaised(Conflict):
    """409: the process version could not run this command; nothing of it was stored."""

    title = "Incident de processus"

    def __init__(self, message: str, *, case_id: int | None, version_id: int,
                 element_id: str | None, command: str, actor: str):
        # cut to the columns' sizes (BPMN ids have no length of their own): recording must not
        # fail on PostgreSQL
        self.message = message
        self.case_id = case_id
        self.version_id = version_id
        self.element_id = element_id[:MAX_ELEMENT_ID] if element_id is not None else None
        self.command = command[:MAX_COMMAND]
        self.actor = actor[:MAX_ACTOR]
        self.incident_id: int | None = None
        super().__init__(self._detail())
        self.technical_detail = self._technical_detail()
        self.extra = {"incident": None, "element": element_id}

    def _number(self) -> str:
        return f"Incident n° {self.incident_id}" if self.incident_id else "Incident"

    def _detail(self) -> str:
        """For a clerk (and the case's history): what happened, in French, without the
        designer's error (a QA finding: « (IndexError) : list index out of range »)."""
        return (f"{self._number()} : le processus n'a pas pu exécuter cette action. Rien n'a "
                "été modifié ; le dossier est inchangé. Les concepteurs et les administrateurs "
                "en sont informés.")

    def _technical_detail(self) -> str:
        """For designers and admins, who fix it: the element and the error (explained in
        French first, workflows/errors_fr.py)."""
        where = f" (élément « {self.element_id} »)" if self.element_id else ""
        return (f"{self._number()} : le processus n'a pas pu exécuter cette action{where} : "
                f"{self.message}. Rien n'a été enregistré ; le dossier est inchangé. Les "
                "concepteurs et les administrateurs en sont informés.")

    def detail_for(self, role: str | None) -> str:
        """The problem's detail for the caller's role."""
        return self.technical_detail if role in TECHNICAL_ROLES else self.detail

    def record(self) -> Incident:
        """The incident, in the current transaction (the command's own is already rolled
        back); an open incident of the same case, version, element and message is counted
        again instead of repeated."""
        now = clock().now()
        same = db.session.scalars(select(Incident).where(
            # a failed opening has no case: its command names the licence (`opening_command`)
            Incident.case_id.is_(None) & (Incident.command == self.command)
            if self.case_id is None else Incident.case_id == self.case_id,
            Incident.version_id == self.version_id, Incident.resolved.is_(False),
            Incident.element_id.is_(None) if self.element_id is None
            else Incident.element_id == self.element_id,
            Incident.message == self.message).limit(1)).first()
        if same is not None:
            same.occurrences += 1
            same.last_at = now
            incident = same
        else:
            incident = Incident(case_id=self.case_id, version_id=self.version_id,
                                element_id=self.element_id, command=self.command,
                                message=self.message, actor=self.actor, at=now,
                                last_at=now, occurrences=1, resolved=False)
            db.session.add(incident)
        db.session.flush()
        case = db.session.get(Case, self.case_id) if self.case_id is not None else None
        if case is not None:
            # the history is the clerks': no designer's error in it (the incident page has it)
            audit.record(case, INCIDENT_EVENT, self.actor, incident=incident.id,
                         element=self.element_id, commande=self.command,
                         message=f"Incident n° {incident.id} : le processus n'a pas pu "
                                 f"exécuter {command_label(self.command)}. Rien n'a été "
                                 "modifié ; les concepteurs et les administrateurs en sont "
                                 "informés.")
        self.incident_id = incident.id
        self.detail = self._detail()
        self.technical_detail = self._technical_detail()
        self.extra = {"incident": incident.id, "element": self.element_id}
        log.warning("incident %s on case %s (version %s, element %s): %s", incident.id,
                    self.case_id, self.version_id, self.element_id, self.message)
        return incident

    def after_rollback(self) -> None:
        """Record the incident in its own transaction (called once the command is undone)."""
        try:
            with transaction():
                self.record()
        except Exception:  # noqa: BLE001 - the caller still gets its 409
            log.exception("could not record the incident of case %s", self.case_id)


class HiddenIncident(Conflict):
    """409 for a centre: the incident is recorded (`after_rollback` of the real one) but its
    message, which names the process element and the designer's error, is not shown: a centre
    learns nothing of a case it enrols by licence number."""

    title = "Incident de processus"

    def __init__(self, incident: IncidentRaised):
        self.incident = incident
        super().__init__("L'inscription n'a pas pu être enregistrée à cause d'un incident "
                         "technique. Rien n'a été enregistré ; la préfecture en est informée.")

    def after_rollback(self) -> None:
        self.incident.after_rollback()


def raised(exc: Exception, *, case_id: int | None, version_id: int, actor: str,
           command: str) -> IncidentRaised:
    """The IncidentRaised for an engine failure (WorkflowError or DefinitionError)."""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    element = getattr(exc, "element_id", None)
    problems = getattr(exc, "problems", None)
    if problems:  # a version that today's checks refuse (deployed before they existed)
        first = problems[0]
        element = first.element_id
        message = "la version déployée est refusée par les contrôles actuels : " + "; ".join(
            p.message for p in problems[:3])
    return IncidentRaised(str(message)[:2000], case_id=case_id, version_id=version_id,
                          element_id=element, command=command, actor=actor)


def opening_command(kind: str, licence_number: str) -> str:
    """The command of a case opening, naming what it was for: an incident raised there has no
    case, and the admin must tell which licence it concerned."""
    return f"{OPENING_COMMAND} {kind} (permis {licence_number})"[:MAX_COMMAND]


def timer_incident_on_current_version():
    """A clause: the instance has an open incident *raised by the timer sweep* on the version
    it is pinned to (the sweep skips it until the incident is resolved or the case is
    migrated). An incident of a clerk's command does not stop the case's timers: the timers do
    not run the code that failed, and the case is as it was before that command."""
    return exists(select(Incident.id).where(
        Incident.case_id == ProcessInstance.case_id,
        Incident.version_id == ProcessInstance.version_id,
        Incident.command == TIMER_COMMAND,
        Incident.resolved.is_(False)))


def open_on_case_clause():
    """A column: the instance's case has an open incident (read with the instance's lock,
    services/journey.lock_instance, so that a command on a case without one, nearly every
    command, reads nothing more for `supersede`)."""
    return exists(select(Incident.id).where(
        Incident.case_id == ProcessInstance.case_id, Incident.resolved.is_(False)))


def supersede(case: Case | None, command: str, actor: str,
              case_has_open: bool | None = None) -> None:
    """`command` has just run (in the caller's transaction): the open incidents it left on the
    case before (the same command on the same case; for an opening, on the same licence) are
    resolved automatically, each with a case event. Nothing is read when the caller knows the
    case has no open incident (`case_has_open` False), else the index ix_incidents_case_open's
    few rows."""
    if case_has_open is False:
        return
    command = command[:MAX_COMMAND]
    where = (Incident.case_id == case.id) if case is not None and case.id is not None \
        else Incident.case_id.is_(None)
    rows = db.session.scalars(select(Incident).where(
        where, Incident.resolved.is_(False), Incident.command == command)).all()
    if not rows:
        return
    now = clock().now()
    for incident in rows:
        incident.resolved = True
        incident.resolved_at = now
        incident.resolved_by = (actor[:MAX_ACTOR - len(AUTOMATIC)] + AUTOMATIC)
        if case is not None:
            audit.record(case, INCIDENT_RESOLVED_EVENT, actor, incident=incident.id,
                         automatique=True,
                         message=f"Incident n° {incident.id} résolu automatiquement : la même "
                                 "action a réussi ensuite.")
        log.info("incident %s resolved automatically: %s succeeded (%s)", incident.id, command,
                 actor)


def open_on_case(case_id: int) -> list[dict]:
    """The case's open incidents, for its page: number, when, what failed (French), and
    whether it stops the case's timers."""
    rows = db.session.scalars(select(Incident).where(
        Incident.case_id == case_id, Incident.resolved.is_(False)).order_by(Incident.id)).all()
    return [{"id": i.id, "at": i.at, "what": command_label(i.command),
             "stops_timers": i.command == TIMER_COMMAND} for i in rows]


def command_label(command: str) -> str:
    """A command as a clerk reads it: « la tâche « Signalement au parquet » », « le
    déclenchement des échéances et relances »…"""
    if command == TIMER_COMMAND:
        return "le déclenchement automatique des échéances et relances"
    if command.startswith("tâche « ") and command.endswith(" »"):
        key = command[len("tâche « "):-2]
        title = statuses.task_title(key) if key in statuses.TASK_KEYS else key
        return f"la tâche « {title} »"
    return f"l'action « {command} »"


# ---- reading and resolving ----------------------------------------------------------------

def view(incident: Incident) -> dict:
    version = incident.version
    return {"id": incident.id, "case_id": incident.case_id, "process": version.key,
            "version": version.version, "element": incident.element_id,
            "command": incident.command, "message": incident.message, "actor": incident.actor,
            "at": incident.at, "last_at": incident.last_at, "occurrences": incident.occurrences,
            "resolved": incident.resolved, "resolved_at": incident.resolved_at,
            "resolved_by": incident.resolved_by}


def list_incidents(state: str | None, page: int, per_page: int) -> tuple[list[dict], int]:
    """Newest first; `state` is "ouverts", "resolus" or None (all)."""
    query = select(Incident)
    if state == "ouverts":
        query = query.where(Incident.resolved.is_(False))
    elif state == "resolus":
        query = query.where(Incident.resolved.is_(True))
    rows, total = paginate(query, (Incident.id.desc(),), page, per_page)
    return [view(i) for i in rows], total


def get(incident_id: int) -> Incident:
    incident = db.session.get(Incident, incident_id) if 0 < incident_id <= MAX_ROW_ID else None
    if incident is None:
        raise NotFound(f"Aucun incident n° {incident_id}.")
    return incident


@command
def resolve(incident_id: int, actor: str) -> dict:
    """Mark an incident resolved (the designer corrected the version, or migrated the case):
    the timer sweep takes the instance again. 409 when it is already resolved."""
    incident = (db.session.scalars(select(Incident).where(Incident.id == incident_id)
                                   .with_for_update()).first()
                if 0 < incident_id <= MAX_ROW_ID else None)
    if incident is None:
        raise NotFound(f"Aucun incident n° {incident_id}.")
    if incident.resolved:
        raise Conflict(f"L'incident n° {incident_id} est déjà résolu "
                       f"(par {incident.resolved_by}).")
    incident.resolved = True
    incident.resolved_at = clock().now()
    incident.resolved_by = actor[:80]
    db.session.flush()
    if incident.case_id is not None:
        case = db.session.get(Case, incident.case_id)
        audit.record(case, INCIDENT_RESOLVED_EVENT, actor, incident=incident.id,
                     message=f"Incident n° {incident.id} résolu.")
    return view(incident)
