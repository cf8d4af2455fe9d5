"""A page number past the end of a list (an edited URL, a list that shrank) leads to its last
page: a QA pass found « 3 tâches » announced over an empty table, « page 99 sur 2 »."""

from __future__ import annotations

import pytest

from tests.ui_support import UiClient


@pytest.fixture
def clerk(api):
    api.set_today("02/03/2026")
    api.licence("120175200601", obtained="01/01/2015", probation="none", points=8,
                on="01/01/2026")
    api.voluntary_case("120175200601")
    client = UiClient(api.app)
    client.login("admin")
    return client


@pytest.mark.parametrize(("path", "query"), [
    ("/ui/taches", {}), ("/ui/recherche", {"q": "120175200601"}), ("/ui/sessions", {}),
    ("/ui/incidents", {}), ("/ui/envois", {}),
])
def test_a_page_past_the_end_redirects_to_the_last_one(clerk, path, query):
    resp = clerk.http.get(path, query_string={**query, "page": 99})
    assert resp.status_code == 302, (path, resp.status_code)
    assert "page=1" in resp.headers["Location"] and "page=99" not in resp.headers["Location"]
    for key, value in query.items():
        assert f"{key}={value}" in resp.headers["Location"]
