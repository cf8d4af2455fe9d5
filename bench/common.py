"""Shared helpers for the benchmarks: a fresh migrated app, the mandatory-course lifecycle
through the service layer, dates that are valid whatever day the bench runs."""

from __future__ import annotations

import datetime as dt
import statistics
from contextlib import contextmanager

from services.rules import dates as rdates

CENTRE = "R2407500010"
GROUP = 6  # R32: a session is held with 6 to 20 present


def fresh_app(url: str, clock_mode: str = "system", **settings):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from services.db import db

    app = create_app({"DATABASE_URL": url, "CLOCK_MODE": clock_mode, "SECRET_KEY": "bench",
                      **settings})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.session.remove()
    return app


@contextmanager
def warm_service(path, prefix: str):
    """A fresh migrated SQLite app at `path`, bootstrapped, one service group run to warm it up;
    yields (numbers, today) inside its app context."""
    app = fresh_app(f"sqlite:///{path}")
    with app.app_context():
        from services.clock import clock
        today = clock().today()
        bootstrap(today)
        numbers = Numbers(prefix)
        service_group(numbers, today)  # warm-up
        yield numbers, today


def course_days(today: dt.date) -> tuple[dt.date, dt.date]:
    """Two consecutive valid course days that ended at least 3 days ago."""
    day1 = today - dt.timedelta(days=12)
    while rdates.course_days_problems(day1, day1 + dt.timedelta(days=1)):
        day1 -= dt.timedelta(days=1)
    return day1, day1 + dt.timedelta(days=1)


def bootstrap(today: dt.date):
    """Processes, an admin and an agent, one centre. Returns (admin, agent) users and tokens."""
    from services import centres, processes, users
    from services.db import transaction

    with transaction():
        processes.deploy_shipped("bench")
        for name, role in (("admin", "admin"), ("agent", "agent")):
            users.create(name, role, "motdepasse-bench")
        centres.create({"agrement": CENTRE, "name": "Centre Paris 11", "departement": "75",
                        "valid_until": today + dt.timedelta(days=3650)}, "bench")
    with transaction():
        admin, agent = users.get_by_name("admin"), users.get_by_name("agent")
        tokens = {"admin": users.new_token(admin), "agent": users.new_token(agent)}
    return tokens


class Numbers:
    def __init__(self, prefix: str):
        self.prefix, self.n = prefix, 0

    def next(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n:08d}"


def licence_body(number: str, today: dt.date) -> dict:
    return {"number": number, "holder": {"last_name": "Martin", "first_name": "Léa",
                                         "birth_date": dt.date(2004, 5, 2)},
            "obtained_on": today - dt.timedelta(days=300), "probation": "classic",
            "formation_complementaire": False}


def infraction_body(today: dt.date, days_ago: int = 60) -> dict:
    day = today - dt.timedelta(days=days_ago)
    return {"committed_on": day, "points": 3, "offence_class": "C4", "label": "Excès de vitesse",
            "decision_on": day, "established_on": day,
            "fine": {"amount": 135, "kind": "forfaitaire", "paid_on": day}}


def letter(today: dt.date, days_ago: int = 40) -> dict:
    received = today - dt.timedelta(days=days_ago)
    return {"sent_on": received - dt.timedelta(days=3), "receipt": "signed",
            "received_on": received}


def open_mandatory(numbers: Numbers, today: dt.date, days_ago: int = 40,
                   licence_numbers: list[str] | None = None):
    """Create licence + infraction + mandatory case through the services; returns the case id.
    The ids and numbers a client would send next are the ones it sent or was answered, kept
    here rather than read back from expired objects (a read the service would not do)."""
    from services import cases, licences
    from services.db import transaction

    number = numbers.next()
    with transaction():
        lic = licences.create(licence_body(number, today), "bench")
    with transaction():
        # R10: the letter 48N notifies a decided retrait, so the infraction comes before it
        inf_id = licences.add_infraction(lic, infraction_body(today, max(60, days_ago + 20)),
                                         "bench").id
    if licence_numbers is not None:
        licence_numbers.append(number)
    with transaction():
        return cases.create({"kind": "obligatoire", "licence": number, "infraction": inf_id,
                             "letter_48n": letter(today, days_ago)}, "bench").id


def service_group(numbers: Numbers, today: dt.date, stop_at: str | None = None) -> list[int]:
    """GROUP complete mandatory lifecycles through the service layer, one transaction per
    command as the web layer does: open, enrol, attendance, attestation, validation (credit)."""
    from services import cases, sessions, tasks, users
    from services.db import transaction
    from services.models import HumanTask

    admin, agent = users.get_by_name("admin"), users.get_by_name("agent")
    day1, day2 = course_days(today)
    numbers_sent: list[str] = []
    ids = [open_mandatory(numbers, today, licence_numbers=numbers_sent) for _ in range(GROUP)]
    if stop_at == "open":
        return ids
    with transaction():
        sid = sessions.create({"centre": CENTRE, "day1": day1, "day2": day2, "capacity": 20},
                              admin).id
    for cid in ids:
        with transaction():
            cases.enroll(cases.get(cid), sid, admin)
    if stop_at == "enrolled":
        return ids
    with transaction():
        # the centre sends the licence numbers of its trainees, as it knows them
        recs = [{"licence": n, "day1": "present", "day2": "present"} for n in numbers_sent]
        sessions.record_attendance(sessions.get(sid), recs, admin)
    for cid in ids:
        with transaction():
            cases.receive_attestation(cases.get(cid), today, "bench")
    if stop_at == "verification":
        return ids
    from sqlalchemy import select

    from services.db import db
    for cid in ids:
        task_id = db.session.scalar(select(HumanTask.id).where(
            HumanTask.case_id == cid, HumanTask.state != "completed",
            HumanTask.key == "verification_attestation"))
        with transaction():
            tasks.complete(task_id, {"decision": "valider", "motif": ""}, agent)
    return ids


def pct(values, p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50_ms": round(pct(ms, 50), 2), "p95_ms": round(pct(ms, 95), 2),
            "mean_ms": round(statistics.fmean(ms), 2) if ms else None}
