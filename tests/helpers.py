"""A small HTTP driver for the REST API, used by integration tests: tokens per role, JSON in
and out, French dates for readability of the journeys."""

from __future__ import annotations

import datetime as dt

from services import processes, users
from services.db import transaction

CENTRE = "R2407500010"
OTHER_CENTRE = "R2409300020"


def birth_date_for(obtained: dt.date) -> dt.date:
    """The holder's birth date the tests use: 02/05/2004, or 20 years before a licence
    obtained before its holder could have been 14 (services/rules/facts.py, LD15)."""
    born = dt.date(2004, 5, 2)
    return born if obtained >= dt.date(2018, 5, 2) else obtained.replace(year=obtained.year - 20)


def d(text: str) -> str:
    """'10/03/2026' → '2026-03-10' (journeys read like the clerks' letters)."""
    day, month, year = text.split("/")
    return f"{year}-{month}-{day}"


class ApiClient:
    def __init__(self, app):
        self.app = app
        self.http = app.test_client()
        self.tokens: dict[str, str] = {}
        self.fillers: dict[int, list[str]] = {}
        self._next_filler = 0

    # -- set-up ---------------------------------------------------------------------------------
    def bootstrap(self, today: str = "01/01/2024") -> None:
        with transaction():
            processes.deploy_shipped("tests")
            for name, role in (("agent", "agent"), ("agent2", "agent"), ("admin", "admin"),
                               ("designer", "designer")):
                users.create(name, role, "motdepasse-test")
                self.tokens[name] = users.new_token(users.get_by_name(name))
        self.set_today(today)
        self.post("/api/v1/centres", {"agrement": CENTRE, "name": "Centre Paris 11",
                                      "departement": "75", "valid_until": "2030-12-31"})
        self.post("/api/v1/centres", {"agrement": OTHER_CENTRE, "name": "Centre Bobigny",
                                      "departement": "93", "valid_until": "2030-12-31"})
        with transaction():
            users.create("centre75", "centre", "motdepasse-test", CENTRE)
            users.create("centre93", "centre", "motdepasse-test", OTHER_CENTRE)
            for name in ("centre75", "centre93"):
                self.tokens[name] = users.new_token(users.get_by_name(name))

    # -- HTTP -----------------------------------------------------------------------------------
    def request(self, method: str, path: str, body=None, as_: str = "admin", raw=None,
                headers=None, **query):
        h = {"Authorization": f"Bearer {self.tokens[as_]}"} if as_ else {}
        h.update(headers or {})
        kwargs = {"headers": h, "query_string": query or None}
        if raw is not None:
            kwargs["data"] = raw
            h.setdefault("Content-Type", "application/json")
        elif body is not None:
            kwargs["json"] = body
        try:
            return self.http.open(path, method=method, **kwargs)
        finally:
            # Requests here share the test's app context: end its session as a real request's
            # teardown would, so the next request reads fresh data.
            from services.db import db
            db.session.remove()

    def get(self, path, as_="admin", **query):
        return self.request("GET", path, as_=as_, **query)

    def post(self, path, body=None, as_="admin", expect=None, **kw):
        resp = self.request("POST", path, body, as_=as_, **kw)
        if expect is not None:
            assert resp.status_code == expect, (resp.status_code, resp.get_json())
        return resp

    def ok(self, resp, status=200):
        assert resp.status_code == status, (resp.status_code, resp.get_json())
        return resp.get_json()

    # -- domain shortcuts -----------------------------------------------------------------------
    def set_today(self, text: str):
        return self.ok(self.request("PUT", "/api/v1/clock", {"today": d(text)}))

    def today(self) -> dt.date:
        return dt.date.fromisoformat(self.ok(self.get("/api/v1/clock"))["today"])

    def reach(self, text: str) -> None:
        """The clock at least on that day (moved forward, never back): a clerk registers a
        licence once it is obtained and an infraction once it is committed (the service refuses
        both in the future, services/rules/facts.py)."""
        if dt.date.fromisoformat(d(text)) > self.today():
            self.set_today(text)

    def run_timers(self) -> int:
        return self.ok(self.post("/api/v1/timers/run"))["fired"]

    def licence(self, number="120175200123", obtained="01/09/2025", probation="classic",
                points=None, on=None, fc=False):
        born = birth_date_for(dt.date.fromisoformat(d(obtained)))
        body = {"number": number, "holder": {"last_name": "Martin", "first_name": "Léa",
                                             "birth_date": born.isoformat()},
                "obtained_on": d(obtained), "probation": probation,
                "formation_complementaire": fc}
        if points is not None:
            body["balance"] = {"points": points, "on": d(on or obtained)}
        self.reach(obtained)
        if on:  # an imported balance is known once its day has come (never in the future)
            self.reach(on)
        return self.ok(self.post("/api/v1/licences", body), 201)

    def infraction(self, number, committed, points=3, decision=None, fine=135,
                   fine_kind="forfaitaire", offence_class="C4"):
        body = {"committed_on": d(committed), "points": points, "offence_class": offence_class,
                "label": "Excès de vitesse", "decision_on": d(decision or committed),
                "established_on": d(committed),
                "fine": {"amount": fine, "kind": fine_kind, "paid_on": d(committed)}}
        self.reach(committed)
        if decision:  # a retrait is registered once decided (R8): never in the future
            self.reach(decision)
        return self.ok(self.post(f"/api/v1/licences/{number}/infractions", body), 201)

    def mandatory_case(self, number, infraction_id, received, receipt="signed", sent=None):
        letter = {"sent_on": d(sent) if sent else None, "receipt": receipt,
                  "received_on": d(received) if received else None}
        if letter["sent_on"] is None:
            base = dt.date.fromisoformat(d(received)) if received else dt.date(2026, 1, 1)
            letter["sent_on"] = (base - dt.timedelta(days=3)).isoformat()
        return self.ok(self.post("/api/v1/cases", {"kind": "obligatoire", "licence": number,
                                                   "infraction": infraction_id,
                                                   "letter_48n": letter}), 201)

    def case_at_referral(self, number: str) -> dict:
        """A mandatory case opened on 10/03/2026 (48N sent on 05/03, received that day) whose
        deadline passed with no course: the clock on 11/07/2026, the day after (D1), the
        timers run, so the referral task waits (R21)."""
        self.licence(number, obtained="01/09/2025")
        inf = self.infraction(number, "01/02/2026", points=3)
        self.set_today("10/03/2026")
        case = self.mandatory_case(number, inf["id"], received="10/03/2026", sent="05/03/2026")
        self.set_today("11/07/2026")
        self.run_timers()
        return case

    def case_at_review(self, number: str) -> dict:
        """A mandatory case whose course of 05-06/06/2026 was attended by one trainee only:
        its attestation validated, the case waits for the manual review (R32, Q11); the clock
        on 06/06/2026."""
        self.licence(number, obtained="01/09/2025")
        inf = self.infraction(number, "01/02/2026", points=3)
        self.set_today("10/03/2026")
        case = self.mandatory_case(number, inf["id"], "10/03/2026")
        session = self.session("05/06/2026", "06/06/2026", fill=0)
        self.enroll(case["id"], session["id"])
        self.set_today("06/06/2026")
        self.attendance(session["id"], [(number, "present", "present")])
        self.attestation(case["id"], "06/06/2026")
        self.complete(case["id"], "verification_attestation", decision="valider")
        return case

    def voluntary_case(self, number):
        return self.ok(self.post("/api/v1/cases", {"kind": "volontaire", "licence": number}), 201)

    def attended_voluntary_case(self, number, today="04/06/2026"):
        """A voluntary case (a licence out of probation, 6 points) whose trainee attended the
        whole session of 03-04/06/2026: its attestation issued (R34), not received yet; the
        clock at `today`."""
        self.licence(number, obtained="01/01/2010", probation="none", points=6, on="01/01/2026")
        self.set_today("01/03/2026")
        case = self.voluntary_case(number)
        session = self.session("03/06/2026", "04/06/2026")
        self.enroll(case["id"], session["id"])
        self.set_today(today)
        self.attendance(session["id"], [(number, "present", "present")])
        return case

    def session(self, day1, day2, centre=CENTRE, capacity=20, as_="admin", fill=5):
        """A session, with `fill` other trainees (voluntary cases) so that it is held with the
        legal group size (R32: 6 to 20 present) once the journey's trainee is there too."""
        session = self.ok(self.post("/api/v1/sessions", {"centre": centre, "day1": d(day1),
                                                         "day2": d(day2), "capacity": capacity},
                                    as_=as_), 201)
        numbers = []
        for _ in range(fill):
            number = self.filler_number()
            # the balance known on 01/01/2025, or today if earlier (an import is never dated
            # in the future, and a filler does not move the journey's clock)
            on = min(dt.date(2025, 1, 1), self.today()).strftime("%d/%m/%Y")
            self.licence(number, obtained="01/01/2015", probation="none", points=8, on=on)
            case = self.voluntary_case(number)
            self.enroll(case["id"], session["id"])
            numbers.append(number)
        self.fillers[session["id"]] = numbers
        return session

    def filler_number(self) -> str:
        """A new licence number for one of a session's other trainees."""
        self._next_filler += 1
        return f"9900000{self._next_filler:05d}"

    def enroll(self, case_id, session_id, as_="admin"):
        return self.ok(self.post(f"/api/v1/cases/{case_id}/enrollment", {"session": session_id},
                                 as_=as_))

    def attendance(self, session_id, records, as_="admin"):
        recs = [{"licence": n, "day1": a, "day2": b} for n, a, b in records]
        recs += [{"licence": n, "day1": "present", "day2": "present"}
                 for n in self.fillers.get(session_id, [])]
        return self.ok(self.post(f"/api/v1/sessions/{session_id}/attendance",
                                 {"records": recs}, as_=as_))

    def attestation(self, case_id, received):
        return self.ok(self.post(f"/api/v1/cases/{case_id}/attestation",
                                 {"received_on": d(received)}))

    def case(self, case_id):
        return self.ok(self.get(f"/api/v1/cases/{case_id}"))

    def task(self, case_id, key):
        items = self.ok(self.get("/api/v1/tasks", case=case_id, key=key))["items"]
        assert items, f"no open task {key} on case {case_id}"
        return items[0]

    def complete(self, case_id, key, as_="agent", **data):
        task = self.task(case_id, key)
        return self.ok(self.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data},
                                 as_=as_))

    def balance(self, number, on=None):
        if on:
            return self.ok(self.get(f"/api/v1/licences/{number}/balance", on=d(on)))["balance"]
        return self.ok(self.get(f"/api/v1/licences/{number}"))["balance"]
