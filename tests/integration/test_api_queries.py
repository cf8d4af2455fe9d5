"""The REST API's list endpoints read a fixed number of SQL statements whatever the number of
rows they return: no query per row (N+1)."""

from __future__ import annotations

from tests.query_count import counted


def _cases_page(api):
    with counted() as seen:
        body = api.ok(api.get("/api/v1/cases", per_page=50))
    return body["items"], seen


def test_the_case_list_reads_each_licence_with_its_case(api):
    api.set_today("02/03/2026")

    def add(first: int, n: int) -> None:
        for i in range(first, first + n):
            number = f"1201754{i:05d}"
            api.licence(number, obtained="01/01/2010", probation="none", points=8,
                        on="01/01/2026")
            api.voluntary_case(number)

    add(0, 2)
    small, seen_small = _cases_page(api)
    add(2, 5)
    large, seen_large = _cases_page(api)
    assert len(small) == 2 and len(large) == 7
    assert seen_large == seen_small, seen_large - seen_small
    assert {c["licence"] for c in large} == {f"1201754{i:05d}" for i in range(7)}


def _sessions_page(api):
    with counted() as seen:
        body = api.ok(api.get("/api/v1/sessions", per_page=50))
    return body["items"], seen


def test_the_session_list_reads_each_trainee_with_its_session(api):
    """A session list showed each trainee's licence number by loading the trainee's case, then
    its licence: two statements per trainee (a page of 20 sessions of 12 trainees took 0.7 s
    in the clerks' day, bench/clerks_day.py)."""
    api.set_today("02/03/2026")
    session = api.session("05/06/2026", "06/06/2026", fill=1)
    small, seen_small = _sessions_page(api)
    numbers = [f"1201755{i:05d}" for i in range(5)]
    for number in numbers:
        api.licence(number, obtained="01/01/2010", probation="none", points=8, on="01/01/2026")
        api.enroll(api.voluntary_case(number)["id"], session["id"])
    large, seen_large = _sessions_page(api)
    assert [len(s["enrollments"]) for s in small] == [1]
    assert [len(s["enrollments"]) for s in large] == [6]
    assert seen_large == seen_small, seen_large - seen_small
    assert [e["licence"] for e in large[0]["enrollments"]][1:] == numbers


def test_a_session_reads_each_trainee_with_it(api):
    """The same for one session (GET /sessions/{id}, and the answer to its commands)."""
    api.set_today("02/03/2026")
    session = api.session("05/06/2026", "06/06/2026", fill=1)
    path = f"/api/v1/sessions/{session['id']}"
    with counted() as seen_small:
        api.ok(api.get(path))
    for i in range(5):
        number = f"1201756{i:05d}"
        api.licence(number, obtained="01/01/2010", probation="none", points=8, on="01/01/2026")
        api.enroll(api.voluntary_case(number)["id"], session["id"])
    with counted() as seen_large:
        body = api.ok(api.get(path))
    assert len(body["enrollments"]) == 6
    assert seen_large == seen_small, seen_large - seen_small


def test_the_session_list_shows_each_session_as_its_own_page_does(api):
    """The list reads its trainees as plain rows (one statement for the page), the session's
    own answer through its objects: both give the same view, flags included (a held session
    too small, R32; a planned one whose days are over, attendance not recorded)."""
    api.set_today("02/03/2026")
    held = api.session("05/03/2026", "06/03/2026", fill=3)
    late = api.session("12/03/2026", "13/03/2026", fill=2)
    api.session("05/06/2026", "06/06/2026", fill=0)
    api.set_today("07/03/2026")
    api.attendance(held["id"], [])
    api.set_today("20/03/2026")
    listed = api.ok(api.get("/api/v1/sessions", per_page=50))["items"]
    assert len(listed) == 3
    for item in listed:
        assert item == api.ok(api.get(f"/api/v1/sessions/{item['id']}")), item["id"]
    flags = {s["id"]: [f["rule"] for f in s["flags"]] for s in listed}
    assert flags[held["id"]] and flags[late["id"]]  # R32's size, and the late attendance
    assert [e["status"] for e in listed[0]["enrollments"]] == ["attended"] * 3
