"""The browser UI's list pages read a fixed number of SQL statements, whatever the number of rows
they show: no query per task, case, session or trainee (N+1). Each page is counted, the data
grows (tasks, cases, sessions, trainees, infractions), and the same page is counted again."""

from __future__ import annotations

import collections
import datetime as dt

from tests.query_count import counted
from tests.ui_support import UiClient, text

TRAINEES_OF = "120175399999"  # the licence whose page lists its infractions


class World:
    """Rows of every kind the pages list, added a few at a time."""

    def __init__(self, api):
        self.api = api
        self.n = 0
        self.week = 0
        api.licence(TRAINEES_OF)
        self.big = api.session("03/06/2026", "04/06/2026", fill=0)
        self.waiting, _ = self.mandatory()  # its page offers every open session

    def number(self) -> str:
        self.n += 1
        return f"1201753{self.n:05d}"

    def mandatory(self, received="10/11/2025") -> tuple[dict, str]:
        """A 48N case (deadline near today, 02/03/2026) and its licence number."""
        number = self.number()
        self.api.licence(number)
        inf = self.api.infraction(number, "01/10/2025")
        return self.api.mandatory_case(number, inf["id"], received), number

    def grow(self, k: int) -> None:
        api = self.api
        for _ in range(k):
            self.mandatory()  # waiting for an enrolment, in the near-deadline block
            manual, number = self.mandatory()  # a 48SI sends it to a manual review (Q8)
            api.ok(api.post(f"/api/v1/licences/{number}/invalidation",
                            {"decision_on": "2026-02-20", "notified_on": "2026-03-01"}), 201)
            task = api.task(manual["id"], "examen_manuel")
            self.week += 1
            if self.week % 2:  # every other one is mine
                api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent"))
            day1 = dt.date(2026, 6, 3) + dt.timedelta(weeks=self.week)  # Wednesdays
            api.session(f"{day1:%d/%m/%Y}", f"{day1 + dt.timedelta(days=1):%d/%m/%Y}", fill=1)
            trainee = self.number()
            api.licence(trainee, obtained="01/01/2015", probation="none", points=8,
                        on="01/01/2025")
            api.enroll(api.voluntary_case(trainee)["id"], self.big["id"])
            api.infraction(TRAINEES_OF, f"{self.week:02d}/01/2026", points=1)


def pages(world) -> list[tuple[str, str]]:
    big, waiting = world.big["id"], world.waiting["id"]
    return [("agent", "/ui/tableau-de-bord"), ("agent", "/ui/taches"),
            ("agent", "/ui/sessions"), ("centre75", "/ui/sessions"),
            ("agent", f"/ui/sessions/{big}"), ("centre75", f"/ui/sessions/{big}"),
            ("agent", f"/ui/dossiers/{waiting}"), ("agent", "/ui/recherche?q=stg"),
            ("agent", f"/ui/permis/{TRAINEES_OF}")]


def test_list_pages_read_the_same_number_of_statements_for_more_rows(api):
    api.set_today("02/03/2026")
    world = World(api)
    clients = {}
    for name in ("agent", "centre75"):
        clients[name] = UiClient(api.app)
        clients[name].login(name)

    bodies = {}

    def measure() -> dict[tuple[str, str], collections.Counter]:
        out = {}
        for who, path in pages(world):
            with counted() as seen:
                resp = clients[who].get(path)
            assert resp.status_code == 200, (who, path)
            out[(who, path)] = seen
            bodies[path] = text(resp)
        return out

    world.grow(2)  # a row in every list already
    before = measure()
    world.grow(3)
    after = measure()
    grown = {page: {sql[:120]: (before[page][sql], n) for sql, n in seen.items()
                    if n > before[page][sql]}
             for page, seen in after.items()}
    assert not {page: sqls for page, sqls in grown.items() if sqls}
    # the rows are there: 5 tasks, 5 trainees, 6 sessions, 5 infractions, a page of cases
    assert "5 tâches ouvertes." in bodies["/ui/taches"]
    assert bodies[f"/ui/sessions/{world.big['id']}"].count("<td>1201753") == 5
    assert "6 sessions." in bodies["/ui/sessions"]
    assert "Infractions (5)" in bodies[f"/ui/permis/{TRAINEES_OF}"]
    found = bodies["/ui/recherche?q=stg"]
    assert "21 dossiers pour « stg » — page 1 sur 2." in found
    assert found.count('<td><a href="/ui/dossiers/') == 20
