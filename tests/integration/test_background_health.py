"""The background worker's lateness told on the pages (services/background_health.py): timers
and deferred sends waiting well past their due instant mean that no worker runs them."""

from __future__ import annotations

import pytest

from services import outbox
from services.db import transaction
from tests.ui_support import UiClient, text

NOTICE = "Le traitement automatique est en retard"


def at(api, instant: str) -> None:
    api.ok(api.request("PUT", "/api/v1/clock", {"now": instant}))


def page(api, path: str, role: str = "admin") -> str:
    ui = UiClient(api.app)
    ui.login(role)
    return text(ui.get(path))


@pytest.mark.parametrize("role", ["admin", "agent"])
def test_a_timer_left_unfired_is_told_on_the_dashboard_until_the_worker_fires_it(api, role):
    api.licence("120175200901", obtained="01/09/2025")
    inf = api.infraction("120175200901", "01/02/2026", points=3)
    api.set_today("10/03/2026")
    api.mandatory_case("120175200901", inf["id"], received="10/03/2026", sent="05/03/2026")
    # the deadline's timer is due at the start of 11/07/2026 (D1): queued, not late yet
    at(api, "2026-07-11T00:09:00+02:00")
    assert NOTICE not in page(api, "/ui/tableau-de-bord", role)
    at(api, "2026-07-11T00:11:00+02:00")
    shown = page(api, "/ui/tableau-de-bord", role)
    assert NOTICE in shown and "échus depuis le 11/07/2026 00:00" in shown
    assert "envois différés" not in shown.split(NOTICE)[1].split("Prévenez")[0]
    assert api.run_timers() == 1
    assert NOTICE not in page(api, "/ui/tableau-de-bord", role)


def test_a_send_left_waiting_is_told_on_the_outbox_page(api):
    at(api, "2026-03-10T09:00:00+01:00")
    with api.app.app_context(), transaction():
        job = outbox.enqueue("email", case_id=None, action="test", key="<late@test>",
                             payload={"to": "x@example.test", "subject": "s", "body": "b"})
        job_id = job.id
    at(api, "2026-03-10T09:05:00+01:00")
    assert NOTICE not in page(api, "/ui/envois")
    at(api, "2026-03-10T09:20:00+01:00")
    shown = page(api, "/ui/envois")
    assert NOTICE in shown and "attendent depuis le 10/03/2026 09:00" in shown
    with api.app.app_context(), transaction():
        from services.db import db
        from services.models import OutboxJob
        db.session.get(OutboxJob, job_id).status = outbox.SENT
    assert NOTICE not in page(api, "/ui/envois")


def test_a_claimed_send_whose_worker_died_is_late_once_its_lease_is_long_over(api):
    at(api, "2026-03-10T09:00:00+01:00")
    with api.app.app_context():
        with transaction():
            outbox.enqueue("email", case_id=None, action="test", key="<claimed@test>",
                           payload={"to": "x@example.test", "subject": "s", "body": "b"})
        assert outbox.claim() is not None  # the worker took it, then died: leased 10 minutes
    at(api, "2026-03-10T09:15:00+01:00")
    assert NOTICE not in page(api, "/ui/envois")
    at(api, "2026-03-10T09:21:00+01:00")
    assert "attendent depuis le 10/03/2026 09:10" in page(api, "/ui/envois")
