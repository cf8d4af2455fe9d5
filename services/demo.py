"""Demo data: two centres, their sessions, licences and cases in every state the dashboard shows
(idempotent: a second run changes nothing).

Dates are relative to the application clock's today so the demo always looks current: the
dashboard opens on my tasks, unassigned tasks, a 4-month deadline near and one passed, and
attestations waiting beyond the one-month crediting deadline (R39, D4)."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from sqlalchemy import select

from services import cases, centres, groups, licences, processes, sessions, tasks, timers, users
from services.clock import PARIS as PARIS_TZ
from services.clock import clock
from services.db import db, many_commands
from services.models import Centre, User
from services.rules import calendar as rcal
from services.statuses import TASK_SIGNALEMENT_PARQUET as REFERRAL
from services.statuses import TASK_VERIFICATION_ATTESTATION as VERIFICATION

DEMO_PASSWORD = "demo-demo-demo"
PARIS, BOBIGNY = "R2407500010", "R2409300020"
DEMO_USERS = (("agent", "agent", None), ("agent2", "agent", None), ("admin", "admin", None),
              ("designer", "designer", None), ("centre75", "centre", PARIS),
              ("centre93", "centre", BOBIGNY))
# Clerks' groups (issue 14: a BPMN lane names one with its property `groupe`) and their members.
DEMO_GROUPS = (("accueil", "Accueil et appels aux conducteurs", ("agent",)),
               ("controle", "Contrôle des attestations", ("agent2",)))


def _course_days(near: dt.date) -> tuple[dt.date, dt.date]:
    """The first valid two-day course (D12) starting on or after `near`."""
    day = near
    while True:
        nxt = day + dt.timedelta(days=1)
        if not any(rcal.is_sunday(d) or rcal.is_public_holiday(d) for d in (day, nxt)):
            return day, nxt
        day = nxt



def speeding(committed: dt.date) -> dict:
    """A 3-point speeding offence (R15: it calls for a 48N) committed that day, its fine paid."""
    return {"committed_on": committed, "points": 3, "offence_class": "C4",
            "label": "Excès de vitesse de 20 à 30 km/h", "established_on": committed,
            "decision_on": committed + dt.timedelta(days=10),
            "fine": {"amount": 135, "kind": "forfaitaire", "paid_on": committed}}

class _Maker:
    """Licences and cases through the services, each on the day it would have happened."""

    def __init__(self, today: dt.date):
        self.today = today
        self.serial = 0

    def days(self, n: int) -> dt.date:
        return self.today + dt.timedelta(days=n)

    @contextmanager
    def on(self, day: dt.date):
        """One step of the story: the clock reads `day` at 10:00 (Paris), the timers due by
        then fire, then the step's commands run (each its own transaction)."""
        with clock().frozen(dt.datetime.combine(day, dt.time(10, 0), tzinfo=PARIS_TZ)):
            timers.run_due(actor="demo")
            yield

    def licence(self, last, first, obtained_days_ago, points=None, probation="classic"):
        self.serial += 1
        data = {"number": f"1201752{self.serial:05d}",
                "holder": {"last_name": last, "first_name": first,
                           "birth_date": dt.date(2003, 5, 2) if probation != "none"
                           else dt.date(1985, 9, 14)},
                "obtained_on": self.days(-obtained_days_ago), "probation": probation,
                "formation_complementaire": False, "balance": None}
        if points is not None:
            data["balance"] = {"points": points, "on": self.days(-400)}
        return licences.create(data, "demo")

    def mandatory(self, last, first, received_days_ago, receipt="signed"):
        """A probationary licence, a 3-point infraction (R15) and its 48N case, opened two
        days after the letter's receipt."""
        received = self.days(-received_days_ago)
        with self.on(received + dt.timedelta(days=2)):
            lic = self.licence(last, first, 500)
            committed = received - dt.timedelta(days=30)
            inf = licences.add_infraction(lic, speeding(committed), "demo")
            case = cases.create({
                "kind": "obligatoire", "licence": lic.number, "infraction": inf.id,
                "letter_48n": {"sent_on": received - dt.timedelta(days=4), "receipt": receipt,
                               "received_on": None if receipt == "npai" else received}}, "demo")
        return case.id

    def voluntary(self, last, first, days_ago):
        with self.on(self.days(-days_ago)):
            lic = self.licence(last, first, 3000, points=8, probation="none")
            case = cases.create({"kind": "volontaire", "licence": lic.number}, "demo")
        return case.id


@many_commands
def seed() -> list[str]:
    processes.deploy_shipped("demo")
    if db.session.scalar(select(Centre.id).where(Centre.agrement == PARIS)):
        return ["Données de démonstration déjà présentes."]
    today = clock().today()
    m = _Maker(today)
    with m.on(m.days(-200)):
        centres.create({"agrement": PARIS, "name": "Centre Sécurité Paris 11",
                        "departement": "75", "valid_until": rcal.add_years(today, 4)}, "demo")
        centres.create({"agrement": BOBIGNY, "name": "Stages Routiers Bobigny",
                        "departement": "93", "valid_until": rcal.add_years(today, 3)}, "demo")
        for code, name, _members in DEMO_GROUPS:
            groups.ensure(code, name)
        for username, role, centre in DEMO_USERS:
            users.create(username, role, DEMO_PASSWORD, centre, [
                code for code, _name, members in DEMO_GROUPS if username in members])

    def user(name):
        return db.session.scalar(select(User).where(User.username == name))

    def session(centre, near_days, capacity=20, driving=False) -> int:
        d1, d2 = _course_days(m.days(near_days))
        return sessions.create({"centre": centre, "day1": d1, "day2": d2, "capacity": capacity,
                                "driving_sequence": driving}, user("admin")).id

    def enroll(case_id, session_id):
        cases.enroll(cases.get(case_id), session_id, user("admin"))

    with m.on(m.days(-120)):  # the centres declare their sessions
        held = session(PARIS, -46)  # held six weeks ago: attestations issued and received
        last = session(PARIS, -9)  # held last week: the centre still has to record attendance
        soon = session(PARIS, 30)
        later = session(BOBIGNY, 45, capacity=12, driving=True)
        session(BOBIGNY, 60, capacity=12)
    durand = m.mandatory("Durand", "Noah", 160)  # deadline passed, no course: referral (R21)
    garnier = m.mandatory("Garnier", "Lucas", 125)  # deadline passed, attestation to verify
    petit = m.mandatory("Petit", "Inès", 80)  # verification claimed by agent, late (D4)
    bernard = m.mandatory("Bernard", "Hugo", 70)  # validated and credited: closed
    # enrolled in a session that ends after its deadline: referred (R21), then a late course
    perrin = m.mandatory("Perrin", "Jules", 175)
    held_cases = [garnier, petit, bernard, perrin] + [
        m.voluntary(last_name, first, 65) for last_name, first in (
            ("Lambert", "Zoé"), ("Fontaine", "Louis"), ("Chevalier", "Manon"))]
    leroy = m.mandatory("Leroy", "Sarah", 100)  # the 4-month deadline is near
    david = m.mandatory("David", "Eva", 50)  # a 48SI notified after the enrolment (Q8, R42)
    lefebvre = m.mandatory("Lefebvre", "Camille", 40)
    last_cases = [lefebvre] + [m.voluntary(last_name, first, 35) for last_name, first in (
        ("Robin", "Adam"), ("Mercier", "Jules"), ("Blanc", "Léna"), ("Guerin", "Nathan"),
        ("Faure", "Emma"))]
    martin = m.mandatory("Martin", "Léa", 30)  # enrolled in next month's session
    m.mandatory("Roussel", "Théo", 20, receipt="npai")  # NPAI: no deadline (D11, R17)
    m.voluntary("Moreau", "Chloé", 5)  # a voluntary request waiting for an enrolment
    with m.on(m.days(-60)):
        for case_id in held_cases:
            enroll(case_id, held)
    with m.on(m.days(-50)):  # the statistics' referrals: one decided
        agent = user("agent")
        items, _total = tasks.list_tasks(agent, perrin, REFERRAL, False, "open", 1, 5)
        tasks.complete(items[0].id, {"decision": "signaler",
                                     "motif": "Échéance dépassée, stage non suivi à temps"}, agent)
    held_day2 = sessions.get(held).day2
    with m.on(m.days(-30)):
        for case_id in last_cases:
            enroll(case_id, last)
        enroll(david, later)
    with m.on(held_day2):
        sessions.record_attendance(sessions.get(held), [
            {"licence": cases.get(c).licence.number, "day1": "present", "day2": "present"}
            for c in held_cases], user("centre75"))
    for offset, case_id in ((3, bernard), (4, petit), (5, garnier)):
        with m.on(held_day2 + dt.timedelta(days=offset)):
            cases.receive_attestation(cases.get(case_id), held_day2 + dt.timedelta(days=offset),
                                      "agent")
    with m.on(held_day2 + dt.timedelta(days=8)):
        agent = user("agent")
        items, _total = tasks.list_tasks(agent, bernard, VERIFICATION, False, "open", 1, 5)
        tasks.complete(items[0].id, {"decision": "valider", "motif": ""}, agent)
        items, _total = tasks.list_tasks(agent, petit, VERIFICATION, False, "open", 1, 5)
        tasks.claim(items[0].id, agent)
    with m.on(m.days(-20)):
        enroll(martin, soon)
    with m.on(m.days(-1)):
        licences.add_invalidation(cases.get(david).licence, {
            "decision_on": m.days(-4), "notified_on": m.days(-1)}, "agent")
    fired = timers.run_due(actor="demo")  # today's due timers
    out = [f"Démonstration : {m.serial} permis et leurs dossiers dans tous les états "
           f"(dossiers {cases.get(durand).reference} et {cases.get(garnier).reference} hors "
           f"délai, {cases.get(leroy).reference} à échéance proche) ; {fired} minuteur(s) "
           "déclenché(s) aujourd'hui."]
    for username, role, _centre in DEMO_USERS:
        in_groups = [code for code, _name, members in DEMO_GROUPS if username in members]
        out.append(f"  utilisateur {username} (rôle {role}"
                   + (f", groupe {', '.join(in_groups)}" if in_groups else "")
                   + f"), mot de passe « {DEMO_PASSWORD} »")
    return out
