"""The prefecture's monthly figures (issue 18, item 3) and the heatmap of a process version.

The figures are read from roll-up counters that the commands keep in their own transaction
(services/stat_counters.py, tables stat_counters and stat_steps): a period reads at most a few
dozen rows per month, and a version's heatmap one row per step and day, whatever the number
of cases. Only the open tasks by age are counted live, on the open tasks alone (index (state,
key, created_at)). The SQL helpers below (Paris months and days, delays) define the counters.
Months are calendar months (`YYYY-MM`); a period is at most MAX_MONTHS long. Nothing here
writes."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Date, Integer, and_, case, cast, func, select, text

from services import stat_counters
from services.clock import PARIS, clock
from services.db import db
from services.errors import Invalid
from services.models import (
    Centre,
    HumanTask,
    ProcessVersion,
    StatCounter,
    StatStep,
)
from services.models.stats import ALL_CENTRES
from services.statuses import TASK_TITLES

MAX_MONTHS = 36
DEFAULT_MONTHS = 12
MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
HEATMAP_KINDS = ("task", "timer")  # where a heatmap step waits (`heatmap`; the API's enum)
# open tasks by age, in whole days since the (Paris) day the task was opened: (label, lower
# bound included)
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


def _num(value):
    if value is None:
        return 0
    f = float(value)
    return int(f) if f == int(f) else round(f, 2)


# ---- the figures -------------------------------------------------------------------------------

def _stamped(value: dict) -> dict:
    value["computed_at"] = clock().now().astimezone(PARIS).isoformat(timespec="seconds")
    return value


def monthly(from_raw: str | None = None, to_raw: str | None = None,
            centre_raw: str | None = None) -> dict:
    frm, to = period(from_raw, to_raw)
    centre = centre_by_agrement(centre_raw)
    return _stamped(_monthly(frm, to, centre))


def _caught_up() -> None:
    """The counters with every case a command marked so far added (services/stat_counters): a
    read shows what was committed before it, however far behind the worker is."""
    stat_counters.catch_up_all()


def _counters(months: list[str], centre: Centre | None) -> dict:
    """{figure: {month: n}} from the roll-up counters of the period (services/stat_counters):
    at most a few dozen rows per month, however many cases."""
    _caught_up()
    rows = db.session.execute(
        select(StatCounter.month, StatCounter.figure, StatCounter.n)
        .where(StatCounter.centre_id == (centre.id if centre else ALL_CENTRES),
               StatCounter.month >= months[0], StatCounter.month <= months[-1])).all()
    out: dict = {}
    for month, figure, n in rows:
        if n:
            out.setdefault(figure, {})[month] = n
    return out


def _monthly(frm: dt.date, to: dt.date, centre: Centre | None) -> dict:
    n = (to.year - frm.year) * 12 + to.month - frm.month + 1
    months = [_add_months(frm, i).strftime("%Y-%m") for i in range(n)]
    counts = _counters(months, centre)

    def series(figure: str) -> list:
        by_month = counts.get(figure, {})
        return [_num(by_month.get(m, 0)) for m in months]

    def group(prefix: str, names) -> dict:
        return {k: series(f"{prefix}:{k}") for k in names}

    out = {"from": months[0], "to": months[-1], "centre": centre.agrement if centre else None,
           "months": months}
    # 48N letters and cases opened (with a centre: the cases with a seat at that centre)
    out["letters_48n"] = series("letters_48n")
    out["cases_opened"] = group("cases_opened", ("mandatory", "voluntary"))
    # courses done (attestation issued, R34) by their last day, judged on their dates (R19)
    out["courses"] = group("courses", ("in_time", "late", "no_deadline"))
    # mandatory cases by the month of their 48N letter (a cohort): obligation met or not
    obligations = group("obligation", ("met", "not_met", "pending"))
    obligations["share_met_percent"] = [
        round(100 * a / (a + b), 1) if a + b else None
        for a, b in zip(obligations["met"], obligations["not_met"], strict=True)]
    out["obligations"] = obligations
    # courses credited (R26) and their points, by the month of the decision (history event)
    out["points"] = {"courses_credited": series("points:credited"),
                     "points": series("points:points"), "refused": series("points:refused")}
    # refund decisions (R45–R49) and the amount granted (EUR, counted in cents)
    out["refunds"] = {"granted": series("refunds:granted"), "refused": series("refunds:refused"),
                      "amount_eur": [_num(c / 100) for c in series("refunds:amount_cents")]}
    # deadlines passed without a compliant course (R21) and the clerks' decisions
    out["referrals"] = group("referrals", ("candidates", "referred", "not_referred"))
    out["credit_delay"] = _credit_delay(months, counts)
    out["open_tasks_by_age"] = open_tasks_by_age(centre)
    return out


def _credit_delay(months: list[str], counts: dict) -> dict:
    """From the attestation's receipt to the crediting decision, against the one-month rule
    (R39, D4), by the month of the decision: how many within the month and beyond, and the
    median and 90th percentile of the delay in days (nearest rank), from the month's
    histogram of delays by day count."""
    credited = [_num(counts.get("credit:credited", {}).get(m, 0)) for m in months]
    beyond = [_num(counts.get("credit:beyond_one_month", {}).get(m, 0)) for m in months]
    histograms: dict = {m: {} for m in months}
    for figure, by_month in counts.items():
        if figure.startswith("credit_days:"):
            days = int(figure.split(":", 1)[1])
            for m, n in by_month.items():
                histograms[m][days] = histograms[m].get(days, 0) + n
    return {"credited": credited, "beyond_one_month": beyond,
            "within_one_month": [a - b for a, b in zip(credited, beyond, strict=True)],
            "median_days": [_rank(histograms[m], 0.5) for m in months],
            "p90_days": [_rank(histograms[m], 0.9) for m in months]}


def _rank(histogram: dict, share: float):
    """Nearest rank: the smallest value whose cumulative count reaches share × the total (the
    same as `min(value) where row_number >= share × count` over the sorted values)."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= share * total:
            return value
    return None  # pragma: no cover


def _task_title(key: str) -> str:
    """A task's title for people: the contract's, else the name its diagram gives a task a
    designer drew (read from one of its open tasks: an index seek on (state, key)), never its
    raw key unless no task of that key is open any more."""
    if key in TASK_TITLES:
        return TASK_TITLES[key]
    title = db.session.scalar(select(HumanTask.title).where(
        HumanTask.state == "open", HumanTask.key == key).limit(1))
    return title or key


def open_tasks_by_age(centre: Centre | None = None) -> dict:
    """Open tasks now, by task and by age in whole days since the Paris day they were opened,
    from the counters of open tasks by key and day (services/stat_counters)."""
    _caught_up()
    today = clock().today()
    rows = db.session.execute(
        select(StatCounter.figure, StatCounter.n)
        .where(StatCounter.centre_id == (centre.id if centre else ALL_CENTRES),
               StatCounter.figure.startswith("open_task:", autoescape=True),
               StatCounter.n != 0)).all()
    labels = [label for label, _ in AGE_BUCKETS]
    counts: dict = {}
    for figure, n in rows:
        key, day = figure[len("open_task:"):].rsplit(":", 1)
        age = (today - _date(day)).days
        index = max(i for i, (_, lower) in enumerate(AGE_BUCKETS) if age >= lower or i == 0)
        counts.setdefault(key, [0] * len(labels))[index] += int(n)
    table = []
    for key in sorted(set(counts) | set(TASK_TITLES)):
        row = counts.get(key, [0] * len(labels))
        table.append({"key": key, "title": _task_title(key), "counts": row,
                      "total": sum(row)})
    return {"as_of": today.isoformat(), "buckets": labels, "tasks": table,
            "totals": [sum(t["counts"][i] for t in table) for i in range(len(labels))]}


# ---- the heatmap of a process version -----------------------------------------------------------

def heatmap(version: ProcessVersion) -> dict:
    """Where the running cases of this version wait, from the step counters kept by the
    commands (services/stat_counters): at each user task, the open tasks, their count and the
    median and 90th percentile of the time spent there so far, in whole days since the Paris
    day the task was opened (a histogram by that day); at each timer, the cases waiting on
    it."""
    _caught_up()
    today = clock().today()
    rows = db.session.execute(
        select(StatStep.kind, StatStep.element, StatStep.day, StatStep.n)
        .where(StatStep.version_id == version.id)).all()
    tasks: dict = {}
    timers: dict = {}
    running = 0
    for kind, element, day, n in rows:
        if not n:
            continue
        if kind == "task":
            ages = tasks.setdefault(element, {})
            age = (today - _date(day)).days
            ages[age] = ages.get(age, 0) + n
        elif kind == "timer":
            timers[element] = timers.get(element, 0) + n
        elif kind == "running":
            running += n
    steps = [{"element": k, "kind": "task", "waiting": int(sum(ages.values())),
              "median_days": _days(_rank(ages, 0.5)), "p90_days": _days(_rank(ages, 0.9))}
             for k, ages in sorted(tasks.items()) if sum(ages.values()) > 0]
    steps += [{"element": name, "kind": "timer", "waiting": int(count), "median_days": None,
               "p90_days": None} for name, count in sorted(timers.items()) if count > 0]
    return _stamped({"process": version.key, "version": version.version,
                     "running": int(running), "steps": steps})


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _days(value) -> float | None:
    return None if value is None else round(float(value), 1)
