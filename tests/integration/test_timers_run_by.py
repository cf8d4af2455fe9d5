"""Timers fired through `POST /api/v1/timers/run` are recorded under the admin who asked (not a
fixed « admin »); the worker's own sweep stays « minuteur »."""

from __future__ import annotations

from services import timers, users
from services.db import transaction
from tests.integration.test_designer_user_tasks import voluntary_case_with_a_reminder


def _waiting_case(api) -> int:
    case = voluntary_case_with_a_reminder(api)
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
