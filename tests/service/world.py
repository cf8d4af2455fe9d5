"""A driver for service-level tests: the verbs of tests/helpers.py's ApiClient, calling the
service functions directly in the app context (no test client, no HTTP, no JSON).

Each verb is one call to a service (a command opens and commits its own transaction), then ends
the session as a request's teardown would, so the next verb reads fresh data. Views are the
services' dicts: dates are `datetime.date`, write them with `day("10/07/2026")`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from services import cases, centres, licences, processes, sessions, tasks, timers, users
from services.clock import clock, start_of_day
from services.db import command, db
from services.reads import case_view
from tests.helpers import birth_date_for

CENTRE = "R2407500010"
OTHER_CENTRE = "R2409300020"
USERS = (("agent", "agent", None), ("agent2", "agent", None), ("admin", "admin", None),
         ("designer", "designer", None), ("centre75", "centre", CENTRE),
         ("centre93", "centre", OTHER_CENTRE))


def day(text: str | None) -> dt.date | None:
    """'10/03/2026' → date(2026, 3, 10) (journeys read like the clerks' letters)."""
    if text is None:
        return None
    dd, mm, yyyy = text.split("/")
    return dt.date(int(yyyy), int(mm), int(dd))


def bootstrap(today: str = "01/01/2024") -> None:
    """What every journey starts from (ApiClient.bootstrap without tokens): the shipped
    processes, one user per role, two centres, the clock on `today`."""
    processes.deploy_shipped("tests")
    clock().set(start_of_day(day(today)))
    centres.create({"agrement": CENTRE, "name": "Centre Paris 11", "departement": "75",
                    "valid_until": dt.date(2030, 12, 31)}, "tests")
    centres.create({"agrement": OTHER_CENTRE, "name": "Centre Bobigny",
                    "departement": "93", "valid_until": dt.date(2030, 12, 31)}, "tests")
    for name, role, centre in USERS:
        users.create(name, role, "motdepasse-test", centre)
    db.session.remove()


class World:
    def __init__(self):
        self.fillers: dict[int, list[str]] = {}
        self._next_filler = 0

    # -- plumbing -------------------------------------------------------------------------------
    @staticmethod
    def user(name: str):
        return users.get_by_name(name)

    @staticmethod
    def _done(value):
        db.session.remove()  # a request's teardown: the next verb reads fresh data
        return value

    # -- clock and timers -----------------------------------------------------------------------
    def set_today(self, text: str) -> dt.date:
        clock().set(start_of_day(day(text)))
        return self._done(day(text))

    def reach(self, text: str) -> None:
        """The clock at least on that day (moved forward, never back): a clerk registers a
        licence once it is obtained and an infraction once it is committed (the service refuses
        both in the future, services/rules/facts.py)."""
        if day(text) > clock().today():
            self.set_today(text)

    def run_timers(self) -> int:
        return self._done(timers.run_due(actor="admin"))

    # -- licences -------------------------------------------------------------------------------
    def licence(self, number="120175200123", obtained="01/09/2025", probation="classic",
                points=None, on=None, fc=False) -> dict:
        data = {"number": number, "holder": {"last_name": "Martin", "first_name": "Léa",
                                             "birth_date": birth_date_for(day(obtained))},
                "obtained_on": day(obtained), "probation": probation,
                "formation_complementaire": fc, "balance": None}
        if points is not None:
            data["balance"] = {"points": points, "on": day(on or obtained)}
        self.reach(obtained)
        if on:  # an imported balance is known once its day has come (never in the future)
            self.reach(on)
        licences.create(data, "admin")
        db.session.remove()
        return self.licence_view(number)

    def licence_view(self, number: str) -> dict:
        return self._done(licences.view(licences.get(number)))

    def infraction(self, number, committed, points=3, decision=None, fine=135,
                   fine_kind="forfaitaire", offence_class="C4") -> dict:
        data = {"committed_on": day(committed), "points": points, "offence_class": offence_class,
                "label": "Excès de vitesse", "decision_on": day(decision or committed),
                "established_on": day(committed),
                "fine": {"amount": Decimal(fine), "kind": fine_kind, "paid_on": day(committed)}}
        self.reach(committed)
        if decision:  # a retrait is registered once decided (R8): never in the future
            self.reach(decision)
        recorded = licences.record_infraction(licences.get(number), data, "admin")
        return self._done(licences.infraction_view(recorded))

    def invalidation(self, number, decision, notified=None):
        data = {"decision_on": day(decision), "notified_on": day(notified)}
        inv = licences.add_invalidation(licences.get(number), data, "admin")
        return self._done({"id": inv.id, "decision_on": inv.decision_on,
                           "notified_on": inv.notified_on})

    def balance(self, number, on=None) -> int:
        if on:
            return self._done(licences.balance(licences.get(number), day(on))["balance"])
        return self.licence_view(number)["balance"]

    # -- cases ----------------------------------------------------------------------------------
    def _create_case(self, data: dict) -> dict:
        case_id = cases.create(data, "admin").id
        db.session.remove()
        return self.case(case_id)

    def mandatory_case(self, number, infraction_id, received, receipt="signed", sent=None):
        received_on = day(received)
        sent_on = day(sent) if sent else (received_on or dt.date(2026, 1, 1)) - dt.timedelta(3)
        return self._create_case({"kind": "obligatoire", "licence": number,
                                  "infraction": infraction_id,
                                  "letter_48n": {"sent_on": sent_on, "receipt": receipt,
                                                 "received_on": received_on}})

    def voluntary_case(self, number) -> dict:
        return self._create_case({"kind": "volontaire", "licence": number, "infraction": None,
                                  "letter_48n": None})

    def case(self, case_id) -> dict:
        return self._done(cases.view(cases.get(case_id)))

    def events(self, case_id) -> list[dict]:
        rows = case_view.history(cases.get(case_id))
        return self._done([{"type": e.type, "actor": e.actor, "detail": e.detail}
                           for e in rows])

    def enroll(self, case_id, session_id, as_="admin") -> dict:
        cases.enroll(cases.get(case_id), session_id, self.user(as_))
        db.session.remove()
        return self.case(case_id)

    def attestation(self, case_id, received) -> dict:
        cases.receive_attestation(cases.get(case_id), day(received), "admin")
        db.session.remove()
        return self.case(case_id)

    def cases_total(self) -> int:
        return self._done(cases.list_cases(None, None, None, False, 1, 50)[1])

    # -- sessions -------------------------------------------------------------------------------
    def session(self, day1, day2, centre=CENTRE, capacity=20, as_="admin", fill=5) -> dict:
        """A session, with `fill` other trainees (voluntary cases) so that it is held with the
        legal group size (R32: 6 to 20 present) once the journey's trainee is there too."""
        created = sessions.create({"centre": centre, "day1": day(day1), "day2": day(day2),
                                   "capacity": capacity, "driving_sequence": False},
                                  self.user(as_))
        session_id = created.id
        db.session.remove()
        self.fillers[session_id] = self._fill(session_id, fill)
        return self.session_view(session_id)

    @command
    def _fill(self, session_id: int, count: int) -> list[str]:
        """`count` trainees with a voluntary case enrolled in the session: the same commands as
        the journey's own verbs, in one transaction (they join it), without reading a view."""
        numbers = []
        admin = self.user("admin")
        for _ in range(count):
            self._next_filler += 1
            number = f"9900000{self._next_filler:05d}"
            licences.create({"number": number, "holder": {"last_name": "Durand",
                                                          "first_name": "Paul",
                                                          "birth_date": dt.date(1990, 1, 1)},
                             "obtained_on": dt.date(2015, 1, 1), "probation": "none",
                             "formation_complementaire": False,
                             # known on 01/01/2025, or today if earlier (never in the future)
                             "balance": {"points": 8, "on": min(dt.date(2025, 1, 1),
                                                                 clock().today())}}, "admin")
            case = cases.create({"kind": "volontaire", "licence": number, "infraction": None,
                                 "letter_48n": None}, "admin")
            cases.enroll(case, session_id, admin)
            numbers.append(number)
        return numbers

    def session_view(self, session_id) -> dict:
        return self._done(sessions.view(sessions.get(session_id)))

    def cancel(self, session_id, on, reason, as_="admin") -> dict:
        self.reach(on)  # a cancellation is recorded once it happened (never in the future)
        sessions.cancel(sessions.get(session_id), {"on": day(on), "reason": reason},
                        self.user(as_))
        db.session.remove()
        return self.session_view(session_id)

    def unenrol(self, session_id, case_id, reason, as_="admin") -> dict:
        sessions.unenrol(sessions.get(session_id), case_id, reason, self.user(as_))
        db.session.remove()
        return self.session_view(session_id)

    def attendance(self, session_id, records, as_="admin") -> dict:
        recs = [{"licence": n, "day1": a, "day2": b} for n, a, b in records]
        recs += [{"licence": n, "day1": "present", "day2": "present"}
                 for n in self.fillers.get(session_id, [])]
        sessions.record_attendance(sessions.get(session_id), recs, self.user(as_))
        db.session.remove()
        return self.session_view(session_id)

    # -- tasks ----------------------------------------------------------------------------------
    def task(self, case_id, key):
        items, _ = tasks.list_tasks(self.user("admin"), case_id, key, False, "open", 1, 50)
        assert items, f"no open task {key} on case {case_id}"
        return self._done({"id": items[0].id, "key": items[0].key, "case": items[0].case_id})

    def complete(self, case_id, key, as_="agent", **data) -> dict:
        task = self.task(case_id, key)
        done = tasks.complete(task["id"], data, self.user(as_)).id
        db.session.remove()
        return self.case(done)
