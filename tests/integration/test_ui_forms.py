"""The browser UI's forms and pages through Flask's test client (the browser suite drives the same
pages in Chromium): a rejected form shows the API's own message next to each field, keeps what was
typed and stores nothing; the commands do what the API does; a centre operator stays within its
own centre's sessions; security headers; "/" by role."""

from __future__ import annotations

import datetime as dt

import pytest

from services.rules import calendar as rcal
from tests.api_errors_support import CENTRE, OTHER_CENTRE, unchanged
from tests.ui_support import (
    INLINE_SCRIPT,
    STYLE_ATTR,
    UiClient,
    checked,
    field_errors,
    flashes,
    input_value,
    selected,
    summary,
    text,
)

NUM = "120175200123"
LICENCE_FORM = {"number": NUM, "holder.last_name": "Martin", "holder.first_name": "Léa",
                "holder.birth_date": "2004-05-02", "obtained_on": "2025-09-01",
                "probation": "classic"}


@pytest.fixture
def ui(api):
    api.set_today("02/03/2026")
    client = UiClient(api.app)
    client.login("agent")
    return client


def follow(ui, resp):
    assert resp.status_code == 302, (resp.status_code, text(resp)[:800])
    return ui.get(resp.headers["Location"])


def api_errors(api, path, body) -> dict[str, list[str]]:
    resp = api.post(path, body)
    assert resp.status_code == 422, resp.get_json()
    return resp.get_json()["errors"]


def as_ids(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k.replace(".", "-"): v for k, v in errors.items()}


# ---- "/", headers, no inline script ---------------------------------------------------------

def test_root_sends_each_user_to_their_home(api):
    client = UiClient(api.app)
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/ui/connexion")
    for username, home in (("agent", "/ui/tableau-de-bord"), ("centre75", "/ui/sessions"),
                           ("admin", "/ui/tableau-de-bord"), ("designer", "/ui/processus")):
        client = UiClient(api.app)
        assert client.login(username).headers["Location"].endswith(home), username
        assert client.get("/").headers["Location"].endswith(home), username
        assert client.get("/ui/").headers["Location"].endswith(home), username


def test_security_headers_on_the_ui_and_the_api_document(api):
    client = UiClient(api.app)
    for path in ("/", "/ui/connexion", "/ui/a-propos", "/ui/pas-de-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                          "frame-ancestors 'none'", "object-src 'none'"):
            assert directive in csp, (path, csp)
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
    docs = client.get("/api/v1/docs")  # the API's own page: its CSP allows its one inline style
    assert "default-src 'none'" in docs.headers["Content-Security-Policy"]
    assert docs.headers["X-Frame-Options"] == "DENY"
    assert docs.headers["X-Content-Type-Options"] == "nosniff"


def test_what_a_browser_can_send_gets_a_french_page_never_a_500(api, ui):
    api.licence(NUM)
    # a method the page does not take: the French page, with its Allow header and the CSP
    for method, path in (("PUT", "/ui/connexion"), ("POST", "/ui/tableau-de-bord")):
        resp = ui.http.open(path, method=method)
        assert resp.status_code == 405 and resp.mimetype == "text/html", path
        assert "Méthode non permise" in text(resp)
        assert "GET" in resp.headers["Allow"]
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert api.request("PUT", "/api/v1/cases").mimetype == "application/problem+json"
    # a page number past any database integer: the last page (a redirection to it for the
    # lists read from the database), not an OFFSET overflow
    huge = "9" * 30
    for path, query in (("/ui/taches", {"page": huge}), ("/ui/sessions", {"page": huge}),
                        ("/ui/recherche", {"q": "martin", "page": huge, "permis": huge}),
                        (f"/ui/permis/{NUM}", {"dossiers": huge, "releve": huge})):
        resp = ui.get(path, **query)
        if resp.status_code == 302:
            resp = ui.get(resp.headers["Location"])
        assert resp.status_code == 200, path
    # a NUL character (PostgreSQL text cannot hold one): refused in French, nothing stored
    for path, query in (("/ui/recherche", {"q": "mar\x00tin"}), ("/ui/permis/12\x00", {}),
                        ("/ui/taches", {"tache\x00": "x"})):
        resp = ui.get(path, **query)
        assert resp.status_code == 400 and "caractère nul" in text(resp), path
    with unchanged():
        resp = ui.post("/ui/permis/nouveau", {**LICENCE_FORM, "number": "1201752\x0099"})
    assert resp.status_code == 400 and "caractère nul" in text(resp)
    # a form past the request size limit (5 MiB): the French page, not the API's JSON
    with unchanged():
        resp = ui.post("/ui/permis/nouveau", {**LICENCE_FORM, "holder.last_name": "x" * 6_000_000})
    assert resp.status_code == 413 and resp.mimetype == "text/html"
    assert "Requête trop volumineuse" in text(resp)
    assert api.request("POST", "/api/v1/licences", data="x" * 6_000_000,
                       headers={"Content-Type": "application/json"}).mimetype \
        == "application/problem+json"


def _session_cookie(resp) -> str:
    cookies = [c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, resp.headers.getlist("Set-Cookie")
    return cookies[0]


def test_the_session_cookie_expires_after_8_hours_and_is_secure_when_set(api, app):
    from email.utils import parsedate_to_datetime

    client = UiClient(api.app)
    cookie = _session_cookie(client.login("agent"))
    flags = [part.strip() for part in cookie.split(";")]
    assert "HttpOnly" in flags and "SameSite=Lax" in flags and "Secure" not in flags
    expires = parsedate_to_datetime(next(f for f in flags if f.startswith("Expires="))[8:])
    lifetime = expires - dt.datetime.now(dt.UTC)  # Flask dates it by the real time
    assert dt.timedelta(hours=7, minutes=59) < lifetime <= dt.timedelta(hours=8)

    from app import create_app
    secure = create_app({"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                         "CLOCK_MODE": "manual", "SECRET_KEY": "test", "TESTING": True,
                         "SESSION_COOKIE_SECURE": "true"})
    cookie = _session_cookie(UiClient(secure).login("agent"))
    assert "Secure" in [part.strip() for part in cookie.split(";")]


def _session_cookies(resp) -> list[str]:
    return [c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session=")]


def test_static_files_neither_set_nor_refresh_the_session_cookie(api):
    """Static files are public and cacheable: a response carrying the session cookie must not
    be kept by a shared cache, and a stylesheet is no sign of the clerk's activity. A page still
    re-issues the cookie, its 8-hour expiry counted from this request (the idle timeout)."""
    client = UiClient(api.app)
    client.login("agent")
    for path in ("/ui/static/ui.css", "/ui/static/designer.js",
                 "/static/vendor/dsfr/dsfr.min.css"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert _session_cookies(resp) == [], (path, resp.headers.getlist("Set-Cookie"))
        assert "Cookie" not in resp.headers.get("Vary", ""), path
    anonymous = UiClient(api.app).get("/ui/static/ui.css")
    assert anonymous.status_code == 200 and _session_cookies(anonymous) == []
    page = client.get("/ui/tableau-de-bord")
    assert page.status_code == 200
    assert "Expires=" in _session_cookie(page)  # the page refreshes it, as before
    assert client.get("/api/v1/cases").status_code == 200  # the session still authenticates


def test_pages_have_no_inline_script_nor_style_attribute(api, ui):
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026")
    case = api.mandatory_case(NUM, inf["id"], "02/03/2026")
    session = api.session("05/06/2026", "06/06/2026", fill=0)
    paths = ["/ui/connexion", "/ui/tableau-de-bord", "/ui/taches", "/ui/recherche?q=martin",
             f"/ui/dossiers/{case['id']}", f"/ui/permis/{NUM}", "/ui/permis/nouveau",
             f"/ui/permis/{NUM}/infraction", f"/ui/permis/{NUM}/invalidation",
             f"/ui/permis/{NUM}/infractions/{inf['id']}/dossier-48n", "/ui/sessions",
             "/ui/sessions/nouvelle", f"/ui/sessions/{session['id']}",
             f"/ui/sessions/{session['id']}/annulation", "/ui/a-propos"]
    for path in paths:
        # the login page as whoever meets it: a logged-in user is sent on from it
        resp = (UiClient(api.app) if path == "/ui/connexion" else ui).get(path)
        assert resp.status_code == 200, path
        body = text(resp)
        assert not INLINE_SCRIPT.search(body), (path, INLINE_SCRIPT.search(body).group(0))
        assert not STYLE_ATTR.search(body), (path, STYLE_ATTR.search(body).group(0))


# ---- licences ----------------------------------------------------------------------------------

BAD_LICENCES = [
    ({}, {}),
    ({**LICENCE_FORM, "holder.birth_date": "2026-01-01"}, {}),
    ({**LICENCE_FORM, "number": "12 34"}, {}),
    ({**LICENCE_FORM, "balance.points": "abc", "balance.on": "2025-09-01"},
     {"balance": {"points": "abc", "on": "2025-09-01"}}),
    ({**LICENCE_FORM, "balance.points": "20"}, {"balance": {"points": 20}}),
    ({**LICENCE_FORM, "probation": "none", "formation_complementaire": "on"},
     {"probation": "none", "formation_complementaire": True}),
    ({**LICENCE_FORM, "balance.points": "7", "balance.on": "2025-01-01"},
     {"balance": {"points": 7, "on": "2025-01-01"}}),
]


def _licence_body(form: dict, overrides: dict) -> dict:
    body: dict = {}
    for key, value in form.items():
        if key.startswith("holder."):
            body.setdefault("holder", {})[key.split(".")[1]] = value
        elif not key.startswith("balance.") and key != "formation_complementaire":
            body[key] = value
    body.setdefault("holder", {})  # the form always has the holder's fields
    return {**body, **overrides}


def test_the_case_diagrams_xml_is_a_download_that_runs_nothing(api, ui):
    """A deployed BPMN may carry XHTML script in its extensionElements (as the API's XML is)."""
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026")
    case = api.mandatory_case(NUM, inf["id"], "02/03/2026")
    resp = ui.get(f"/ui/dossiers/{case['id']}/diagramme.bpmn")
    assert resp.status_code == 200 and resp.data.startswith(b"<?xml")
    assert resp.headers["Content-Disposition"] == f"attachment; filename={case['reference']}.bpmn"
    assert resp.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("form", "overrides"), BAD_LICENCES)
def test_licence_form_refuses_with_the_apis_messages_next_to_each_field(api, ui, form,
                                                                        overrides):
    expected = as_ids(api_errors(api, "/api/v1/licences", _licence_body(form, overrides)))
    with unchanged():
        resp = ui.post("/ui/permis/nouveau", form)
    assert resp.status_code == 422
    assert field_errors(resp) == expected
    assert len(summary(resp)) == sum(len(v) for v in expected.values())
    for key, value in form.items():  # what was typed is kept
        field_id = key.replace(".", "-")
        if key == "probation":
            assert checked(resp, f"probation-{value}")
        elif key == "formation_complementaire":
            assert checked(resp, field_id)
        else:
            assert input_value(resp, field_id) == value, key
    assert "<title>Erreur" in text(resp)


def test_licence_created_then_its_number_is_taken(api, ui):
    resp = follow(ui, ui.post("/ui/permis/nouveau", {**LICENCE_FORM, "balance.points": "5",
                                                      "balance.on": "2026-01-15"}))
    assert flashes(resp) == [f"Permis n° {NUM} enregistré."]
    assert api.ok(api.get(f"/api/v1/licences/{NUM}"))["balance"] == 5
    assert '<strong id="balance">5</strong>' in text(resp)
    with unchanged():
        resp = ui.post("/ui/permis/nouveau", LICENCE_FORM)
    assert resp.status_code == 409
    assert field_errors(resp) == {"number": [f"Le permis n° {NUM} existe déjà."]}


def test_infraction_form_checks_like_the_api_and_reports_the_48n(api, ui):
    api.licence(NUM)
    path = f"/ui/permis/{NUM}/infraction"
    form = {"label": "Excès de vitesse", "offence_class": "C4", "points": "9",
            "committed_on": "2026-02-01", "decision_on": "2026-01-20", "fine.amount": "135"}
    body = {"label": "Excès de vitesse", "offence_class": "C4", "points": 9,
            "committed_on": "2026-02-01", "decision_on": "2026-01-20", "fine": {"amount": "135"}}
    expected = as_ids(api_errors(api, f"/api/v1/licences/{NUM}/infractions", body))
    assert set(expected) == {"points", "fine-kind"}
    r8 = ["La décision ne peut précéder l'infraction (R8)."]
    with unchanged():  # the API's field errors, and the service's R8 in the same answer
        resp = ui.post(path, form)
    assert resp.status_code == 422 and field_errors(resp) == {**expected, "decision_on": r8}
    assert input_value(resp, "fine-amount") == "135"
    assert selected(resp, "offence_class") == "C4"
    form["points"] = "3"
    form["fine.kind"] = "forfaitaire"
    with unchanged():  # the schema passes, the service refuses (R8): the same field
        resp = ui.post(path, form)
    assert field_errors(resp) == {"decision_on": r8}
    form.update({"decision_on": "2026-02-10", "fine.amount": "135,50"})
    resp = ui.post(path, form)
    assert resp.status_code == 302 and "#infraction-" in resp.headers["Location"]
    page = follow(ui, resp)
    assert "Elle déclenche une lettre 48N (R15)" in flashes(page)[0]
    assert "135,50 €" in text(page)
    licence = api.ok(api.get(f"/api/v1/licences/{NUM}"))
    assert [m["points"] for m in licence["movements"] if m["kind"] == "retrait"] == [-3]


def test_opening_the_48n_case_from_its_infraction(api, ui):
    api.licence(NUM)
    small = api.infraction(NUM, "01/01/2026", points=1)
    inf = api.infraction(NUM, "01/02/2026", points=3)
    page = ui.get(f"/ui/permis/{NUM}")
    assert f"/infractions/{inf['id']}/dossier-48n" in text(page)
    assert f"/infractions/{small['id']}/dossier-48n" not in text(page)  # no 48N for 1 point
    path = f"/ui/permis/{NUM}/infractions/{inf['id']}/dossier-48n"
    for form, field, message in (
            ({"letter_48n.sent_on": "2026-02-25", "letter_48n.receipt": "signed"},
             "letter_48n-received_on", "Date de réception obligatoire"),
            ({"letter_48n.sent_on": "2026-02-25", "letter_48n.receipt": "npai",
              "letter_48n.received_on": "2026-02-27"},
             "letter_48n-received_on", "Une lettre NPAI n'a pas de date de réception"),
            ({"letter_48n.sent_on": "2026-03-05", "letter_48n.receipt": "signed",
              "letter_48n.received_on": "2026-03-06"},
             "letter_48n-sent_on", "La date ne peut être dans le futur"),
            ({"letter_48n.receipt": "recommande"}, "letter_48n-sent_on", "Champ obligatoire.")):
        with unchanged():
            resp = ui.post(path, form)
        assert resp.status_code == 422, form
        assert field_errors(resp)[field][0].startswith(message), field_errors(resp)
        assert checked(resp, f"letter_48n-receipt-{form['letter_48n.receipt']}") \
            or form["letter_48n.receipt"] == "recommande"
    with unchanged():  # the 1-point infraction: refused by R15, the rule named in the summary
        resp = ui.post(f"/ui/permis/{NUM}/infractions/{small['id']}/dossier-48n",
                       {"letter_48n.sent_on": "2026-02-25", "letter_48n.receipt": "signed",
                        "letter_48n.received_on": "2026-02-27"})
    assert resp.status_code == 422
    [why] = summary(resp)
    assert why.startswith("Cette infraction ne déclenche pas de lettre 48N") and "R15" in why
    resp = ui.post(path, {"letter_48n.sent_on": "2026-02-25", "letter_48n.receipt": "signed",
                          "letter_48n.received_on": "2026-02-27"})
    case_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    case = api.case(case_id)
    assert case["kind"] == "obligatoire" and case["infraction"] == inf["id"]
    assert case["letter_48n"]["received_on"] == "2026-02-27"
    assert case["deadline"] == "2026-06-27"  # D1: four months after the receipt
    with unchanged():
        resp = ui.post(path, {"letter_48n.sent_on": "2026-02-25", "letter_48n.receipt": "signed",
                              "letter_48n.received_on": "2026-02-27"})
    assert resp.status_code == 409
    assert summary(resp) == [f"Un dossier existe déjà pour cette infraction : "
                             f"{case['reference']} (En attente d'inscription)"]
    assert f'<a href="/ui/dossiers/{case_id}">{case["reference"]}</a>' in text(resp)
    assert ui.get(f"/ui/permis/{NUM}/infractions/999999/dossier-48n").status_code == 404


def test_voluntary_case_and_an_invalidated_licence(api, ui):
    api.licence(NUM, obtained="01/09/2015", probation="none", points=8, on="01/01/2026")
    resp = ui.post(f"/ui/permis/{NUM}/stage-volontaire")
    page = follow(ui, resp)
    assert "ouvert : stage volontaire" in flashes(page)[0]
    with unchanged():  # a notified date before the decision: the service's message (R6)
        resp = ui.post(f"/ui/permis/{NUM}/invalidation", {"decision_on": "2026-02-20",
                                                           "notified_on": "2026-02-10"})
    assert field_errors(resp) == {
        "notified_on": ["La notification ne peut précéder la décision (R6)."]}
    assert input_value(resp, "decision_on") == "2026-02-20"
    page = follow(ui, ui.post(f"/ui/permis/{NUM}/invalidation", {
        "decision_on": "2026-02-20", "notified_on": "2026-02-25"}))
    assert "1 dossier ouvert passe en examen manuel (Q8)." in flashes(page)[0]
    assert "Invalidé (48SI notifiée)" in text(page)
    with unchanged():
        resp = ui.post(f"/ui/permis/{NUM}/stage-volontaire")
    assert resp.status_code == 422
    assert "R42" in text(resp) and 'id="voluntary-error"' in text(resp)


def test_search_finds_licences_and_cases(api, ui):
    api.licence(NUM)
    api.licence("120175200999")
    api.infraction("120175200999", "01/02/2026", points=1)  # R29: needs a retrait
    api.voluntary_case("120175200999")
    resp = ui.get("/ui/recherche", q="martin")
    body = text(resp)
    assert body.count('href="/ui/permis/120175200123"') == 1
    assert "2 permis pour « martin »" in body and "1 dossier pour « martin »" in body
    assert "0 permis" in text(ui.get("/ui/recherche", q="personne"))


# ---- sessions ----------------------------------------------------------------------------------

def test_session_form_refuses_with_the_apis_messages_and_a_centre_uses_its_own(api, ui):
    form = {"centre": CENTRE, "day1": "2026-04-04", "day2": "2026-04-05", "capacity": "30"}
    body = {"centre": CENTRE, "day1": "2026-04-04", "day2": "2026-04-05", "capacity": 30}
    expected = as_ids(api_errors(api, "/api/v1/sessions", body))
    assert set(expected) == {"capacity"}
    with unchanged():
        resp = ui.post("/ui/sessions/nouvelle", form)
    assert field_errors(resp) == expected and selected(resp, "centre") == CENTRE
    form["capacity"] = "20"
    with unchanged():  # Sunday day 2: the service's rule, under its day (D12, R31)
        resp = ui.post("/ui/sessions/nouvelle", form)
    assert list(field_errors(resp)) == ["day2"] and "R31" in field_errors(resp)["day2"][0]

    centre = UiClient(api.app)
    centre.login("centre75")
    page = centre.get("/ui/sessions/nouvelle")
    assert 'id="centre"' not in text(page) and CENTRE in text(page)
    resp = centre.post("/ui/sessions/nouvelle", {"centre": OTHER_CENTRE, "day1": "2026-04-10",
                                                 "day2": "2026-04-11", "capacity": "12"})
    session_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    assert api.ok(api.get(f"/api/v1/sessions/{session_id}"))["centre"] == CENTRE


def test_a_centre_operator_stays_within_its_own_centres_sessions(api, ui):
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026")
    case = api.mandatory_case(NUM, inf["id"], "02/03/2026")
    own = api.session("05/06/2026", "06/06/2026", fill=0)
    other = api.session("12/06/2026", "13/06/2026", centre=OTHER_CENTRE, fill=0)
    centre = UiClient(api.app)
    centre.login("centre75")
    listing = text(centre.get("/ui/sessions"))
    assert f"Session n° {own['id']}<" in listing and f"Session n° {other['id']}<" not in listing
    for path in (f"/ui/sessions/{other['id']}", f"/ui/sessions/{other['id']}/annulation",
                 f"/ui/dossiers/{case['id']}", f"/ui/permis/{NUM}", "/ui/permis/nouveau",
                 "/ui/tableau-de-bord", "/ui/taches", "/ui/recherche"):
        resp = centre.get(path)
        assert resp.status_code == 403, path
        assert "Accès refusé" in text(resp)
    with unchanged():
        for path, form in ((f"/ui/sessions/{other['id']}/annulation",
                            {"on": "2026-03-02", "reason": "effectif insuffisant"}),
                           (f"/ui/sessions/{other['id']}/inscription", {"case": NUM}),
                           (f"/ui/sessions/{other['id']}/presence", {}),
                           (f"/ui/dossiers/{case['id']}/inscription", {"session": own["id"]})):
            assert centre.post(path, form).status_code == 403, path
    # on its own session: enrol a trainee by licence number (no list of other drivers shown)
    page = centre.get(f"/ui/sessions/{own['id']}")
    assert "<datalist" not in text(page) and "Numéro de permis du stagiaire" in text(page)
    # ... and by nothing else: not a case reference (a centre could walk the numbers), and one
    # answer whether the licence is unknown or has no case waiting (nothing learnt)
    api.licence("120175200777")
    with unchanged():
        for term in (case["reference"], "999999999999", "120175200777"):
            resp = centre.post(f"/ui/sessions/{own['id']}/inscription", {"case": term})
            assert resp.status_code == 422, term
            assert field_errors(resp) == {"case": [
                f"Aucun dossier en attente d'inscription pour le permis « {term} »."]}, term
    resp = follow(centre, centre.post(f"/ui/sessions/{own['id']}/inscription", {"case": NUM}))
    assert f"inscrit à la session n° {own['id']}" in flashes(resp)[0]
    assert api.case(case["id"])["session"] == own["id"]


def test_enrolling_from_the_session_page(api, ui):
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026")
    case = api.mandatory_case(NUM, inf["id"], "02/03/2026")
    full = api.session("05/06/2026", "06/06/2026", capacity=1, fill=1)
    session = api.session("12/06/2026", "13/06/2026", fill=0)
    page = text(ui.get(f"/ui/sessions/{session['id']}"))
    assert f'<option value="{case["reference"]}">' in page  # the waiting cases, proposed
    full_page = text(ui.get(f"/ui/sessions/{full['id']}"))
    assert "Inscrire un dossier" not in full_page  # full
    assert "1 inscrit sur 1 place." in full_page and "<td>En cours</td>" in full_page
    for term, message in (("", "Champ obligatoire."),
                          ("XYZ", "Aucun dossier ni permis « XYZ »."),
                          (api.fillers[full["id"]][0], "Le permis n° "
                           f"{api.fillers[full['id']][0]} n'a aucun dossier en attente "
                           "d'inscription.")):
        with unchanged():
            resp = ui.post(f"/ui/sessions/{session['id']}/inscription", {"case": term})
        assert resp.status_code == 422 and field_errors(resp) == {"case": [message]}, term
    with unchanged():  # the full session refuses with the service's message (409)
        resp = ui.post(f"/ui/sessions/{full['id']}/inscription", {"case": case["reference"]})
    assert resp.status_code == 409
    assert field_errors(resp) == {"case": ["La session est complète (1 place)."]}
    resp = ui.post(f"/ui/sessions/{session['id']}/inscription",
                   {"case": case["reference"].lower()})
    assert resp.status_code == 302
    assert api.case(case["id"])["status"] == "inscrit"


def test_cancelling_a_session(api, ui):
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026")
    case = api.mandatory_case(NUM, inf["id"], "02/03/2026")
    session = api.session("05/06/2026", "06/06/2026", fill=0)
    api.enroll(case["id"], session["id"])
    path = f"/ui/sessions/{session['id']}/annulation"
    assert input_value(ui.get(path), "on") == "2026-03-02"  # today by default
    expected = as_ids(api_errors(api, f"/api/v1/sessions/{session['id']}/cancel",
                                 {"on": "2026-03-32"}))
    with unchanged():
        resp = ui.post(path, {"on": "2026-03-32", "reason": ""})
    assert resp.status_code == 422 and field_errors(resp) == expected
    assert set(expected) == {"on", "reason"}
    page = follow(ui, ui.post(path, {"on": "2026-03-02", "reason": "effectif insuffisant"}))
    assert flashes(page) == [f"Session n° {session['id']} annulée. 1 dossier revient en attente "
                             "d'inscription ; l'échéance ne change pas (R36)."]
    after = api.case(case["id"])
    assert after["status"] == "en_attente_inscription" and after["deadline"] == case["deadline"]
    resp = ui.get(path)  # already cancelled: back to the session with the reason
    assert resp.status_code == 302
    assert "déjà annulée" in text(ui.get(resp.headers["Location"]))


def test_session_list_filters_and_pages(api, ui):
    days, day1 = [], dt.date(2026, 4, 2)  # 22 weekly sessions (public holidays skipped)
    while len(days) < 22:
        if not any(rcal.is_public_holiday(x) for x in (day1, day1 + dt.timedelta(days=1))):
            days.append(day1)
        day1 += dt.timedelta(weeks=1)
    for i, day1 in enumerate(days):
        api.ok(api.post("/api/v1/sessions", {
            "centre": OTHER_CENTRE if i % 2 else CENTRE, "day1": day1.isoformat(),
            "day2": (day1 + dt.timedelta(days=1)).isoformat(), "capacity": 12}), 201)
    in_april = sum(1 for x in days if dt.date(2026, 4, 9) <= x <= dt.date(2026, 4, 30))
    page1 = text(ui.get("/ui/sessions"))
    assert "22 sessions — page 1 sur 2." in page1
    assert page1.count('<a href="/ui/sessions/') == 20
    assert text(ui.get("/ui/sessions", page=2)).count('<a href="/ui/sessions/') == 2
    assert "11 sessions." in text(ui.get("/ui/sessions", centre=CENTRE))
    assert f"{in_april} sessions." in text(ui.get("/ui/sessions", **{"from": "2026-04-09",
                                                                      "to": "2026-04-30"}))
    assert "0 session." in text(ui.get("/ui/sessions", statut="cancelled"))
    resp = ui.get("/ui/sessions", **{"from": "2026-02-30"})
    assert resp.status_code == 200
    assert field_errors(resp) == {"from": [
        "Date invalide : format AAAA-MM-JJ et jour existant attendus."]}
    resp = ui.get("/ui/sessions", **{"from": "2027-01-01", "to": "2026-01-01"})  # QA finding
    assert field_errors(resp) == {"to": [
        "La fin de la période (01/01/2026) précède son début (01/01/2027)."]}
    centre = UiClient(api.app)
    centre.login("centre93")
    assert "11 sessions." in text(centre.get("/ui/sessions", centre=CENTRE))  # its own only


# ---- the dashboard and the case page --------------------------------------------------------

def test_a_task_taken_meanwhile_is_told_on_the_list(api, ui):
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026")
    case = api.mandatory_case(NUM, inf["id"], "20/02/2026")
    api.ok(api.post(f"/api/v1/licences/{NUM}/invalidation",  # a manual review (Q8): one task
                    {"decision_on": "2026-02-25", "notified_on": "2026-03-01"}), 201)
    task = api.task(case["id"], "examen_manuel")
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent2"))  # the other clerk won
    with unchanged():
        for action in ("prendre", "rendre"):
            back = "/ui/taches?tri=-echeance"
            resp = ui.post(f"/ui/taches/{task['id']}/{action}", {"next": back})
            assert resp.headers["Location"].endswith(back), action
            page = text(ui.get(resp.headers["Location"]))
            assert 'fr-alert--error' in page and "prise par agent2" in page, action
    assert api.task(case["id"], "examen_manuel")["assignee"] == "agent2"
    resp = ui.post(f"/ui/taches/{task['id']}/prendre", {"next": "https://ailleurs.example/"})
    assert resp.headers["Location"].endswith("/ui/taches")  # never an outside address


def test_dashboard_counts_agree_with_their_number(api, ui):
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026")
    api.mandatory_case(NUM, inf["id"], "20/02/2026")
    api.ok(api.post(f"/api/v1/licences/{NUM}/invalidation",  # a manual review (Q8): one task
                    {"decision_on": "2026-02-25", "notified_on": "2026-03-01"}), 201)
    page = text(ui.get("/ui/tableau-de-bord"))
    assert '<span class="ui-count__n" id="count-free">1</span> tâche non attribuée<' in page
    assert '<span class="ui-count__n" id="count-mine">0</span> tâche à mon nom<' in page
    assert '<span class="ui-count__n" id="count-late">0</span> attestation au-delà' in page



def test_case_page_pages_its_history_and_ledger(api, ui):
    api.licence(NUM, obtained="01/09/2015", probation="none", points=12, on="01/01/2025")
    for month in range(1, 13):
        api.infraction(NUM, f"01/{month:02d}/2025", points=1)
    case = api.voluntary_case(NUM)
    for week in range(8):  # enrolled, then the session is cancelled: two events each time
        day1 = dt.date(2026, 6, 3) + dt.timedelta(weeks=week)  # Wednesdays: no public holiday
        session = api.ok(api.post("/api/v1/sessions", {
            "centre": CENTRE, "day1": day1.isoformat(),
            "day2": (day1 + dt.timedelta(days=1)).isoformat(), "capacity": 12}), 201)
        api.enroll(case["id"], session["id"])
        api.ok(api.post(f"/api/v1/sessions/{session['id']}/cancel",
                        {"on": "2026-03-02", "reason": "effectif insuffisant"}))
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["total"]
    assert events > 15
    movements = len(api.ok(api.get(f"/api/v1/licences/{NUM}"))["movements"])
    assert 10 < movements <= 15
    path = f"/ui/dossiers/{case['id']}"
    first = text(ui.get(path))
    assert f"{events} événements (page 1 sur 2)" in first
    assert "Mouvements du permis 120175200123, du plus récent au plus ancien (page 1 sur 2)" \
        in first
    assert f'href="{path}?historique=2#h-history"' in first
    # the events' details under French names and values, not the stored keys
    assert "type : volontaire" in first and "jour 1 : 03/06/2026" in first
    assert "day1" not in first and "kind :" not in first
    second = text(ui.get(path, historique=2, releve=2))
    assert "(page 2 sur 2)" in second and second.count("(page 2 sur 2)") == 2
    assert text(ui.get(path, historique=99)).count("(page 2 sur 2)") == 1  # the last page
    licence_page = text(ui.get(f"/ui/permis/{NUM}"))
    assert f"{movements} mouvements" in licence_page
    assert "Pages du relevé de points" not in licence_page  # 15 a page there: one page
