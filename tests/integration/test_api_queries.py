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
