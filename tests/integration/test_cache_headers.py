"""Security review: the pages and the API answers hold personal data (a holder's name, licence
number, outcome); none said `Cache-Control`, so a browser could keep them on disk and show them
again from its history after logout on a shared computer. Static files keep their caching."""

from __future__ import annotations

from tests.ui_support import UiClient


def test_pages_and_api_answers_are_not_stored(app, api):
    ui = UiClient(app)
    ui.login("agent")
    for path in ("/ui/tableau-de-bord", "/ui/taches"):
        resp = ui.get(path)
        assert resp.status_code == 200, path
        assert resp.headers.get("Cache-Control") == "no-store", path
    # the login page as whoever meets it (a logged-in user is sent on from it), and that redirect
    login = UiClient(app).get("/ui/connexion")
    assert login.status_code == 200 and login.headers.get("Cache-Control") == "no-store"
    sent_on = ui.get("/ui/connexion")
    assert sent_on.status_code == 302 and sent_on.headers.get("Cache-Control") == "no-store"
    for path in ("/api/v1/cases", "/api/v1/tasks"):
        resp = api.get(path, as_="agent")
        assert resp.status_code == 200, path
        assert resp.headers.get("Cache-Control") == "no-store", path
    assert api.get("/api/v1/cases/999999", as_="agent").headers.get("Cache-Control") == \
        "no-store"  # errors too


def test_static_files_keep_their_own_caching(app):
    resp = app.test_client().get("/ui/static/ui.js")
    assert resp.status_code == 200
    assert resp.headers.get("Cache-Control") != "no-store"
