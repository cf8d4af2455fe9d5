"""The prefecture's monthly figures (issue 18, item 3) and the heatmap of a process version.

Every figure is one aggregate query (GROUP BY month, or by step) run by the database: no row
travels to Python, only one row per month and category. Months are calendar months
(`YYYY-MM`); a period is at most MAX_MONTHS long. Nothing here writes."""

from __future__ import annotations

import copy
import datetime as dt
import re
import threading
import time

from flask import current_app
from sqlalchemy import Date, Integer, and_, case, cast, exists, func, literal, select, text

from services.clock import PARIS, clock
from services.db import db
from services.errors import Invalid
from services.models import (
    Case,
    CaseEvent,
    Centre,
    CourseSession,
    Enrollment,
    HumanTask,
    ProcessInstance,
    ProcessVersion,
)
from services.settings import rules_config, setting
from services.statuses import TASK_TITLES

CACHE_SECONDS = 300  # app.config["STATISTICS_CACHE_SECONDS"] overrides it; 0 disables the cache
CACHE_ENTRIES = 64
_cache_lock = threading.Lock()
MAX_MONTHS = 36
DEFAULT_MONTHS = 12
MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
# open tasks by age, in days since the task was opened: (label, lower bound included)
AGE_BUCKETS = (("moins de 8 jours", 0), ("8 à 15 jours", 8), ("16 à 30 jours", 16),
               ("31 à 60 jours", 31), ("plus de 60 jours", 61))


# ---- the period and the centre -----------------------------------------------------------------

def _month(raw: str, field: str) -> dt.date:
    m = MONTH.match(raw.strip())
    if not m:
        raise Invalid.field(field, f"Mois invalide « {raw[:20]} » : format attendu AAAA-MM "
                            "(par exemple 2026-03).", "Période invalide.")
    year = int(m.group(1))
    if year < 2000 or year > 2100:
        raise Invalid.field(field, "Année attendue entre 2000 et 2100.", "Période invalide.")
    return dt.date(year, int(m.group(2)), 1)


def _add_months(first: dt.date, n: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def period(from_raw: str | None, to_raw: str | None) -> tuple[dt.date, dt.date]:
    """The first day of the first and of the last month; default: the twelve months up to the
    clock's current month. Raises Invalid (422, French) on a bad month or period."""
    today = clock().today()
    to = _month(to_raw, "to") if to_raw else dt.date(today.year, today.month, 1)
    frm = _month(from_raw, "from") if from_raw else _add_months(to, 1 - DEFAULT_MONTHS)
    if frm > to:
        raise Invalid.field("from", "Le premier mois doit précéder le dernier.",
                            "Période invalide.")
    months = (to.year - frm.year) * 12 + to.month - frm.month + 1
    if months > MAX_MONTHS:
        raise Invalid.field("from", f"Période trop longue : {MAX_MONTHS} mois au plus.",
                            "Période invalide.")
    return frm, to


def centre_by_agrement(agrement: str | None) -> Centre | None:
    if not agrement:
        return None
    centre = db.session.scalar(select(Centre).where(Centre.agrement == agrement.strip()[:30]))
    if centre is None:
        raise Invalid.field("centre", f"Centre inconnu : « {agrement[:30]} ».", "Centre inconnu.")
    return centre


# ---- SQL helpers, by dialect ---------------------------------------------------------------------

def _pg() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _month_of_date(col):
    return func.to_char(col, "YYYY-MM") if _pg() else func.strftime("%Y-%m", col)


def _sqlite_paris(col):
    """SQLite stores naive UTC text and has no time zones: the Paris wall-clock time of a stored
    instant, summer time (UTC+2) from the last Sunday of March to the last Sunday of October at
    01:00 UTC (the Sunday on or after the 25th), UTC+1 otherwise."""
    year = func.strftime("%Y", col)

    def switch(month_day):
        return func.datetime(func.date(year.concat(month_day), "weekday 0"), "+1 hours")

    summer = and_(col >= switch("-03-25"), col < switch("-10-25"))
    return func.datetime(col, case((summer, "+2 hours"), else_="+1 hours"))


def _paris_day(col):
    """The Paris calendar day of a stored UTC instant."""
    if _pg():
        return cast(func.timezone("Europe/Paris", col), Date)
    return func.date(_sqlite_paris(col))


def _month_of_instant(col, frm: dt.date | None = None, end: dt.date | None = None):
    """The Paris month of a stored instant. On SQLite, within a known period [frm, end), a
    comparison with each month's first instant (cheaper than converting every row)."""
    if _pg():
        return func.to_char(func.timezone("Europe/Paris", col), "YYYY-MM")
    if frm is None or end is None:
        return func.strftime("%Y-%m", _sqlite_paris(col))
    whens, month = [], frm
    while month < end:
        following = _add_months(month, 1)
        whens.append((col < _instant(following), month.strftime("%Y-%m")))
        month = following
    return case(*whens, else_=None)


def _days_between(later_day, earlier_day):
    if _pg():
        return later_day - earlier_day
    return cast(func.julianday(later_day) - func.julianday(earlier_day), Integer)


def _one_month_after(day_col):
    """D4: one calendar month after the day, clamped to the month's end (SQLite's '+1 month'
    overflows: 31 January + 1 month is 3 March there, so the month's end bounds it)."""
    if _pg():
        return cast(day_col + text("interval '1 month'"), Date)
    return func.min(func.date(day_col, "+1 month"),
                    func.date(day_col, "start of month", "+2 months", "-1 day"))


def _instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=PARIS)


def _in_case_centre(case_id_col, centre: Centre | None):
    """With a centre: the case had a seat (any) in one of its sessions."""
    if centre is None:
        return literal(True)
    return exists(select(Enrollment.id).join(CourseSession,
                                             Enrollment.session_id == CourseSession.id)
                  .where(Enrollment.case_id == case_id_col,
                         CourseSession.centre_id == centre.id))


def _series(months: list[str], rows, value_index: int = 1) -> list:
    by_month = {r[0]: r[value_index] for r in rows}
    return [_num(by_month.get(m, 0)) for m in months]


def _num(value):
    if value is None:
        return 0
    f = float(value)
    return int(f) if f == int(f) else round(f, 2)


# ---- the figures -------------------------------------------------------------------------------

def cached(key: tuple, compute) -> dict:
    """The figures computed by the database at most CACHE_SECONDS ago for the same key (in this
    web process): at 400,000 cases each figure's aggregate reads every row of its period, which
    takes longer than a page's budget; monthly figures a few minutes old are what a report
    needs. `computed_at` says when they were computed."""
    ttl = setting("STATISTICS_CACHE_SECONDS", CACHE_SECONDS)
    store = current_app.extensions.setdefault("statistics_cache", {})
    key = (*key, clock().today())
    now = time.monotonic()
    with _cache_lock:
        hit = store.get(key)
    if hit is not None and now - hit[0] < ttl:
        return copy.deepcopy(hit[1])
    value = compute()
    value["computed_at"] = clock().now().astimezone(PARIS).isoformat(timespec="seconds")
    if ttl > 0:
        with _cache_lock:
            if len(store) >= CACHE_ENTRIES:
                store.pop(min(store, key=lambda k: store[k][0]))
            store[key] = (now, value)
    return copy.deepcopy(value)


def monthly(from_raw: str | None = None, to_raw: str | None = None,
            centre_raw: str | None = None) -> dict:
    frm, to = period(from_raw, to_raw)
    centre = centre_by_agrement(centre_raw)
    return cached(("monthly", frm, to, centre.id if centre else None),
                  lambda: _monthly(frm, to, centre))


def _monthly(frm: dt.date, to: dt.date, centre: Centre | None) -> dict:
    end = _add_months(to, 1)  # first day after the period
    n = (to.year - frm.year) * 12 + to.month - frm.month + 1
    months = [_add_months(frm, i).strftime("%Y-%m") for i in range(n)]
    out = {"from": months[0], "to": months[-1], "centre": centre.agrement if centre else None,
           "months": months}
    out.update(_letters_and_cases(months, frm, end, centre))
    out["courses"] = _courses(months, frm, end, centre)
    out["obligations"] = _obligations(months, frm, end, centre)
    out["points"] = _points(months, frm, end, centre)
    out["refunds"] = _refunds(months, frm, end, centre)
    out["referrals"] = _referrals(months, frm, end, centre)
    out["credit_delay"] = _credit_delay(months, frm, end, centre)
    out["open_tasks_by_age"] = open_tasks_by_age(centre)
    return out


def _letters_and_cases(months, frm, end, centre) -> dict:
    m = _month_of_date(Case.letter_sent_on)
    letters = db.session.execute(
        select(m, func.count()).where(Case.kind == "obligatoire", Case.letter_sent_on >= frm,
                                      Case.letter_sent_on < end,
                                      _in_case_centre(Case.id, centre)).group_by(m)).all()
    m = _month_of_instant(Case.created_at, frm, end)
    opened = db.session.execute(
        select(m, Case.kind, func.count()).where(Case.created_at >= _instant(frm),
                                                 Case.created_at < _instant(end),
                                                 _in_case_centre(Case.id, centre))
        .group_by(m, Case.kind)).all()
    return {"letters_48n": _series(months, letters),
            "cases_opened": {
                "mandatory": _series(months, [(r[0], r[2]) for r in opened
                                              if r[1] == "obligatoire"]),
                "voluntary": _series(months, [(r[0], r[2]) for r in opened
                                              if r[1] == "volontaire"])}}


def _courses(months, frm, end, centre) -> dict:
    """Courses done (an attestation issued: present both days, R34) by the month of their last
    day, judged on their dates (R19): in time, late, or without a deadline (voluntary, NPAI)."""
    cfg = rules_config()
    judged_day = CourseSession.day2 if cfg.deadline_test == "LAST_DAY" else CourseSession.day1
    in_time = judged_day <= Case.deadline
    if not cfg.pre_48n_course_discharges:
        in_time = and_(in_time, CourseSession.day1 >= Case.notified_on)
    category = case((Case.deadline.is_(None), "no_deadline"), (in_time, "in_time"),
                    else_="late")
    m = _month_of_date(CourseSession.day2)
    query = (select(m, category, func.count())
             .select_from(Enrollment)
             .join(CourseSession, Enrollment.session_id == CourseSession.id)
             .join(Case, Enrollment.case_id == Case.id)
             .where(Enrollment.attestation_issued_on.is_not(None), CourseSession.day2 >= frm,
                    CourseSession.day2 < end)
             .group_by(m, category))
    if centre is not None:
        query = query.where(CourseSession.centre_id == centre.id)
    rows = db.session.execute(query).all()
    return {k: _series(months, [(r[0], r[2]) for r in rows if r[1] == k])
            for k in ("in_time", "late", "no_deadline")}


def _obligations(months, frm, end, centre) -> dict:
    """Mandatory cases by the month their 48N letter was sent (a cohort): obligation met, not
    met (R19, R21), or not decided yet."""
    m = _month_of_date(Case.letter_sent_on)
    rows = db.session.execute(
        select(m, Case.obligation, func.count())
        .where(Case.kind == "obligatoire", Case.letter_sent_on >= frm,
               Case.letter_sent_on < end,
               _in_case_centre(Case.id, centre))
        .group_by(m, Case.obligation)).all()
    met = _series(months, [(r[0], r[2]) for r in rows if r[1] == "met"])
    not_met = _series(months, [(r[0], r[2]) for r in rows if r[1] == "not_met"])
    pending = _series(months, [(r[0], r[2]) for r in rows if r[1] not in ("met", "not_met")])
    share = [round(100 * a / (a + b), 1) if a + b else None for a, b in zip(met, not_met,
                                                                            strict=True)]
    return {"met": met, "not_met": not_met, "pending": pending, "share_met_percent": share}


def _events(types: tuple[str, ...], frm, end, centre):
    """Case events of these types recorded in the period (index ix_case_events_type_at)."""
    cond = [CaseEvent.type.in_(types), CaseEvent.at >= _instant(frm), CaseEvent.at < _instant(end)]
    if centre is not None:
        cond.append(_in_case_centre(CaseEvent.case_id, centre))
    return cond


def _points(months, frm, end, centre) -> dict:
    """Courses credited (the clerk's decision, R26) and the points they gave, by the month of
    the decision; the points are those computed at the decision (its history event)."""
    m = _month_of_instant(CaseEvent.at, frm, end)
    points = CaseEvent.detail["points"].as_integer()
    credited = CaseEvent.detail["decision"].as_string() == "crediter"
    rows = db.session.execute(
        select(m, func.sum(case((credited, 1), else_=0)), func.coalesce(func.sum(points), 0),
               func.sum(case((credited, 0), else_=1)))
        .where(*_events(("points_credites",), frm, end, centre)).group_by(m)).all()
    return {"courses_credited": _series(months, rows, 1), "points": _series(months, rows, 2),
            "refused": _series(months, rows, 3)}


def _refunds(months, frm, end, centre) -> dict:
    """Refund decisions (R45–R49) by month: granted, refused, and the amount granted (EUR)."""
    m = _month_of_instant(CaseEvent.at, frm, end)
    eligible = CaseEvent.detail[("refund", "eligible")].as_boolean()
    amount = CaseEvent.detail[("refund", "amount")].as_float()
    rows = db.session.execute(
        select(m, func.sum(case((eligible, 1), else_=0)), func.sum(case((eligible, 0), else_=1)),
               func.coalesce(func.sum(case((eligible, amount), else_=0)), 0))
        .where(*_events(("remboursement_decide",), frm, end, centre)).group_by(m)).all()
    return {"granted": _series(months, rows, 1), "refused": _series(months, rows, 2),
            "amount_eur": _series(months, rows, 3)}


def _referrals(months, frm, end, centre) -> dict:
    """Deadlines passed without a compliant course (candidates, R21) and the clerks' decisions."""
    m = _month_of_instant(CaseEvent.at, frm, end)
    kind = case((CaseEvent.type == "echeance_depassee", "candidates"),
                (CaseEvent.detail["decision"].as_string() == "signaler", "referred"),
                else_="not_referred")
    rows = db.session.execute(
        select(m, kind, func.count())
        .where(*_events(("echeance_depassee", "signalement_decide"), frm, end, centre))
        .group_by(m, kind)).all()
    return {k: _series(months, [(r[0], r[2]) for r in rows if r[1] == k])
            for k in ("candidates", "referred", "not_referred")}


def _credit_delay(months, frm, end, centre) -> dict:
    """From the attestation's receipt to the crediting decision, against the one-month rule
    (R39, D4), by the month of the decision: how many within the month and beyond, and the
    median and 90th percentile of the delay in days (nearest rank, by window functions)."""
    day = _paris_day(Enrollment.credited_at)
    m = _month_of_instant(Enrollment.credited_at, frm, end)
    delay = _days_between(day, Enrollment.attestation_received_on)
    beyond = case((day > _one_month_after(Enrollment.attestation_received_on), 1), else_=0)
    inner = (select(m.label("m"), delay.label("d"), beyond.label("late"),
                    func.row_number().over(partition_by=m, order_by=delay).label("rn"),
                    func.count().over(partition_by=m).label("n"))
             .where(Enrollment.credited_at >= _instant(frm),
                    Enrollment.credited_at < _instant(end),
                    Enrollment.attestation_received_on.is_not(None)))
    if centre is not None:
        inner = inner.join(CourseSession, Enrollment.session_id == CourseSession.id).where(
            CourseSession.centre_id == centre.id)
    sub = inner.subquery()
    rows = db.session.execute(
        select(sub.c.m, func.count(), func.sum(sub.c.late),
               func.min(case((sub.c.rn >= 0.5 * sub.c.n, sub.c.d))),
               func.min(case((sub.c.rn >= 0.9 * sub.c.n, sub.c.d))))
        .group_by(sub.c.m)).all()
    credited = _series(months, rows, 1)
    beyond_month = _series(months, rows, 2)
    by_month = {r[0]: r for r in rows}
    return {"credited": credited, "beyond_one_month": beyond_month,
            "within_one_month": [a - b for a, b in zip(credited, beyond_month, strict=True)],
            "median_days": [_opt(by_month[k][3]) if k in by_month else None for k in months],
            "p90_days": [_opt(by_month[k][4]) if k in by_month else None for k in months]}


def _opt(value):
    return None if value is None else int(value)


def open_tasks_by_age(centre: Centre | None = None) -> dict:
    """Open tasks now, by task and by age since they were opened (index (state, key,
    created_at))."""

    now = clock().now()
    bounds = [(label, now - dt.timedelta(days=days)) for label, days in AGE_BUCKETS]
    # newest first: a task opened after `since` is younger than that bucket's lower bound
    whens = [(HumanTask.created_at > since, label)
             for (label, _), (_, since) in zip(AGE_BUCKETS[:-1], bounds[1:], strict=True)]
    bucket = case(*whens, else_=AGE_BUCKETS[-1][0])
    query = (select(HumanTask.key, bucket, func.count()).where(HumanTask.state == "open")
             .group_by(HumanTask.key, bucket))
    if centre is not None:
        query = query.where(_in_case_centre(HumanTask.case_id, centre))
    rows = db.session.execute(query).all()
    labels = [label for label, _ in AGE_BUCKETS]
    keys = sorted({r[0] for r in rows} | set(TASK_TITLES))
    table = []
    for key in keys:
        counts = [sum(r[2] for r in rows if r[0] == key and r[1] == label) for label in labels]
        table.append({"key": key, "title": TASK_TITLES.get(key, key), "counts": counts,
                      "total": sum(counts)})
    return {"as_of": clock().today().isoformat(), "buckets": labels, "tasks": table,
            "totals": [sum(t["counts"][i] for t in table) for i in range(len(labels))]}


# ---- the heatmap of a process version -----------------------------------------------------------

def heatmap(version: ProcessVersion) -> dict:
    return cached(("heatmap", version.id), lambda: _heatmap(version))


def _heatmap(version: ProcessVersion) -> dict:
    """Where the running cases of this version wait: at each user task (the open tasks, their
    count and the median and 90th percentile of the time spent there so far, in days) and at
    each timer (the cases waiting on it). One GROUP BY per kind of step."""
    now = clock().now()
    if _pg():
        age = func.extract("epoch", literal(now, HumanTask.created_at.type)
                           - HumanTask.created_at) / 86400.0
    else:
        age = (func.julianday(literal(now.astimezone(dt.UTC).replace(tzinfo=None)
                                      .isoformat(sep=" ")))
               - func.julianday(HumanTask.created_at))
    inner = (select(HumanTask.key.label("k"), age.label("a"),
                    func.row_number().over(partition_by=HumanTask.key, order_by=age).label("rn"),
                    func.count().over(partition_by=HumanTask.key).label("n"))
             .join(ProcessInstance, ProcessInstance.case_id == HumanTask.case_id)
             .where(HumanTask.state == "open", ProcessInstance.version_id == version.id)
             .subquery())
    rows = db.session.execute(
        select(inner.c.k, func.count(), func.min(case((inner.c.rn >= 0.5 * inner.c.n, inner.c.a))),
               func.min(case((inner.c.rn >= 0.9 * inner.c.n, inner.c.a))))
        .group_by(inner.c.k).order_by(inner.c.k)).all()
    steps = [{"element": k, "kind": "task", "waiting": int(count),
              "median_days": _days(med), "p90_days": _days(p90)} for k, count, med, p90 in rows]
    if _pg():
        timer_rows = db.session.execute(text(
            "SELECT e ->> 'name', count(*) FROM process_instances p, "
            "json_array_elements(p.timers) e WHERE p.version_id = :v AND NOT p.completed "
            "GROUP BY 1 ORDER BY 1"), {"v": version.id}).all()
    else:
        timer_rows = db.session.execute(text(
            "SELECT json_extract(j.value, '$.name'), count(*) FROM process_instances p, "
            "json_each(p.timers) j WHERE p.version_id = :v AND p.completed = 0 "
            "GROUP BY 1 ORDER BY 1"), {"v": version.id}).all()
    steps += [{"element": name, "kind": "timer", "waiting": int(count), "median_days": None,
               "p90_days": None} for name, count in timer_rows if name]
    running = db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
        ProcessInstance.version_id == version.id, ProcessInstance.completed.is_(False)))
    return {"process": version.key, "version": version.version, "running": int(running or 0),
            "steps": steps}


def _days(value) -> float | None:
    return None if value is None else round(float(value), 1)
