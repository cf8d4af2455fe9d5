"""The site's icon (a QA finding: none, and /favicon.ico a 404 in every server log): an SVG in
web/ui/static, linked from every page, and /favicon.ico sends the browser to it."""

from __future__ import annotations

from tests.ui_support import UiClient


def test_favicon_ico_leads_to_the_svg_icon(app):
    http = app.test_client()
    resp = http.get("/favicon.ico")
    assert resp.status_code == 301
    assert resp.headers["Location"].endswith("/ui/static/favicon.svg")
    icon = http.get(resp.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")


def test_every_page_links_the_icon(api):
    login_page = api.app.test_client().get("/ui/connexion").get_data(as_text=True)
    link = '<link rel="icon" href="/ui/static/favicon.svg" type="image/svg+xml">'
    assert link in login_page
    clerk = UiClient(api.app)
    clerk.login("agent")
    assert link in clerk.get("/ui/taches").get_data(as_text=True)
