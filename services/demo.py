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
        """A probationary licence, a 3-point infraction (R15) and its 48N case (a step of the
        story on `opened_on(received_days_ago)`, two days after the letter's receipt)."""
        received = self.days(-received_days_ago)
        lic = self.licence(last, first, 500)
        committed = received - dt.timedelta(days=30)
        inf = licences.add_infraction(lic, speeding(committed), "demo")
        case = cases.create({
            "kind": "obligatoire", "licence": lic.number, "infraction": inf.id,
            "letter_48n": {"sent_on": received - dt.timedelta(days=4), "receipt": receipt,
                           "received_on": None if receipt == "npai" else received}}, "demo")
        return case.id

    def opened_on(self, received_days_ago: int) -> dt.date:
        return self.days(-received_days_ago) + dt.timedelta(days=2)

    def voluntary(self, last, first):
        lic = self.licence(last, first, 3000, points=8, probation="none")
        return cases.create({"kind": "volontaire", "licence": lic.number}, "demo").id


class _Story:
    """The seed's steps, each on its day, run in the order of their days whatever the order
    they are written in. Written case by case and run so, the clock went back and forth: a
    step's timers fired on the first later day run, and a case's history, sorted by date,
    showed e.g. the referral decided before the deadline had passed (a QA finding)."""

    def __init__(self, maker: _Maker):
        self.maker = maker
        self.steps: list[tuple[dt.date, int, object, str | None]] = []
        self.ids: dict[str, int] = {}

    def at(self, day: dt.date, action, name: str | None = None) -> None:
        """`action()` on `day`; its result kept as `ids[name]` for the later steps."""
        self.steps.append((day, len(self.steps), action, name))

    def run(self) -> None:
        for day, _order, action, name in sorted(self.steps, key=lambda step: step[:2]):
            with self.maker.on(day):
                result = action()
            if name:
                self.ids[name] = result


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

    story = _Story(m)
    ids = story.ids

    def session(centre, near_days, capacity=20, driving=False) -> int:
        d1, d2 = _course_days(m.days(near_days))
        return sessions.create({"centre": centre, "day1": d1, "day2": d2, "capacity": capacity,
                                "driving_sequence": driving}, user("admin")).id

    def enroll(names, session_name):
        for name in names:
            cases.enroll(cases.get(ids[name]), ids[session_name], user("admin"))

    def mandatory(name, last, first, received_days_ago, receipt="signed"):
        story.at(m.opened_on(received_days_ago),
                 lambda: m.mandatory(last, first, received_days_ago, receipt), name)

    def voluntary(name, last, first, days_ago):
        story.at(m.days(-days_ago), lambda: m.voluntary(last, first), name)

    def complete(name, key, data):
        agent = user("agent")
        items, _total = tasks.list_tasks(agent, ids[name], key, False, "open", 1, 5)
        tasks.complete(items[0].id, data, agent)

    def claim(name, key):
        agent = user("agent")
        items, _total = tasks.list_tasks(agent, ids[name], key, False, "open", 1, 5)
        tasks.claim(items[0].id, agent)

    # the centres declare their sessions
    for name, centre, near, capacity, driving in (
            ("held", PARIS, -46, 20, False),  # held six weeks ago: attestations received
            ("last", PARIS, -9, 20, False),  # held last week: attendance still to record
            ("soon", PARIS, 30, 20, False), ("later", BOBIGNY, 45, 12, True),
            ("bobigny", BOBIGNY, 60, 12, False)):
        story.at(m.days(-120), lambda c=centre, n=near, k=capacity, d=driving:
                 session(c, n, k, d), name)
    held_day2 = _course_days(m.days(-46))[1]  # the day the "held" session ends
    mandatory("durand", "Durand", "Noah", 160)  # deadline passed, no course: referral (R21)
    # deadline passed, its course met it: only the attestation is to verify (not overdue)
    mandatory("garnier", "Garnier", "Lucas", 125)
    mandatory("petit", "Petit", "Inès", 80)  # verification claimed by agent, late (D4)
    mandatory("bernard", "Bernard", "Hugo", 70)  # validated and credited: closed
    # enrolled in a session that ends after its deadline: referred (R21), then a late course
    mandatory("perrin", "Perrin", "Jules", 175)
    held_cases = ["garnier", "petit", "bernard", "perrin"]
    for last_name, first in (("Lambert", "Zoé"), ("Fontaine", "Louis"),
                             ("Chevalier", "Manon")):
        voluntary(last_name, last_name, first, 65)
        held_cases.append(last_name)
    mandatory("leroy", "Leroy", "Sarah", 100)  # the 4-month deadline is near
    mandatory("david", "David", "Eva", 50)  # a 48SI notified after the enrolment (Q8, R42)
    # its deadline passed a few days ago, its course held before it, the attendance not
    # recorded yet: the deadline is overdue until a course is known to have met it (R19, D1)
    mandatory("lefebvre", "Lefebvre", "Camille", 125)
    last_cases = ["lefebvre"]
    for last_name, first in (("Robin", "Adam"), ("Mercier", "Jules"), ("Blanc", "Léna"),
                             ("Guerin", "Nathan"), ("Faure", "Emma")):
        voluntary(last_name, last_name, first, 35)
        last_cases.append(last_name)
    mandatory("martin", "Martin", "Léa", 30)  # enrolled in next month's session
    mandatory("roussel", "Roussel", "Théo", 20, receipt="npai")  # NPAI: no deadline (D11, R17)
    voluntary("moreau", "Moreau", "Chloé", 5)  # a voluntary request waiting for an enrolment
    story.at(m.days(-60), lambda: enroll(held_cases, "held"))
    # the statistics' referrals: one decided, once the deadline has passed
    story.at(m.days(-50), lambda: complete("perrin", REFERRAL, {
        "decision": "signaler", "motif": "Échéance dépassée, stage non suivi à temps"}))
    story.at(m.days(-30), lambda: (enroll(last_cases, "last"), enroll(["david"], "later")))
    story.at(held_day2, lambda: sessions.record_attendance(sessions.get(ids["held"]), [
        {"licence": cases.get(ids[c]).licence.number, "day1": "present", "day2": "present"}
        for c in held_cases], user("centre75")))
    for offset, name in ((3, "bernard"), (4, "petit"), (5, "garnier")):
        received = held_day2 + dt.timedelta(days=offset)
        story.at(received, lambda n=name, r=received: cases.receive_attestation(
            cases.get(ids[n]), r, "agent"))
    story.at(held_day2 + dt.timedelta(days=8), lambda: (
        complete("bernard", VERIFICATION, {"decision": "valider", "motif": ""}),
        claim("petit", VERIFICATION)))
    story.at(m.days(-20), lambda: enroll(["martin"], "soon"))
    story.at(m.days(-1), lambda: licences.add_invalidation(cases.get(ids["david"]).licence, {
        "decision_on": m.days(-4), "notified_on": m.days(-1)}, "agent"))
    story.run()
    durand, lefebvre, leroy = ids["durand"], ids["lefebvre"], ids["leroy"]
    fired = timers.run_due(actor="demo")  # today's due timers
    out = [f"Démonstration : {m.serial} permis et leurs dossiers dans tous les états "
           f"(dossiers {cases.get(durand).reference} et {cases.get(lefebvre).reference} hors "
           f"délai, {cases.get(leroy).reference} à échéance proche) ; {fired} minuteur(s) "
           "déclenché(s) aujourd'hui."]
    for username, role, _centre in DEMO_USERS:
        in_groups = [code for code, _name, members in DEMO_GROUPS if username in members]
        out.append(f"  utilisateur {username} (rôle {role}"
                   + (f", groupe {', '.join(in_groups)}" if in_groups else "")
                   + f"), mot de passe « {DEMO_PASSWORD} »")
    return out
