"""Demo data: a few centres, sessions, licences and cases in several states (idempotent).

Dates are relative to the application clock's today so the demo always looks current."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from services import cases, licences, processes, sessions, tasks, timers, users
from services.clock import clock
from services.db import db, transaction
from services.models import Centre, User
from services.rules import calendar as rcal

DEMO_PASSWORD = "demo-demo-demo"
DEMO_USERS = (("agent", "agent", None), ("admin", "admin", None), ("designer", "designer", None),
              ("centre75", "centre", "R2407500010"))


def _course_days(near: dt.date) -> tuple[dt.date, dt.date]:
    """The first valid two-day course (D12) starting on or after `near`."""
    day = near
    while True:
        nxt = day + dt.timedelta(days=1)
        if not any(rcal.is_sunday(d) or rcal.is_public_holiday(d) for d in (day, nxt)):
            return day, nxt
        day = nxt


def seed() -> list[str]:
    out: list[str] = []
    with transaction():
        processes.deploy_shipped("demo")
        if db.session.scalar(select(Centre.id).where(Centre.agrement == "R2407500010")):
            return ["Données de démonstration déjà présentes."]
        today = clock().today()
        sessions.create_centre({"agrement": "R2407500010", "name": "Centre Sécurité Paris 11",
                                "departement": "75",
                                "valid_until": rcal.add_years(today, 4)})
        sessions.create_centre({"agrement": "R2409300020", "name": "Stages Routiers Bobigny",
                                "departement": "93",
                                "valid_until": rcal.add_years(today, 3)})
        for username, role, centre in DEMO_USERS:
            users.create(username, role, DEMO_PASSWORD, centre)
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    agent = db.session.scalar(select(User).where(User.username == "agent"))

    def licence(number, last, first, obtained, points=None, on=None):
        data = {"number": number, "holder": {"last_name": last, "first_name": first,
                                             "birth_date": dt.date(2003, 5, 2)},
                "obtained_on": obtained, "probation": "classic",
                "formation_complementaire": False, "balance": None}
        if points is not None:
            data["balance"] = {"points": points, "on": on}
        return licences.create(data, "demo")

    def mandatory(lic, committed, received):
        inf = licences.add_infraction(lic, {
            "committed_on": committed, "points": 3, "offence_class": "C4",
            "label": "Excès de vitesse de 20 à 30 km/h", "established_on": committed,
            "decision_on": committed + dt.timedelta(days=10),
            "fine": {"amount": 135, "kind": "forfaitaire", "paid_on": committed}}, "demo")
        return cases.create({"kind": "obligatoire", "licence": lic.number, "infraction": inf.id,
                             "letter_48n": {"sent_on": received - dt.timedelta(days=4),
                                            "receipt": "signed", "received_on": received}},
                            "demo")

    with transaction():
        past1, past2 = _course_days(today - dt.timedelta(days=20))
        held = sessions.create({"centre": "R2407500010", "day1": past1, "day2": past2,
                                "capacity": 20}, admin)
        f1, f2 = _course_days(today + dt.timedelta(days=30))
        sessions.create({"centre": "R2407500010", "day1": f1, "day2": f2, "capacity": 20}, admin)
        g1, g2 = _course_days(today + dt.timedelta(days=45))
        sessions.create({"centre": "R2409300020", "day1": g1, "day2": g2, "capacity": 12,
                         "driving_sequence": True}, admin)
        obtained = today - dt.timedelta(days=500)
        a = mandatory(licence("120175200123", "Martin", "Léa", obtained),
                      today - dt.timedelta(days=60), today - dt.timedelta(days=30))
        b = mandatory(licence("120175200124", "Bernard", "Hugo", obtained),
                      today - dt.timedelta(days=70), today - dt.timedelta(days=40))
        c = mandatory(licence("120175200125", "Petit", "Inès", obtained),
                      today - dt.timedelta(days=80), today - dt.timedelta(days=45))
        d = mandatory(licence("120175200126", "Durand", "Noah", obtained),
                      today - dt.timedelta(days=250), today - dt.timedelta(days=160))
        cases.create({"kind": "volontaire", "licence": licence(
            "120175200127", "Moreau", "Chloé", today - dt.timedelta(days=2000), 7,
            today - dt.timedelta(days=100)).number}, "demo")
        for case in (b, c):
            cases.enroll(case, held.id, admin)
        # four voluntary trainees more, so the held session has the legal size (R32: 6 to 20)
        others = []
        for i, (last, first) in enumerate((("Lambert", "Zoé"), ("Fontaine", "Louis"),
                                           ("Chevalier", "Manon"), ("Robin", "Adam"))):
            lic = licence(f"12017520020{i}", last, first, today - dt.timedelta(days=3000), 8,
                          today - dt.timedelta(days=200))
            other = cases.create({"kind": "volontaire", "licence": lic.number}, "demo")
            cases.enroll(other, held.id, admin)
            others.append(lic.number)
        cases.enroll(a, held.id + 1, admin)
    with transaction():
        sessions.record_attendance(sessions.get(held.id), [
            {"licence": n, "day1": "present", "day2": "present"}
            for n in ("120175200124", "120175200125", *others)], admin)
    with transaction():
        cases.receive_attestation(cases.get(b.id), past2 + dt.timedelta(days=3), "demo")
        cases.receive_attestation(cases.get(c.id), past2 + dt.timedelta(days=4), "demo")
    with transaction():
        items, _total = tasks.list_tasks(agent, b.id, "verification_attestation", False,
                                         "open", 1, 5)
        task = items[0]
        tasks.complete(task.id, {"decision": "valider", "motif": ""}, agent)
    fired = timers.run_due(actor="demo")
    out.append(f"Démonstration : 9 dossiers créés, {fired} minuteur(s) déclenché(s) "
               f"(dossier {d.reference} hors délai).")
    for username, role, _centre in DEMO_USERS:
        out.append(f"  utilisateur {username} (rôle {role}), mot de passe « {DEMO_PASSWORD} »")
    return out
