"""Timers fired through `POST /api/v1/timers/run` are recorded under the admin who asked (not a
fixed « admin »); the worker's own sweep stays « minuteur »."""

from __future__ import annotations

from services import timers, users
from services.db import transaction
from tests.designer_support import xml_headers
from tests.integration.test_designer_user_tasks import REMINDER, with_a_call_first


def _waiting_case(api) -> int:
    api.set_today("02/03/2026")
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_="designer",
                       raw=with_a_call_first(extra=REMINDER), headers=xml_headers())
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    case = api.voluntary_case("120175200123")
    api.set_today("18/03/2026")
    return case["id"]


def _actors(api, case_id: int) -> dict[str, set[str]]:
    events = api.ok(api.get(f"/api/v1/cases/{case_id}/events", per_page=200))["items"]
    return {kind: {e["actor"] for e in events if e["type"] == kind}
            for kind in ("relance", "minuteur_declenche")}


def test_timers_run_from_the_api_name_the_calling_admin(api):
    case_id = _waiting_case(api)
    with transaction():
        users.create("qadmin", "admin", "motdepasse-qa")
        api.tokens["qadmin"] = users.new_token(users.get_by_name("qadmin"))
    assert api.ok(api.post("/api/v1/timers/run", as_="qadmin"))["fired"] == 1
    assert _actors(api, case_id) == {"relance": {"qadmin"}, "minuteur_declenche": {"qadmin"}}


def test_the_workers_sweep_stays_the_timer(api):
    case_id = _waiting_case(api)
    assert timers.run_due() == 1
    assert _actors(api, case_id) == {"relance": {"minuteur"}, "minuteur_declenche": {"minuteur"}}
