"""Bulk seeding: clone template cases (made through the services, so they are real) inside the
database with INSERT ... SELECT over a sequence of numbers: no row travels through Python, so
400,000 cases take seconds, not minutes, on SQLite and PostgreSQL alike.

Every copy gets its own licence, infraction, case, enrolment in its own session (a session holds
SESSION_SIZE copies, as a real one holds 6 to 20 trainees, R32), process instance, open tasks
and history events; ids are explicit, so the PostgreSQL sequences are moved past them after."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    cast,
    func,
    insert,
    literal,
    select,
    text,
)

from services import text_search
from services.db import db

SESSION_SIZE = 12
TABLES = ("course_sessions", "licences", "infractions", "cases", "enrollments",
          "process_instances", "human_tasks", "case_events")


def _rows(table, col, value):
    return [dict(r._mapping) for r in db.session.execute(select(table).where(col == value))]


def template(case_id: int) -> dict:
    t = db.metadata.tables
    case = _rows(t["cases"], t["cases"].c.id, case_id)[0]
    enrollments = _rows(t["enrollments"], t["enrollments"].c.case_id, case_id)
    assert len(enrollments) <= 1, "a template has at most one enrolment"
    sessions = [s for e in enrollments
                for s in _rows(t["course_sessions"], t["course_sessions"].c.id, e["session_id"])]
    return {
        "course_sessions": sessions,
        "licences": _rows(t["licences"], t["licences"].c.id, case["licence_id"]),
        "infractions": _rows(t["infractions"], t["infractions"].c.id, case["infraction_id"]),
        "cases": [case],
        "enrollments": enrollments,
        "process_instances": _rows(t["process_instances"], t["process_instances"].c.case_id,
                                   case_id),
        "human_tasks": _rows(t["human_tasks"], t["human_tasks"].c.case_id, case_id),
        "case_events": _rows(t["case_events"], t["case_events"].c.case_id, case_id),
    }


def _sequence(conn, n: int):
    """A temporary table bench_seq(k) holding 1..n (made once per connection, grown on demand)."""
    conn.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS bench_seq (k INTEGER PRIMARY KEY)"))
    have = conn.scalar(text("SELECT coalesce(max(k), 0) FROM bench_seq"))
    if have < n:
        conn.execute(text(
            "INSERT INTO bench_seq (k) WITH RECURSIVE s(k) AS (SELECT CAST(:a AS INTEGER) "
            "UNION ALL SELECT k + 1 FROM s WHERE k < :b) SELECT k FROM s"), {"a": have + 1, "b": n})
    return Table("bench_seq", MetaData(), Column("k", Integer))


def _max_ids(conn) -> dict[str, int]:
    t = db.metadata.tables
    return {name: conn.scalar(select(func.coalesce(func.max(t[name].c.id), 0)))
            for name in TABLES}


def _insert(conn, seq, table, row: dict, overrides: dict, where) -> None:
    """INSERT INTO table SELECT <row's values, or overrides(k)> FROM bench_seq WHERE ..."""
    cols, exprs = [], []
    for col in table.columns:
        cols.append(col.name)
        if col.name in overrides:
            exprs.append(overrides[col.name])
        else:
            exprs.append(literal(row[col.name], type_=col.type))
    conn.execute(insert(table).from_select(cols, select(*exprs).select_from(seq).where(where)))


def clone(mix: list[tuple[dict, int]], state_json: str | None = None,
          due_at: dt.datetime | None | str = "keep", prefix: int = 8,
          spread_days: int = 30) -> int:
    """Insert `count` copies of each template in `mix`; returns how many cases were inserted.
    `state_json` replaces the instance blob (a shared one keeps big datasets small);
    `due_at` overrides next_timer_due_at of open instances; open tasks' due dates are spread
    over `spread_days` days so the task list's order means something."""
    t = db.metadata.tables
    conn = db.session.connection()
    # copies are numbered k = lo..hi per template, each range starting a new session group
    ranges, first = [], 0
    for _, count in mix:
        ranges.append((first + 1, first + count))
        first = -(-(first + count) // SESSION_SIZE) * SESSION_SIZE
    kmax = ranges[-1][1] if ranges else 0
    seq = _sequence(conn, kmax)
    k = seq.c.k
    base = _max_ids(conn)
    ids = {name: literal(base[name], Integer) + k for name in TABLES}
    session_id = literal(base["course_sessions"] + 1, Integer) + (k - 1) // SESSION_SIZE
    number = cast(literal(prefix * 10**11, BigInteger) + k, String)
    for (tpl, _), (lo, hi) in zip(mix, ranges, strict=True):
        rng = k.between(lo, hi)

        def ins(name, row, overrides, where=rng):
            _insert(conn, seq, t[name], row, overrides, where)

        for r in tpl["course_sessions"]:  # made by the first copy of each group
            ins("course_sessions", r, {"id": session_id}, rng & ((k - 1) % SESSION_SIZE == 0))
        for r in tpl["licences"]:
            # the copy's number, then the template's names, as text_search.search_key folds them
            names = text_search.search_key("", r["last_name"], r["first_name"])
            ins("licences", r, {"id": ids["licences"], "number": number,
                                "search_key": number + literal(f" {names}")})
        for r in tpl["infractions"]:
            ins("infractions", r, {"id": ids["infractions"], "licence_id": ids["licences"]})
        has_enr = bool(tpl["enrollments"])
        for r in tpl["cases"]:
            ins("cases", r, {
                "id": ids["cases"], "licence_id": ids["licences"],
                "infraction_id": ids["infractions"],
                "reference": literal(f"B{prefix}-") + number,
                "session_id": session_id if r["session_id"] and has_enr else literal(None),
                "credited_enrollment_id": literal(None)})  # set once the enrolment exists
        for r in tpl["enrollments"]:
            ins("enrollments", r, {"id": ids["enrollments"], "case_id": ids["cases"],
                                   "session_id": session_id})
        if tpl["cases"][0]["credited_enrollment_id"]:
            cases = t["cases"]
            conn.execute(cases.update()
                         .where(cases.c.id.between(base["cases"] + lo, base["cases"] + hi))
                         .values(credited_enrollment_id=cases.c.id
                                 + (base["enrollments"] - base["cases"])))
        for r in tpl["process_instances"]:
            over = {"id": ids["process_instances"], "case_id": ids["cases"]}
            if state_json is not None:
                over["state_json"] = literal(state_json)
            if due_at != "keep" and r["next_timer_due_at"] is not None:
                over["next_timer_due_at"] = literal(
                    due_at, type_=t["process_instances"].c.next_timer_due_at.type)
            ins("process_instances", r, over)
        for j, r in enumerate(tpl["human_tasks"]):
            over = {"id": literal(base["human_tasks"] + j * kmax, Integer) + k,
                    "case_id": ids["cases"],
                    "guid": literal(f"b{prefix}-{j}-") + cast(k, String)}
            if r["due_on"] is None or r["state"] != "open":
                ins("human_tasks", r, over)
                continue
            for day in range(spread_days):  # due dates spread over the days
                due = literal(r["due_on"] + dt.timedelta(days=day),
                              type_=t["human_tasks"].c.due_on.type)
                ins("human_tasks", r, {**over, "due_on": due}, rng & (k % spread_days == day))
        for j, r in enumerate(tpl["case_events"]):
            ins("case_events", r, {"id": literal(base["case_events"] + j * kmax, Integer) + k,
                                   "case_id": ids["cases"]})
    total = sum(count for _, count in mix)
    if conn.dialect.name == "postgresql":
        for name in TABLES:  # explicit ids: move each sequence past them
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                              f"(SELECT max(id) FROM {name}))"))
    db.session.commit()
    return total


def analyze() -> None:
    """Fresh planner statistics (and, on PostgreSQL, the visibility map index-only scans use;
    then a checkpoint, so that writing the seed's dirty pages does not happen while measuring)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text("CHECKPOINT"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
