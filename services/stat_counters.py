"""The statistics' roll-up counters (issue 18), caught up after the commands that change a
figure (issue 17).

Every figure of `services/statistics.py` is a sum over cases: each case contributes to some
(centre, month, figure) counters and to some (version, step, day) counters of the heatmap.
`contributions(case_ids)` computes what the given cases contribute now, with the same
aggregate SQL for one case as for all of them.

1. A command **marks** the cases whose figures it changes (an ORM flush of the case, its
   enrolments, tasks, instance or session that changes a column the figures read, or a Core
   INSERT of a history event they count by `audit.record`): at commit, one `INSERT … ON
   CONFLICT DO UPDATE` of their rows in `stat_case_parts` (`pending`: a new random mark). It
   reads no contribution, unless the case has no row yet (never caught up since the last
   rebuild): then it reads the case's contribution once, before changing it, and stores it as
   what the counters hold of the case (`parts`).
2. A **catch-up** (`catch_up`: the worker at each turn, and every read of the statistics
   before it reads) takes the marked rows FOR UPDATE, reads each case's contribution once
   however many commands marked it, adds the difference against `parts` to the counters by
   UPSERT (`n = n + excluded.n`), and stores the new parts, unmarked. A command marking a case
   meanwhile waits for the row and marks it again after: its change is caught up next time.

So a column that changes back and forth (an obligation re-decided, a refund replayed, a case
moved to another version) is taken off the figure it left and added to the one it joins;
`rebuild()` (all cases at once, `flask stats rebuild`) gives the same counters and forgets the
parts (every case is then as if never caught up).

What the SQL cannot see: a change of the rules' configuration (`CFG_DEADLINE_TEST`,
`CFG_PRE_48N_COURSE_DISCHARGES` judge a course in time or late) or rows written by hand in SQL
(the bench's bulk seed): run `flask stats rebuild` after them."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    event,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import CompileError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from services.db import adding_upsert, command, db, dialect_insert
from services.models import (
    Case,
    CaseEvent,
    CourseSession,
    Enrollment,
    HumanTask,
    ProcessInstance,
    StatCaseParts,
    StatCounter,
    StatStep,
)
from services.models.stats import ALL_CENTRES, NO_DAY
from services.settings import rules_config

_INFO = "stat_counters"
CHUNK = 500  # case ids per IN list


# ---- what cases contribute ---------------------------------------------------------------------

def _const(name: str):
    return literal_column(f"'{name}'", String)


def _n(expr):
    return cast(expr, BigInteger)


def _of(col, ids):
    """`col` among the cases `ids`: an expanding IN list, or `= :id` for one case (a plain
    parameter, which needs no rendering of the statement per execution)."""
    if isinstance(ids, BindParameter) and not ids.expanding:
        return col == ids
    return col.in_(ids)


def _case_centres(ids):
    """(case_id, centre_id) of every centre where the case had a seat (any enrolment)."""
    q = (select(Enrollment.case_id.label("case_id"), CourseSession.centre_id.label("centre_id"))
         .join(CourseSession, Enrollment.session_id == CourseSession.id).distinct())
    if ids is not None:
        q = q.where(_of(Enrollment.case_id, ids))
    return q.subquery()


def _parts(month, figure, n, case_col, where, ids, *, froms=(), centre_col=None,
           group_figure=True, per_case=False):
    """The rows (centre, month, figure, n) of one figure: for all centres (0), and per centre,
    either the enrolment's session's centre (`centre_col`) or each centre where the case had a
    seat; `per_case`: (case_id, centre, month, figure, n), one group per case."""
    conds = list(where)
    if ids is not None:
        conds.append(_of(case_col, ids))
    out = []
    for per_centre in (False, True):
        if not per_centre:
            centre = literal_column(str(ALL_CENTRES), Integer)
            joins = ()
        elif centre_col is not None:
            centre = centre_col
            joins = ()
        else:
            cc = _case_centres(ids)
            centre = cc.c.centre_id
            joins = ((cc, cc.c.case_id == case_col),)
        q = select(*([case_col.label("case_id")] if per_case else []), centre.label("c"),
                   month.label("m"), figure.label("f"), _n(n).label("n"))
        for f in froms:
            q = q.select_from(f) if not isinstance(f, tuple) else q.join(*f)
        for j in joins:
            q = q.join(*j)
        group = [month] + ([figure] if group_figure else [])
        if per_centre:
            group.insert(0, centre)
        if per_case:
            group.insert(0, case_col)
        out.append(q.where(*conds).group_by(*group))
    return out


def _monthly_parts(ids, per_case: bool = False) -> list:
    from services import statistics as st

    def part(*args, **kwargs):
        return _parts(*args, per_case=per_case, **kwargs)

    parts = []
    # 48N letters, and the obligations of their cohort (the month the letter was sent)
    letter_m = st._month_of_date(Case.letter_sent_on)
    mandatory = [Case.kind == "obligatoire", Case.letter_sent_on.is_not(None)]
    parts += part(letter_m, _const("letters_48n"), func.count(), Case.id, mandatory, ids,
                    froms=(Case,), group_figure=False)
    obligation = case((Case.obligation == "met", "obligation:met"),
                      (Case.obligation == "not_met", "obligation:not_met"),
                      else_="obligation:pending")
    parts += part(letter_m, obligation, func.count(), Case.id, mandatory, ids, froms=(Case,))
    # cases opened, by the Paris month of their creation
    kind = case((Case.kind == "obligatoire", "cases_opened:mandatory"),
                (Case.kind == "volontaire", "cases_opened:voluntary"), else_="cases_opened:other")
    parts += part(st._month_of_instant(Case.created_at), kind, func.count(), Case.id, [], ids,
                    froms=(Case,))
    # courses done (attestation issued), by their last day, judged on their dates (R19)
    cfg = rules_config()
    judged_day = CourseSession.day2 if cfg.deadline_test == "LAST_DAY" else CourseSession.day1
    in_time = judged_day <= Case.deadline
    if not cfg.pre_48n_course_discharges:
        in_time = and_(in_time, CourseSession.day1 >= Case.notified_on)
    category = case((Case.deadline.is_(None), "courses:no_deadline"),
                    (in_time, "courses:in_time"), else_="courses:late")
    parts += part(st._month_of_date(CourseSession.day2), category, func.count(),
                    Enrollment.case_id, [Enrollment.attestation_issued_on.is_not(None)], ids,
                    froms=(Enrollment, (CourseSession, Enrollment.session_id == CourseSession.id),
                           (Case, Enrollment.case_id == Case.id)),
                    centre_col=CourseSession.centre_id)
    # the decisions recorded in the history, by the Paris month of the event
    event_m = st._month_of_instant(CaseEvent.at)
    credits = [CaseEvent.type == "points_credites"]
    credited = CaseEvent.detail["decision"].as_string() == "crediter"
    parts += part(event_m, case((credited, "points:credited"), else_="points:refused"),
                    func.count(), CaseEvent.case_id, credits, ids, froms=(CaseEvent,))
    parts += part(event_m, _const("points:points"),
                    func.coalesce(func.sum(CaseEvent.detail["points"].as_integer()), 0),
                    CaseEvent.case_id, credits, ids, froms=(CaseEvent,), group_figure=False)
    refunds = [CaseEvent.type == "remboursement_decide"]
    eligible = CaseEvent.detail[("refund", "eligible")].as_boolean()
    amount = CaseEvent.detail[("refund", "amount")].as_float()
    parts += part(event_m, case((eligible, "refunds:granted"), else_="refunds:refused"),
                    func.count(), CaseEvent.case_id, refunds, ids, froms=(CaseEvent,))
    parts += part(event_m, _const("refunds:amount_cents"),
                    func.coalesce(func.sum(case((eligible, func.round(
                        func.coalesce(amount, 0) * 100)), else_=0)), 0),
                    CaseEvent.case_id, refunds, ids, froms=(CaseEvent,), group_figure=False)
    referral = case((CaseEvent.type == "echeance_depassee", "referrals:candidates"),
                    (CaseEvent.detail["decision"].as_string() == "signaler",
                     "referrals:referred"), else_="referrals:not_referred")
    parts += part(event_m, referral, func.count(), CaseEvent.case_id,
                    # (two comparisons, not an IN list: SQLAlchemy renders an IN list's
                    # parameters again at every execution)
                    [or_(CaseEvent.type == "echeance_depassee",
                         CaseEvent.type == "signalement_decide")], ids,
                    froms=(CaseEvent,))
    # the delay from the attestation's receipt to the credit (R39, D4), by the Paris month of
    # the credit: a histogram by day count, and how many beyond one month
    day = st._paris_day(Enrollment.credited_at)
    credit_m = st._month_of_instant(Enrollment.credited_at)
    delay = st._days_between(day, Enrollment.attestation_received_on)
    received = [Enrollment.credited_at.is_not(None),
                Enrollment.attestation_received_on.is_not(None)]
    froms = (Enrollment, (CourseSession, Enrollment.session_id == CourseSession.id))
    parts += part(credit_m, _const("credit:credited"), func.count(), Enrollment.case_id,
                    received, ids, froms=froms, centre_col=CourseSession.centre_id,
                    group_figure=False)
    beyond = case((day > st._one_month_after(Enrollment.attestation_received_on), 1), else_=0)
    parts += part(credit_m, _const("credit:beyond_one_month"), func.sum(beyond),
                    Enrollment.case_id, received, ids, froms=froms,
                    centre_col=CourseSession.centre_id, group_figure=False)
    parts += part(credit_m, _const("credit_days:").concat(cast(delay, String)), func.count(),
                    Enrollment.case_id, received, ids, froms=froms,
                    centre_col=CourseSession.centre_id)
    # the open tasks now, by key and by the Paris day they were opened (their age is counted
    # from it when the figures are read)
    opened = st._paris_day(HumanTask.created_at)
    parts += part(st._month_of_instant(HumanTask.created_at),
                    _const("open_task:").concat(HumanTask.key).concat(":")
                    .concat(cast(opened, String)),
                    func.count(), HumanTask.case_id, [HumanTask.state == "open"], ids,
                    froms=(HumanTask,))
    return parts


_STATEMENTS: dict = {}


def _monthly() -> Counter:
    """Every case's monthly figures (the rebuild's)."""
    out: Counter = Counter()
    for c, m, f, n in db.session.execute(union_all(*_monthly_parts(None))).all():
        if m is not None and n:
            out[(int(c), m, f)] += int(n)
    return out


def _step_statements() -> tuple:
    """(open tasks by version, key and day; timers; running instances) of every case (the
    rebuild's; a command reads its cases' with `_cases_statement`): built once per dialect."""
    from services import statistics as st

    key = ("steps", db.session.get_bind().dialect.name)
    stmts = _STATEMENTS.get(key)
    if stmts is not None:
        return stmts
    day = st._paris_day(HumanTask.created_at)
    tasks = (select(ProcessInstance.version_id, HumanTask.key, day, func.count())
             .join(ProcessInstance, ProcessInstance.case_id == HumanTask.case_id)
             .where(HumanTask.state == "open").group_by(ProcessInstance.version_id,
                                                         HumanTask.key, day))
    if st._pg():
        sql = ("SELECT p.version_id, e ->> 'name', count(*) FROM process_instances p, "
               "json_array_elements(p.timers) e WHERE NOT p.completed GROUP BY 1, 2")
    else:
        sql = ("SELECT p.version_id, json_extract(j.value, '$.name'), count(*) FROM "
               "process_instances p, json_each(p.timers) j WHERE p.completed = 0 GROUP BY 1, 2")
    timers = text(sql)
    running = (select(ProcessInstance.version_id, func.count())
               .where(ProcessInstance.completed.is_(False))
               .group_by(ProcessInstance.version_id))
    stmts = _STATEMENTS[key] = (tasks, timers, running)
    return stmts


def _steps() -> Counter:
    """Every case's step counters (the rebuild's)."""
    out: Counter = Counter()
    tasks, timers, running = _step_statements()
    for version_id, key, d, n in db.session.execute(tasks).all():
        out[(version_id, "task", key, _date(d))] += int(n)
    for version_id, name, n in db.session.execute(timers).all():
        if name:
            out[(version_id, "timer", name, NO_DAY)] += int(n)
    for version_id, n in db.session.execute(running).all():
        out[(version_id, "running", "", NO_DAY)] += int(n)
    return out


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _cases_statement(single: bool, per_case: bool = False):
    """Everything the cases of the expanding parameter `ids` (`single`: the one case `id`)
    contribute, monthly figures and steps, in ONE statement of rows (kind, c, m, f, n): kind
    'M' (c centre, m month, f figure), 'T' open tasks (c version, m day, f key), 'R' timers
    (c version, f name), 'S' running instances (c version). Built once per dialect and rules
    configuration. `per_case`: each row starts with its case's id (the catch-up reads many
    cases' contributions apart, in one statement)."""
    from services import statistics as st

    cfg = rules_config()
    dialect = db.session.get_bind().dialect.name
    key = ("cases", dialect, cfg.deadline_test, cfg.pre_48n_course_discharges, single,
           per_case)
    stmt = _STATEMENTS.get(key)
    if stmt is not None:
        return stmt
    ids = bindparam("id", type_=Integer) if single else bindparam("ids", expanding=True)
    monthly = union_all(*_monthly_parts(ids, per_case)).subquery("mo")

    def case_of(column) -> list:  # a callable: a per-case-only column exists only then
        return [column()] if per_case else []

    rows = [select(*case_of(lambda: monthly.c.case_id), _const("M").label("k"), monthly.c.c,
                   monthly.c.m, monthly.c.f, monthly.c.n)]
    day = st._paris_day(HumanTask.created_at)
    rows.append(select(*case_of(lambda: HumanTask.case_id), _const("T"), ProcessInstance.version_id,
                       cast(day, String), HumanTask.key, _n(func.count()))
                .join(ProcessInstance, ProcessInstance.case_id == HumanTask.case_id)
                .where(HumanTask.state == "open", _of(HumanTask.case_id, ids))
                .group_by(*case_of(lambda: HumanTask.case_id), ProcessInstance.version_id,
                          HumanTask.key, day))
    where = " AND p.case_id = :id" if single else " AND p.case_id IN :ids"
    case_sql = "p.case_id AS case_id, " if per_case else ""
    group_sql = " GROUP BY 1, 2, 3" if per_case else " GROUP BY 1, 2"
    if dialect == "postgresql":
        sql = (f"SELECT {case_sql}p.version_id AS v, e ->> 'name' AS name, count(*) AS n FROM "
               "process_instances p, json_array_elements(p.timers) e WHERE NOT p.completed"
               + where + group_sql)
    else:
        sql = (f"SELECT {case_sql}p.version_id AS v, json_extract(j.value, '$.name') AS name, "
               "count(*) AS n FROM process_instances p, json_each(p.timers) j "
               "WHERE p.completed = 0" + where + group_sql)
    timers = (text(sql).bindparams(ids)
              .columns(*case_of(lambda: literal_column("case_id", Integer)),
                       literal_column("v", Integer), literal_column("name", String),
                       literal_column("n", BigInteger)).subquery("ti"))
    rows.append(select(*case_of(lambda: timers.c.case_id), _const("R"), timers.c.v,
                       cast(null(), String), timers.c.name, _n(timers.c.n)))
    rows.append(select(*case_of(lambda: ProcessInstance.case_id), _const("S"),
                       ProcessInstance.version_id, cast(null(), String), _const(""),
                       _n(func.count()))
                .where(ProcessInstance.completed.is_(False), _of(ProcessInstance.case_id, ids))
                .group_by(*case_of(lambda: ProcessInstance.case_id), ProcessInstance.version_id))
    stmt = union_all(*rows)
    if single:
        inlined = _inlined(stmt, db.session.get_bind().dialect)
        stmt = stmt if inlined is None else inlined
    _STATEMENTS[key] = stmt
    return stmt


_NO_CASE = -7364928173645  # an id no case has, written where the statement's `:id` goes


def _inlined(stmt, dialect):
    """The one-case statement as SQL text with its constants written in (about 760 of them: the
    figures' labels, formats, JSON paths, ...), so that an execution binds one parameter
    instead of processing every constant again (0.2 ms per read). None, and the statement
    runs as built, when a constant has no inline form or the text would not round-trip."""
    try:
        sql = str(stmt.params(id=_NO_CASE).compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}))
    except CompileError:
        return None
    if str(_NO_CASE) not in sql or ("%" in sql and dialect.identifier_preparer._double_percents):
        return None
    inlined = (text(sql.replace(str(_NO_CASE), ":id"))
               .bindparams(bindparam("id", type_=Integer))
               .columns(literal_column("k", String), literal_column("c", Integer),
                        literal_column("m", String), literal_column("f", String),
                        literal_column("n", BigInteger)))
    if set(inlined.compile(dialect=dialect).binds) != {"id"}:
        return None  # a ':name' in a constant would be read as a parameter
    return inlined


def _add_row(monthly: Counter, steps: Counter, k, c, m, f, n) -> None:
    if k == "M":
        if m is not None and n:
            monthly[(int(c), m, f)] += int(n)
    elif k == "T":
        steps[(c, "task", f, _date(m))] += int(n)
    elif k == "R":
        if f:
            steps[(c, "timer", f, NO_DAY)] += int(n)
    else:
        steps[(c, "running", "", NO_DAY)] += int(n)


def _of_cases(ids: list) -> tuple[Counter, Counter]:
    monthly, steps = Counter(), Counter()
    if len(ids) == 1:
        rows = db.session.execute(_cases_statement(True), {"id": ids[0]})
    else:
        rows = db.session.execute(_cases_statement(False), {"ids": ids})
    for row in rows:
        _add_row(monthly, steps, *row)
    return monthly, steps


def contributions_by_case(case_ids) -> dict[int, tuple[Counter, Counter]]:
    """{case id: (monthly, steps)} of each of these cases, read in one statement per CHUNK
    (a case that contributes nothing is there, empty)."""
    ids = sorted(case_ids)
    out = {case_id: (Counter(), Counter()) for case_id in ids}
    stmt = _cases_statement(False, per_case=True)
    for i in range(0, len(ids), CHUNK):
        for case_id, *row in db.session.execute(stmt, {"ids": ids[i:i + CHUNK]}):
            _add_row(*out[case_id], *row)
    return out


def contributions(case_ids=None) -> tuple[Counter, Counter]:
    """(monthly counters, step counters) that these cases (all cases: None) contribute now."""
    if case_ids is None:
        return _monthly(), _steps()
    monthly, steps = Counter(), Counter()
    ids = sorted(case_ids)
    for i in range(0, len(ids), CHUNK):
        m, s = _of_cases(ids[i:i + CHUNK])
        monthly.update(m)
        steps.update(s)
    return monthly, steps


# ---- writing the counters ------------------------------------------------------------------------

def _upserts() -> tuple:
    """(stat_counters, stat_steps) UPSERTs adding `excluded.n`."""
    dialect = db.session.get_bind().dialect.name
    return (adding_upsert(StatCounter.__table__, ("centre_id", "month", "figure"), dialect),
            adding_upsert(StatStep.__table__, ("version_id", "kind", "element", "day"), dialect))


def add(monthly: Counter, steps: Counter) -> None:
    """Add these differences to the counters: one UPSERT per table (n = n + excluded.n)."""
    upsert_counters, upsert_steps = _upserts()
    conn = db.session.connection()
    rows = [{"centre_id": c, "month": m, "figure": f, "n": n}
            for (c, m, f), n in sorted(monthly.items()) if n]
    if rows:
        conn.execute(upsert_counters, rows)
    rows = [{"version_id": v, "kind": k, "element": e, "day": d, "n": n}
            for (v, k, e, d), n in sorted(steps.items()) if n]
    if rows:
        conn.execute(upsert_steps, rows)


@command
def rebuild() -> tuple[int, int]:
    """Recompute every counter from the cases, in the caller's transaction: (monthly rows,
    step rows) written."""
    conn = db.session.connection()
    conn.execute(delete(StatCounter.__table__))
    conn.execute(delete(StatStep.__table__))
    # every case is then as if never caught up: its next command reads its contribution first
    conn.execute(delete(StatCaseParts.__table__))
    monthly, steps = contributions(None)
    add(monthly, steps)
    return len([n for n in monthly.values() if n]), len([n for n in steps.values() if n])


def stored() -> tuple[Counter, Counter]:
    """The counters as stored (zeros left out): for the tests and the checks."""
    monthly = Counter({(c, m, f): n for c, m, f, n in db.session.execute(
        select(StatCounter.centre_id, StatCounter.month, StatCounter.figure, StatCounter.n))
        if n})
    steps = Counter({(v, k, e, _date(d)): n for v, k, e, d, n in db.session.execute(
        select(StatStep.version_id, StatStep.kind, StatStep.element, StatStep.day, StatStep.n))
        if n})
    return monthly, steps


# ---- following a command's transaction -----------------------------------------------------------

def _state(session: Session) -> dict:
    state = session.info.get(_INFO)
    if state is None:
        state = session.info[_INFO] = {"cases": set(), "before": {}}
    return state


def touch(case_ids, session: Session | None = None) -> None:
    """Follow these cases in this transaction before the command changes them: each is marked at
    commit. A case never caught up since the last rebuild (no `stat_case_parts` row) has its
    contribution read now, once, as what the counters hold of it."""
    session = session or db.session()
    state = _state(session)
    new = {i for i in case_ids if i is not None} - state["cases"]
    if not new:
        return
    with session.no_autoflush:
        known = set(session.scalars(select(StatCaseParts.case_id)
                                    .where(StatCaseParts.case_id.in_(sorted(new)))))
        for case_id in sorted(new - known):
            state["before"][case_id] = contributions({case_id})
    state["cases"] |= new


def _marks(state: dict) -> list[dict]:
    token = secrets.randbits(62) + 1  # never 0: NULL is « caught up »
    before = state["before"]
    return [{"case_id": case_id, "pending": token,
             "parts": _to_json(*before[case_id]) if case_id in before else None}
            for case_id in sorted(state["cases"])]


def _mark_statement():
    """`INSERT … ON CONFLICT (case_id) DO UPDATE`: the mark replaced, the parts kept (a known
    case's row has them; only a case without a row brings its own)."""
    dialect = db.session.get_bind().dialect.name
    stmt = _STATEMENTS.get(("mark", dialect))
    if stmt is None:
        table = StatCaseParts.__table__
        base = dialect_insert(table, dialect)
        stmt = _STATEMENTS[("mark", dialect)] = base.on_conflict_do_update(
            index_elements=["case_id"],
            set_={"pending": base.excluded.pending,
                  "parts": func.coalesce(table.c.parts, base.excluded.parts)})
    return stmt


# ---- catching up -------------------------------------------------------------------------------

CATCH_UP_BATCH = 200  # marked cases per catch-up transaction


@command
def catch_up(limit: int = CATCH_UP_BATCH, skip_locked: bool = False) -> int:
    """Add to the counters the difference of up to `limit` marked cases against what each last
    added, in one transaction; how many cases. Their rows are locked (FOR UPDATE on PostgreSQL;
    the worker skips those another catch-up holds, a read of the statistics waits for them), so
    a case is never added twice; a command marking a case meanwhile waits for the lock and marks
    it again after, so its change is caught up next time."""
    rows = db.session.execute(
        select(StatCaseParts.case_id, StatCaseParts.parts, StatCaseParts.pending)
        .where(StatCaseParts.pending.is_not(None)).order_by(StatCaseParts.case_id).limit(limit)
        .with_for_update(skip_locked=skip_locked)).all()
    if not rows:
        return 0
    monthly, steps = Counter(), Counter()
    done = []
    now = contributions_by_case([case_id for case_id, _, _ in rows])
    for case_id, parts, token in rows:
        now_monthly, now_steps = now[case_id]
        if parts is not None:  # (None: see StatCaseParts.parts)
            was_monthly, was_steps = _from_json(parts)
            monthly.subtract(was_monthly)
            steps.subtract(was_steps)
        monthly.update(now_monthly)
        steps.update(now_steps)
        done.append({"id": case_id, "token": token, "parts": _to_json(now_monthly, now_steps)})
    table = StatCaseParts.__table__
    stmt = (update(table).where(table.c.case_id == bindparam("id"),
                                table.c.pending == bindparam("token"))
            .values(parts=bindparam("parts"), pending=None))
    conn = db.session.connection()
    for row in done:
        if conn.execute(stmt, row).rowcount != 1:  # never under the lock: undo, never add twice
            raise RuntimeError(f"statistics: case {row['id']} was marked again during its "
                               "catch-up without waiting for it")
    add(monthly, steps)
    return len(rows)


def catch_up_all(skip_locked: bool = False, max_rounds: int = 1000) -> int:
    """Catch up every marked case (the statistics' reads, the worker), one transaction per
    batch, until none is left (a batch may come back short: a case another catch-up held is
    no longer marked once it got it); how many cases. Nothing marked: one small read."""
    total = 0
    if not db.session.scalar(select(StatCaseParts.case_id)
                             .where(StatCaseParts.pending.is_not(None)).limit(1)):
        return 0
    for _ in range(max_rounds):
        n = catch_up(skip_locked=skip_locked)
        total += n
        if n == 0:
            break
    return total


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StatCaseParts)
                             .where(StatCaseParts.pending.is_not(None)))


def _to_json(monthly: Counter, steps: Counter) -> dict:
    return {"m": [[c, m, f, n] for (c, m, f), n in sorted(monthly.items()) if n],
            "s": [[v, k, e, d.isoformat(), n] for (v, k, e, d), n in sorted(steps.items()) if n]}


def _from_json(parts: dict) -> tuple[Counter, Counter]:
    monthly = Counter({(c, m, f): n for c, m, f, n in parts.get("m", [])})
    steps = Counter({(v, k, e, dt.date.fromisoformat(d)): n
                     for v, k, e, d, n in parts.get("s", [])})
    return monthly, steps


def _case_ids(session: Session, objects, before: bool) -> set:
    ids = set()
    for obj in objects:
        if isinstance(obj, Case):
            ids.add(obj.id)
        elif isinstance(obj, Enrollment | HumanTask | ProcessInstance):
            case_id = obj.case_id
            if case_id is None and before and obj.case is not None:
                case_id = obj.case.id
            ids.add(case_id)
        elif isinstance(obj, CourseSession) and obj.id is not None and before:
            # a session's dates or centre judge and place its trainees' courses
            ids |= set(session.scalars(select(Enrollment.case_id).where(
                Enrollment.session_id == obj.id)).all())
    ids.discard(None)
    return ids


# The columns the figures read (the SQL above): a flush that changes none of them (a claim, an
# instance's engine state, a case's status or update time) changes no counter and reads nothing.
READ_COLUMNS = {
    Case: ("created_at", "deadline", "kind", "letter_sent_on", "notified_on", "obligation"),
    CourseSession: ("centre_id", "day1", "day2"),
    Enrollment: ("attestation_issued_on", "attestation_received_on", "credited_at", "case_id",
                 "session_id"),
    HumanTask: ("case_id", "created_at", "key", "state"),
    ProcessInstance: ("case_id", "completed", "version_id", "timers"),
}
# the history events the figures count: points credited, refunds decided, referrals
COUNTED_EVENTS = ("points_credites", "remboursement_decide", "echeance_depassee",
                  "signalement_decide")


def _changes_a_figure(obj) -> bool:
    columns = READ_COLUMNS.get(type(obj))
    if columns is None:
        return False
    attrs = sa_inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in columns)


@event.listens_for(Session, "before_flush")
def _before_flush(session, _flush_context, _instances):
    dirty = [o for o in session.dirty if _changes_a_figure(o)]
    objects = [*dirty, *session.deleted, *session.new]
    if not any(isinstance(o, Case | Enrollment | HumanTask | ProcessInstance | CourseSession)
               for o in objects):
        return
    with session.no_autoflush:
        touch(_case_ids(session, objects, before=True), session)


@event.listens_for(Session, "after_flush")
def _after_flush(session, _flush_context):
    created_cases({o.id for o in session.new if isinstance(o, Case)}, session)


def created_cases(case_ids, session: Session | None = None) -> None:
    """Cases inserted in this transaction contributed nothing before it: marked at commit,
    their parts empty (the flush's hook for the unit of work's inserts; a command that
    inserts a case past it calls this itself)."""
    if not case_ids:
        return
    state = _state(session or db.session())
    state["cases"] |= set(case_ids)
    for case_id in case_ids:
        state["before"].setdefault(case_id, (Counter(), Counter()))


@event.listens_for(Session, "before_commit")
def _before_commit(session):
    if session.new or session.dirty or session.deleted:
        session.flush()  # (the commit's own flush comes after this hook)
    state = session.info.pop(_INFO, None)
    if not state or not state["cases"]:
        return
    session.connection().execute(_mark_statement(), _marks(state))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction):
    if transaction.parent is None:
        session.info.pop(_INFO, None)
