"""The bridge between a case and its BPMN instance: one place that restores the instance, hands
it the case's facts and actions, applies one event, and writes every projection back.

BPMN decides the order of steps and the waits; the facts it reads (`dossier`) and the actions it
calls are computed here from the database and `services/rules`, so the law stays in Python.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from flask import current_app
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from services import actions as catalogue_actions
from services import (
    audit,
    decision_history,
    incidents,
    licence_ledger,
    outcome,
    stat_counters,
    statuses,
    task_counters,
    text_search,
)
from services.clock import clock
from services.db import db
from services.errors import Conflict, NotFound
from services.models import Case, Enrollment, HumanTask, ProcessInstance, ProcessVersion
from services.row_writes import insert_row, keep_in_step, update_row
from services.rules import calendar as rcal
from services.rules import conformity as rconf
from services.rules import eligibility
from services.settings import rules_config
from workflows import DefinitionError, ProcessEngine, ScriptContext, TaskNotReady, WorkflowError

# The deadline watch re-reads the `conformite` fact whenever a course's fate changes.
CONFORMITY_CHANGED = "conformite_connue"

def engine() -> ProcessEngine:
    return current_app.extensions["process_engine"]


# ---- facts the BPMN reads -------------------------------------------------------------------

def _echeance_timer(case: Case, today) -> str | None:
    return rcal.start_of_next_paris_day(case.deadline).isoformat() if case.deadline else None


def _attestation_delivree(case: Case, today) -> bool:
    latest = outcome.latest_attended(case)
    return bool(latest and latest.attestation_issued_on)


def _examen_manuel_requis(facts: Facts) -> bool:
    # Not flushed first (see Facts.ledger_crediting): the session's size flags count its
    # trainees present, and a command creates only enrolments not attended yet; the others
    # are the session's objects in memory, with the command's changes.
    with db.session.no_autoflush:
        enr = outcome.pending_course(facts.case)
        return bool(outcome.review_reasons(facts.case, enr, facts.ledger_crediting(enr)))


def _stage_a_crediter(case: Case, today) -> bool:
    return outcome.pending_course(case) is not None


class Facts(Mapping):
    """The `dossier` facts of one run, each computed the first time the BPMN reads it.

    Only an action changes the case during a run, so every fact not read yet is computed
    before the first action (`settle`): the run sees the facts as they were when it was
    restored, exactly as if they had been computed then, without paying for those it never
    reads (the ledger replay behind `examen_manuel_requis` matters only once a course is
    validated, R24/R32)."""

    def __init__(self, case: Case):
        self.case = case
        self._today = clock().today()
        self._values: dict[str, object] = {}
        self._crediting: tuple[int, object] | None = None

    def __getitem__(self, key: str):
        if key not in self._values:
            fact = _FACTS[key]
            self._values[key] = (fact(self) if fact is _examen_manuel_requis
                                 else fact(self.case, self._today))
        return self._values[key]

    def ledger_crediting(self, enr):
        """The licence's ledger replayed with the pending course `enr` as if credited, once per
        run (R24, R32). Crediting it (`crediter_points`, decision "crediter") turns the
        course's facts into exactly those, and nothing else of the ledger changes in a run,
        so the credit it records is read from this same replay."""
        if enr is None:
            return None
        if self._crediting is None or self._crediting[0] != enr.id:
            # Not flushed first: what a command changes before its run (a task, a verification
            # decision) never decides which courses are credited (only `crediter_points`
            # does, after the facts are settled), so the command's changes go out with the
            # write-back's one flush instead of a flush of their own here.
            with db.session.no_autoflush:
                self._crediting = (enr.id, licence_ledger.replay(self.case.licence,
                                                                 extra_course=enr))
        return self._crediting[1]

    def ledger_credited(self, enr):
        """The replay of `ledger_crediting(enr)` once `enr` is credited in this run (decision
        "crediter"): the ledger as it now is, without replaying it again; None otherwise."""
        if (enr is not None and enr.credit_decision == "crediter"
                and self._crediting is not None and self._crediting[0] == enr.id):
            return self._crediting[1]
        return None

    def __iter__(self):
        return iter(_FACTS)

    def __len__(self) -> int:
        return len(_FACTS)

    def settle(self) -> None:
        for key in _FACTS:
            self[key]


def facts(case: Case) -> dict:
    return dict(Facts(case))


def conformity(case: Case, today) -> str:
    """The `conformite` fact: R19 over the case's courses (rules.conformity)."""
    mandatory = case.kind == "obligatoire"
    courses = [rconf.CourseFacts(
        day1=enr.session.day1, day2=enr.session.day2, verification=enr.verification,
        awaiting_session=enr.status == "enrolled" and enr.session.status == "planned",
        attestation_issued=bool(enr.attestation_issued_on)) for enr in case.enrollments]
    return rconf.case_conformity(mandatory, mandatory and outcome.invalidated(case.licence, today),
                                 case.notified_on, case.deadline, courses, rules_config())


_FACTS: dict[str, Callable] = {  # the contract's FACT_KEYS, in order
    "echeance_timer": _echeance_timer,
    "attestation_delivree": _attestation_delivree,
    "conformite": conformity,
    "examen_manuel_requis": _examen_manuel_requis,
    "stage_a_crediter": _stage_a_crediter,
}


# ---- actions the BPMN calls -----------------------------------------------------------------

class Actions:
    """The functions exposed to BPMN scripts; each records its decision on the case."""

    def __init__(self, case: Case, actor: str, facts: Facts | None = None):
        self.case = case
        self.actor = actor
        self.facts = facts or Facts(case)

    def as_mapping(self) -> dict[str, Callable]:
        return {
            "crediter_points": self.crediter_points,
            "decider_remboursement": self.decider_remboursement,
            "constater_non_conformite": self.constater_non_conformite,
            "enregistrer_signalement": self.enregistrer_signalement,
            "constater_invalidation": self.constater_invalidation,
        }

    def crediter_points(self, decision="crediter", motif=""):
        case = self.case
        enr = outcome.pending_course(case)
        if enr is None:
            raise WorkflowError("Aucun stage attesté n'attend de crédit.", "crediter_points")
        lg = self.facts.ledger_crediting(enr)  # replayed before this decision changes it
        # written past the unit of work (services/row_writes.update_row), the statistics told first
        stat_counters.touch((case.id,))
        course = {"credit_decision": "refuser" if decision == "refuser" else "crediter",
                  "credit_motif": motif or None, "credited_at": clock().now()}
        if decision == "refuser":
            reasons = outcome.review_reasons(case, enr, lg)
            course["credit_rule"] = rconf.refusal_rule([r.rule for r in reasons],
                                                       case.obligation == "manual_review")
        update_row(enr, course)
        outcome_of_case = {"credited_enrollment_id": enr.id}
        choice = enr.review_obligation
        if case.kind == "obligatoire" and (case.obligation in ("pending", None)
                                           or (choice and case.obligation == "manual_review")):
            # R19: only a valid (credited) course meets the obligation, unless the clerk decided
            # otherwise at the manual review; not met: the deadline watch decides (R21)
            compliance = eligibility.compliance(case.notified_on, case.deadline,
                                                enr.session.day1, enr.session.day2,
                                                rules_config())
            met = eligibility.obligation_after_review(enr.credit_decision == "crediter",
                                                      compliance, choice).ok
            if met:
                outcome_of_case["obligation"] = "met"
        update_row(case, outcome_of_case)
        keep_in_step(case, "credited_enrollment", enr)
        # refused: the course's facts now carry the refusal, replayed afresh (written above)
        credit = outcome.credit_for(case, lg if enr.credit_decision == "crediter" else None)
        audit.record(case, "points_credites", self.actor, decision=enr.credit_decision,
                     motif=motif, points=credit.get("points_credited"),
                     effect_on=credit.get("effect_on"),
                     explication=credit.get("explanation"))

    def decider_remboursement(self):
        case = self.case
        stat_counters.touch((case.id,))  # past the unit of work (services/row_writes.update_row)
        update_row(case, {"refund": outcome.refund_for(
            case, self.facts.ledger_credited(case.credited_enrollment))})
        audit.record(case, "remboursement_decide", self.actor, refund=case.refund)

    def constater_non_conformite(self):
        case = self.case
        case.obligation = "not_met"
        case.referral = "candidate"
        audit.record(case, "echeance_depassee", self.actor, deadline=case.deadline,
                     regle="R21", message="Échéance de 4 mois dépassée sans stage conforme : "
                     "dossier candidat au signalement (R21).")
        if case.refund is None:
            case.refund = outcome.refund_for(case)

    def enregistrer_signalement(self, decision="", motif=""):
        self.case.referral = "referred" if decision == "signaler" else "not_referred"
        audit.record(self.case, "signalement_decide", self.actor, decision=decision, motif=motif)

    def constater_invalidation(self):
        if self.case.kind == "obligatoire" and self.case.obligation in ("pending", None):
            self.case.obligation = "manual_review"
        audit.record(self.case, "invalidation_constatee", self.actor, regle="Q8")


def context(case: Case, actor: str, version_id: int | None = None,
            checksum: str | None = None) -> ScriptContext:
    """Facts (a read-only view, computed lazily) and actions (each settles the facts first);
    `version_id` and `checksum`: the version running, for the catalogue's actions (the instance
    row of a case being opened does not exist yet)."""
    lazy = Facts(case)

    def settling(action: Callable) -> Callable:
        @functools.wraps(action)
        def run(*args, **kwargs):
            lazy.settle()
            return action(*args, **kwargs)
        return run

    actions = {name: settling(fn)
               for name, fn in Actions(case, actor, lazy).as_mapping().items()}

    def ledger():  # the ledger once this run credited a course, replayed once (Facts)
        return lazy.ledger_credited(case.credited_enrollment)

    def call_action(call) -> None:  # a service task's catalogue action (services/actions)
        lazy.settle()
        catalogue_actions.run(case, actor, call, version_id=version_id, checksum=checksum,
                              ledger=ledger)

    return ScriptContext(facts=MappingProxyType(lazy), actions=actions, call_action=call_action)



# What the facts and the conformity (R19) read, and the case page shows: the licence and the
# enrolments with their sessions come with the case, not one lazy load each.
CASE_GRAPH = (joinedload(Case.licence, innerjoin=True),
              selectinload(Case.enrollments).joinedload(Enrollment.session, innerjoin=True))


# The same graph in ONE statement for one case (its few enrolments joined with their sessions).
# Outer joins all along: an inner join of the sessions nested in the enrolments' outer join is
# a subquery SQLite materialises by scanning every enrolment (530 ms at 400,000 cases).
_ONE_CASE_GRAPH = (joinedload(Case.licence, innerjoin=True),
                   joinedload(Case.enrollments).joinedload(Enrollment.session))


def load_case(case_id: int, fresh: bool = False) -> Case | None:
    """The case with what a command on it reads (every command, the timer sweep included);
    `fresh`: read again as stored, for a command that took its instance's lock after the case
    was first read (a command on the case that committed meanwhile is then seen)."""
    return db.session.get(Case, case_id, options=_ONE_CASE_GRAPH, populate_existing=fresh)

# ---- one event applied to one instance, in the caller's transaction --------------------------

def start(case: Case, version: ProcessVersion, actor: str) -> None:
    """Start the case's instance; IncidentRaised (the caller's transaction is rolled back: no
    case is opened) when the version cannot run it; the incident names the licence."""
    command = incidents.opening_command(case.kind, case.licence.number)
    try:
        run = engine().start(version.id, lambda: version.xml, version.key,
                             context(case, actor, version.id, version.checksum),
                             checksum=version.checksum, files=lambda: version.files)
        instance = ProcessInstance(case_id=case.id, version_id=version.id, lock_version=1)
        _write_back(case, instance, run, {}, actor)  # a new case has no task yet
        keep_in_step(instance, "version", version)
        decision_history.record(case, run.decisions, actor)
        incidents.supersede(None, command, actor)  # an earlier opening for this licence
    except (WorkflowError, DefinitionError) as exc:
        raise incidents.raised(exc, case_id=None, version_id=version.id, actor=actor,
                               command=command) from exc


def lock_instance(case: Case) -> ProcessInstance:
    """Lock the instance row (FOR UPDATE on PostgreSQL; SQLite writers are already serialised),
    then read its version. The lock is taken on the instance alone: a query joined to the
    version would, after waiting for a concurrent migration (new version_id), be re-checked by
    PostgreSQL against the old version row and return nothing. Nothing pending changes which
    row that is, so the command's changes are not flushed for it: they go out with the
    write-back's flush."""
    with db.session.no_autoflush:
        row = db.session.execute(
            select(ProcessInstance, incidents.open_on_case_clause())
            .where(ProcessInstance.case_id == case.id)
            .with_for_update(of=ProcessInstance)
            .execution_options(populate_existing=True)).one_or_none()
        if row is None:
            raise NotFound(f"Aucune instance de processus pour le dossier n° {case.id}.")
    instance, has_open = row
    # read with the lock: a command on a case with no open incident looks for none to
    # supersede (incidents.supersede); not a mapped attribute, never written
    instance.case_has_open_incident = bool(has_open)
    return instance


@dataclass(frozen=True)
class VersionSource:
    """What a run needs of its (immutable) process version: its key and checksum, read with one
    small Core statement; the 60 KB XML is read only when this process has not parsed the
    version yet (`ProcessEngine.parsed` keeps it by id, checked against the checksum)."""

    id: int
    key: str
    checksum: str

    def xml(self) -> bytes:
        return db.session.connection().execute(
            select(ProcessVersion.xml).where(ProcessVersion.id == self.id)).scalar_one()

    def files(self) -> dict | None:
        """The bundle's files (its decision tables are parsed with the BPMN), read with it."""
        value = db.session.connection().execute(
            select(ProcessVersion.files).where(ProcessVersion.id == self.id)).scalar_one()
        return value if isinstance(value, dict) else None


_VERSION_HEAD = select(ProcessVersion.key, ProcessVersion.checksum).where(
    ProcessVersion.id == bindparam("id"))


def version_source(version_id: int) -> VersionSource:
    key, checksum = db.session.connection().execute(_VERSION_HEAD, {"id": version_id}).one()
    return VersionSource(version_id, key, checksum)


def apply(case: Case, actor: str, event: Callable, instance: ProcessInstance | None = None,
          command: str = "commande"):
    """Restore the instance, apply `event(run)`, run the engine, write everything back.
    IncidentRaised when the version cannot run it (a bound hit, an error in its code): the
    caller's transaction is rolled back, the incident recorded on its own."""
    instance = instance or lock_instance(case)
    version = version_source(instance.version_id)
    try:
        run = engine().resume(version.id, version.xml, version.key, instance.state_json,
                              context(case, actor, version.id, version.checksum),
                              checksum=version.checksum,
                              files=version.files)
        # Before the event (its actions never touch task rows). The rows are written with the
        # state they come from (`_write_back`), so a state with no open task has no open row
        # and the query is saved.
        open_rows = _open_task_rows(case) if run.open_tasks() else {}
        result = event(run)
        _write_back(case, instance, run, open_rows, actor)
        decision_history.record(case, run.decisions, actor)
        # the same command failed before: it ran
        incidents.supersede(case, command, actor,
                            getattr(instance, "case_has_open_incident", None))
    except TaskNotReady:
        raise
    except (WorkflowError, DefinitionError) as exc:
        raise incidents.raised(exc, case_id=case.id, version_id=version.id, actor=actor,
                               command=command) from exc
    return result


def send(case: Case, message: str, actor: str, *, conformity_before: str | None = None,
         instance: ProcessInstance | None = None) -> bool:
    """Deliver a message if the process waits for it; say whether it did. A caller whose change
    may move the conformity (R19) passes `conformity_now(case)` read before it: the deadline
    watch is then told in the same run (one restore and one save per command), and only if
    the conformity did change (the message's meaning). `instance`: locked by the caller."""

    def event(run):
        delivered = run.send_message(message)
        if conformity_before is not None and conformity_changed(case, conformity_before):
            run.send_message(CONFORMITY_CHANGED)
        return delivered

    return apply(case, actor, event, instance=instance, command=f"message « {message} »")


def conformity_now(case: Case) -> str:
    return conformity(case, clock().today())


def conformity_changed(case: Case, before: str | None) -> bool:
    """Unknown before (None) counts as changed."""
    return before is None or conformity_now(case) != before


_CONFLICT = ("Le dossier a été modifié en même temps par quelqu'un d'autre ; rechargez-le et "
             "recommencez.")
_INSERT_TASKS = HumanTask.__table__.insert()


def _write_back(case: Case, instance: ProcessInstance, run,
                open_rows: dict[str, HumanTask], actor: str,
                version_id: int | None = None) -> None:
    """Every projection of the run (`open_rows`: the task rows open before it, read by the
    caller), written past the unit of work (services/row_writes): a new case's instance
    inserted (`_write_new`), a running case's updated with its `lock_version` checked
    (`_write_rows`)."""
    open_tasks = run.open_tasks()
    timers = run.waiting_timers()
    completed = run.is_completed()
    with db.session.no_autoflush:  # the manual clock and a task's due date may read the db
        now, today = clock().now(), clock().today()
        tasks = [{"case_id": case.id, "guid": task.guid, "key": task.key, "title": task.title,
                  "state": "open", "created_at": now, "group_code": task.group,
                  "due_on": outcome.task_due_on(case, task.key, task.due, today)}
                 for task in open_tasks if task.guid not in open_rows]
        values = {"state_json": run.state_json(), "completed": completed,
                  "next_timer_due_at": timers[0].due_at if timers else None,
                  "timers": [{"name": t.name, "due_at": t.due_at.isoformat()} for t in timers],
                  "updated_at": now}
        if version_id is not None:
            values["version_id"] = version_id
        status, label = _status(run, completed, open_tasks)
        closing = completed and not case.closed
        case_values = {"status": status, "status_label": label, "closed": completed,
                       "updated_at": now}
        if inspect(instance).transient:
            _write_new(case, instance, values, case_values, tasks)
        else:
            _write_rows(case, instance, values, case_values, tasks,
                        _task_changes(open_rows, open_tasks, now))
        if closing:
            _release_seats(case, actor, today)


def _release_seats(case: Case, actor: str, today) -> None:
    """LD4: a case that closes gives back its seat in a session that has not started yet
    (its first day after today), so that the session's count (capacity, R32 group size) is
    the trainees still expected; the history says so. A session already started keeps the
    enrolment: its attendance may still be declared (R34)."""
    released = [e for e in case.enrollments if e.status == "enrolled"
                and e.session.status == "planned" and e.session.day1 > today]
    if not released:
        return
    stat_counters.touch((case.id,))  # the statistics count a course by its session
    for enr in released:
        update_row(enr, {"status": "cancelled"})
        audit.record(case, "inscription_liberee", actor, session=enr.session_id,
                     day1=enr.session.day1, day2=enr.session.day2, regle="LD4",
                     message="Dossier clos avant le début de la session : sa place est "
                             "libérée (décision LD4).")
    if case.session_id in {e.session_id for e in released}:
        update_row(case, {"session_id": None})


def _task_changes(open_rows: dict[str, HumanTask], current, now) -> list:
    """(row, values) for the open rows the run changed: cancelled when their task is gone, the
    group of a case migrated onto a version whose lanes differ (issue 14)."""
    live = {t.guid: t for t in current}
    changes = []
    for guid, row in open_rows.items():
        task = live.get(guid)
        if task is None:
            changes.append((row, {"state": "cancelled", "completed_at": now}))
        elif row.group_code != task.group:
            changes.append((row, {"group_code": task.group}))
    return changes


def _write_new(case, instance, values, case_values, tasks) -> None:
    """A new case's instance, with its first tasks (the case was marked for the statistics as
    created, `stat_counters.created_cases`, when it was inserted)."""
    for name, value in values.items():
        setattr(instance, name, value)
    insert_row(instance)
    keep_in_step(instance, "case", case)
    keep_in_step(case, "instance", instance)
    _insert_tasks(tasks, Counter())
    update_row(case, case_values)


def _insert_tasks(tasks: list[dict], moves: Counter) -> None:
    """New task rows in one INSERT; the task counters moved with `moves`."""
    if tasks:
        db.session.connection().execute(_INSERT_TASKS, tasks)
        moves.update(task_counters.triple(row["key"], None, "open") for row in tasks)
    task_counters.apply(db.session.connection(), moves)


def _write_rows(case, instance, values, case_values, tasks, task_changes) -> None:
    """A running case: the instance by its `lock_version` (another command that wrote it since
    this one read it wins, this one is a 409), the task rows and their counters, the case's
    status, and the statistics told which case to catch up, as the unit of work's hooks
    would have done."""
    if (tasks or any(v.get("state") for _, v in task_changes)
            or _figures_change(instance, values)):
        stat_counters.touch((case.id,))
    version = instance.lock_version
    if not update_row(instance, {**values, "lock_version": version + 1},
                      expect={"lock_version": version}):
        raise Conflict(_CONFLICT)
    moves: Counter = Counter()
    for row, changes in task_changes:
        if db.session.is_modified(row):  # the command changed it: the flush writes and counts
            for name, value in changes.items():
                setattr(row, name, value)
            continue
        before = task_counters.triple(row.key, row.assignee_id, row.state)
        update_row(row, changes)
        moves[before] -= 1
        moves[task_counters.triple(row.key, row.assignee_id, row.state)] += 1
    _insert_tasks(tasks, moves)
    if db.session.is_modified(case):  # one UPDATE of the case, with the command's changes
        for name, value in case_values.items():
            setattr(case, name, value)
    else:
        update_row(case, case_values)


def _figures_change(instance: ProcessInstance, values: dict) -> bool:
    """Whether the statistics read what changes of the instance (stat_counters.READ_COLUMNS)."""
    return any(name in values and values[name] != getattr(instance, name)
               for name in stat_counters.READ_COLUMNS[ProcessInstance])


def _status(run, completed: bool, open_tasks) -> tuple[str, str | None]:
    """The case's status code and label, as its diagram names them (docs/process-bundle.md).
    A version whose diagram names none keeps the statuses of services.statuses."""
    position = None if completed else run.position()
    if position is None:
        return statuses.of_position(completed, {t.key for t in open_tasks},
                                    run.active_element_ids()), None
    return position.code, position.label


def _open_task_rows(case: Case) -> dict[str, HumanTask]:
    """The case's open task rows, without flushing the command's changes: a row the command
    has just completed is still open in the database, so the state is checked here again."""
    with db.session.no_autoflush:
        rows = db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                          HumanTask.state == "open"))
        return {t.guid: t for t in rows if t.state == "open"}


def repin(case: Case, instance: ProcessInstance, version: ProcessVersion, run, actor: str) -> None:
    """Pin the instance to `version` with `run` (migrated onto it, services/case_migration.py)
    and write every projection back, in the caller's transaction."""
    open_rows = _open_task_rows(case)
    _write_back(case, instance, run, open_rows, actor, version_id=version.id)
    set_committed_value(instance, "version", version)


def diagram_state(case: Case) -> dict | None:
    """Completed and active BPMN element ids, the current steps (active elements but the
    sub-processes containing them, with their names) and waiting timers of the case's instance."""
    instance = case.instance
    if instance is None:
        return None
    version = instance.version
    run = engine().resume(version.id, version.xml, version.key, instance.state_json,
                                  context(case, "lecture"), files=version.files)
    return {
        "process": version.key, "version": version.version,
        "completed": sorted(run.completed_element_ids()),
        "active": sorted(run.active_element_ids()),
        # by name as a French reader looks for it (« Échéance » among the E's)
        "steps": [{"element": i, "name": name} for i, name in sorted(
            run.active_steps().items(), key=lambda step: (text_search.folded(step[1]), step[0]))],
        "timers": [{"element": t.name, "label": t.label, "due_at": t.due_at.isoformat()}
                   for t in run.waiting_timers()],
    }
