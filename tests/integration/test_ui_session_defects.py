"""Defects of the session pages (issue 18): a held session counts its trainees; the trainees
table is focusable (it scrolls on a phone); a session whose last day passed without attendance
is shown late, to the centre and to the clerks, and flagged in the API."""

from __future__ import annotations

import re

from tests.ui_support import UiClient, text

LATE = "En retard : présences non saisies"


def client(api, username):
    ui = UiClient(api.app)
    ui.login(username)
    return ui


def test_a_held_session_counts_its_trainees(api):
    api.set_today("01/02/2026")
    session = api.session("06/03/2026", "07/03/2026", fill=6)
    api.set_today("09/03/2026")
    api.attendance(session["id"], [])
    for username in ("agent", "centre75"):
        body = text(client(api, username).get(f"/ui/sessions/{session['id']}"))
        assert "Tenue" in body
        assert re.search(r'id="session-summary">[^<]* ; 6 inscrits sur 20 places\.', body), username
        listing = text(client(api, username).get("/ui/sessions"))
        assert "<td>6 / 20</td>" in listing


def test_the_trainees_table_is_focusable_and_named(api):
    api.set_today("01/02/2026")
    session = api.session("06/03/2026", "07/03/2026", fill=2)
    body = text(client(api, "centre75").get(f"/ui/sessions/{session['id']}"))
    table = re.search(r'<table id="enrollments"[^>]*>\s*<caption>([^<]+)</caption>', body)
    assert table and 'tabindex="0"' in table.group(0)
    assert table.group(1).strip() == "Inscriptions à la session"


def test_a_session_past_its_last_day_without_attendance_is_late(api):
    api.set_today("01/02/2026")
    session = api.session("06/03/2026", "07/03/2026", fill=6)
    empty = api.session("13/03/2026", "14/03/2026", fill=0)  # nobody to record: not late
    sid = session["id"]
    api.set_today("07/03/2026")  # the last day itself: not late yet
    assert LATE not in text(client(api, "agent").get(f"/ui/sessions/{sid}"))
    assert [f["rule"] for f in api.ok(api.get(f"/api/v1/sessions/{sid}"))["flags"]] == []
    api.set_today("16/03/2026")
    for username in ("agent", "centre75"):
        ui = client(api, username)
        page = text(ui.get(f"/ui/sessions/{sid}"))
        assert f'id="session-late">{LATE}' in page, username
        assert "Planifiée" in page
        assert 'id="late-warning"' in page
        listing = text(ui.get("/ui/sessions"))
        assert f'id="late-{sid}">{LATE}' in listing, username
        assert f'id="late-{empty["id"]}"' not in listing
    api_view = api.ok(api.get(f"/api/v1/sessions/{sid}", as_="centre75"))
    assert api_view["status"] == "planned"
    assert api_view["flags"] == [{"rule": "R34", "message": f"{LATE} (dernier jour le "
                                                             "07/03/2026)."}]
    assert api.ok(api.get(f"/api/v1/sessions/{empty['id']}"))["flags"] == []
    # recorded: no longer late
    api.attendance(sid, [])
    assert LATE not in text(client(api, "centre75").get(f"/ui/sessions/{sid}"))
    assert api.ok(api.get(f"/api/v1/sessions/{sid}"))["flags"] == []
