"""An approved centre's record after its registration (R23): the list, a change of its name,
département, email or agrément's end (never before a session it has planned), and the history of
each change with who made it and when (services/centres.py, docs/api-additions.md)."""

from __future__ import annotations

import html

import pytest

from services.db import db
from services.models import Centre
from tests.api_errors_support import CENTRE, OTHER_CENTRE, assert_problem, unchanged

PATH = f"/api/v1/centres/{CENTRE}"


def stored(agrement: str = CENTRE) -> Centre:
    return db.session.query(Centre).filter_by(agrement=agrement).one()


def test_an_agent_changes_a_centres_email_and_name_and_the_history_says_who_and_what(api):
    changed = api.ok(api.request("PATCH", PATH, {"email": "stages@centre-paris11.fr",
                                                 "name": "Centre Paris Onze"}, as_="agent"))
    assert changed["email"] == "stages@centre-paris11.fr"
    assert changed["name"] == "Centre Paris Onze"
    assert changed["agrement"] == CENTRE
    assert (stored().email, stored().name) == ("stages@centre-paris11.fr", "Centre Paris Onze")
    history = api.ok(api.get(f"{PATH}/history", as_="agent"))
    assert [e["type"] for e in history] == ["centre_modifie", "centre_cree"]
    assert history[0]["actor"] == "agent"
    assert history[0]["detail"] == {"email": [None, "stages@centre-paris11.fr"],
                                    "name": ["Centre Paris 11", "Centre Paris Onze"]}
    assert history[1]["detail"]["agrement"] == CENTRE  # the registration, by the bootstrap


def test_a_null_email_removes_it_and_a_change_that_changes_nothing_is_not_recorded(api):
    api.ok(api.request("PATCH", PATH, {"email": "a@b.fr"}, as_="agent"))
    api.ok(api.request("PATCH", PATH, {"email": "a@b.fr"}, as_="agent"))  # the same again
    cleared = api.ok(api.request("PATCH", PATH, {"email": None}, as_="agent"))
    assert cleared["email"] is None and stored().email is None
    history = api.ok(api.get(f"{PATH}/history", as_="agent"))
    assert [e["detail"].get("email") for e in history[:-1]] == [["a@b.fr", None],
                                                                 [None, "a@b.fr"]]


def test_R23_the_agrement_is_renewed_and_sessions_can_be_declared_until_its_new_end(api):
    api.set_today("02/03/2026")
    api.ok(api.request("PATCH", PATH, {"valid_until": "2026-06-30"}, as_="agent"))
    late = {"centre": CENTRE, "day1": "2026-07-03", "day2": "2026-07-04", "capacity": 12}
    assert_problem(api.post("/api/v1/sessions", late, as_="centre75"), 422, "centre")
    renewed = api.ok(api.request("PATCH", PATH, {"valid_until": "2031-12-31"}, as_="agent"))
    assert renewed["valid_until"] == "2031-12-31"
    api.post("/api/v1/sessions", late, as_="centre75", expect=201)


def test_R23_the_agrement_may_not_end_before_a_planned_session_and_nothing_changes(api):
    api.set_today("02/03/2026")
    planned = api.session("05/06/2026", "06/06/2026", fill=0)
    with unchanged():
        body = assert_problem(api.request("PATCH", PATH, {"valid_until": "2026-06-05",
                                                          "name": "Autre nom"}, as_="agent"),
                              422, "valid_until", rule=None)
    assert f"n° {planned['id']} (06/06/2026)" in body["errors"]["valid_until"][0]
    assert stored().name == "Centre Paris 11"
    # its second day is still covered; a cancelled session no longer holds the agrément back
    api.ok(api.request("PATCH", PATH, {"valid_until": "2026-06-06"}, as_="agent"))
    api.post(f"/api/v1/sessions/{planned['id']}/cancel",
             {"on": "2026-03-02", "reason": "agrément retiré"}, expect=200)
    api.ok(api.request("PATCH", PATH, {"valid_until": "2026-03-31"}, as_="agent"))


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "pas-une-adresse"}, "email"),
    ({"departement": "99"}, "departement"),
    ({"name": ""}, "name"),
    ({"valid_until": "2026-02-30"}, "valid_until"),
    ({"agrement": "R2407500099"}, "agrement"),  # the centre's identity is never changed
    ({}, "_schema"),
])
def test_a_bad_change_is_a_422_in_french_and_changes_nothing(api, body, field):
    with unchanged():
        problem = assert_problem(api.request("PATCH", PATH, body, as_="agent"), 422, field)
    if field == "_schema":
        assert "au moins un champ" in problem["detail"]


def test_a_centre_user_lists_only_its_own_centre_and_may_not_change_it(api):
    listed = api.ok(api.get("/api/v1/centres", as_="centre75"))
    assert [c["agrement"] for c in listed["items"]] == [CENTRE] and listed["total"] == 1
    everything = api.ok(api.get("/api/v1/centres", as_="agent"))
    assert {c["agrement"] for c in everything["items"]} == {CENTRE, OTHER_CENTRE}
    with unchanged():
        assert_problem(api.request("PATCH", PATH, {"name": "x"}, as_="centre75"), 403)
        assert_problem(api.request("PATCH", PATH, {"name": "x"}, as_="designer"), 403)
    assert_problem(api.get(f"{PATH}/history", as_="centre75"), 403)
    assert_problem(api.get("/api/v1/centres", as_="designer"), 403)


def test_a_centre_user_without_a_centre_lists_none(api):
    from services import users
    from services.db import transaction

    with transaction():
        users.create("orphelin", "centre", "motdepasse-test", CENTRE)
        user = users.get_by_name("orphelin")
        user.centre_id = None
        api.tokens["orphelin"] = users.new_token(user)
    listed = api.ok(api.get("/api/v1/centres", as_="orphelin"))
    assert listed == {"items": [], "total": 0, "page": 1, "per_page": 50}


def test_an_unknown_centre_is_a_404_for_an_agent(api):
    with unchanged():
        assert_problem(api.request("PATCH", "/api/v1/centres/R9999999999", {"name": "x"},
                                   as_="agent"), 404)
    assert_problem(api.get("/api/v1/centres/R9999999999/history", as_="agent"), 404)


# ---- the clerks' pages ------------------------------------------------------------------------

def ui_as(api, username):
    from tests.ui_support import UiClient

    client = UiClient(api.app)
    client.login(username)
    return client


@pytest.mark.parametrize("role", ["designer", "centre75"])
def test_the_centre_pages_are_for_agents_only(api, role):
    ui = ui_as(api, role)
    with unchanged():
        for path in ("/ui/centres", "/ui/centres/nouveau", f"/ui/centres/{CENTRE}",
                     f"/ui/centres/{OTHER_CENTRE}", "/ui/centres/R9999999999"):
            assert ui.get(path).status_code == 403, path
        for path in ("/ui/centres/nouveau", f"/ui/centres/{CENTRE}"):
            assert ui.post(path, {"name": "Pris", "departement": "75",
                                  "valid_until": "2031-01-01"}).status_code == 403, path


def test_an_agent_registers_a_centre_and_changes_it_on_its_page(api):
    from tests.ui_support import text

    ui = ui_as(api, "agent")
    listed = text(ui.get("/ui/centres"))
    assert "Centre Paris 11" in listed and "Centre Bobigny" in listed
    with unchanged():
        taken = ui.post("/ui/centres/nouveau", {"agrement": CENTRE, "name": "Doublon",
                                                "departement": "75", "valid_until": "2031-01-01"})
        assert taken.status_code == 409 and "existe déjà" in text(taken)
        bad = ui.post("/ui/centres/nouveau", {"agrement": "R2401300030", "name": "Marseille",
                                              "departement": "99", "valid_until": "2031-01-01",
                                              "email": "pas-une-adresse"})
        assert bad.status_code == 422
        assert "Numéro de département invalide." in text(bad)
        assert "Adresse électronique invalide." in text(bad)
    made = ui.post("/ui/centres/nouveau", {"agrement": "R2401300030", "name": "Marseille",
                                           "departement": "13", "valid_until": "2031-01-01"})
    assert made.status_code == 302 and made.headers["Location"].endswith("/ui/centres/R2401300030")
    changed = ui.post("/ui/centres/R2401300030", {"name": "Stages Marseille", "departement": "13",
                                                  "valid_until": "2032-06-30",
                                                  "email": "contact@stages-marseille.fr"})
    assert changed.status_code == 302
    page = html.unescape(text(ui.get("/ui/centres/R2401300030")))
    assert "Stages Marseille" in page and "valable jusqu'au 30/06/2032" in page
    assert "Fin de validité de l'agrément : 01/01/2031 → 30/06/2032" in page
    assert "Adresse électronique : — → contact@stages-marseille.fr" in page
    # an emptied email field removes the address
    assert ui.post("/ui/centres/R2401300030", {"name": "Stages Marseille", "departement": "13",
                                               "valid_until": "2032-06-30",
                                               "email": ""}).status_code == 302
    assert stored("R2401300030").email is None
    assert "Adresse électronique : contact@stages-marseille.fr → —" in html.unescape(text(
        ui.get("/ui/centres/R2401300030")))


def test_R23_the_page_refuses_an_end_before_a_planned_session_and_changes_nothing(api):
    from tests.ui_support import text

    api.set_today("02/03/2026")
    planned = api.session("05/06/2026", "06/06/2026", fill=0)
    ui = ui_as(api, "agent")
    with unchanged():
        refused = ui.post(f"/ui/centres/{CENTRE}", {"name": "Centre Paris 11",
                                                    "departement": "75",
                                                    "valid_until": "2026-05-31"})
    assert refused.status_code == 422
    assert f"n° {planned['id']} (06/06/2026)" in text(refused)
    assert stored().valid_until.isoformat() == "2030-12-31"


def test_an_emptied_required_field_on_the_page_is_an_error_not_left_unchanged(api):
    from tests.ui_support import text

    ui = ui_as(api, "agent")
    with unchanged():
        refused = ui.post(f"/ui/centres/{CENTRE}", {"name": "", "departement": "75",
                                                    "valid_until": ""})
    assert refused.status_code == 422
    page = html.unescape(text(refused))
    assert "Nom du centre : Champ obligatoire." in page
    assert "Fin de validité de l'agrément : Champ obligatoire." in page


def test_an_unknown_centre_page_is_a_404_for_an_agent(api):
    ui = ui_as(api, "agent")
    assert ui.get("/ui/centres/R9999999999").status_code == 404
    with unchanged():
        assert ui.post("/ui/centres/R9999999999", {"name": "X", "departement": "75",
                                                   "valid_until": "2031-01-01"}).status_code == 404


def test_R23_a_session_declared_while_the_agrement_is_shortened_waits_and_is_refused(api,
                                                                                   monkeypatch):
    """The change locks the centre; a session declared meanwhile (FOR SHARE on PostgreSQL, the
    write lock on SQLite) waits for it, then sees the new end: never a session beyond it."""
    import datetime as dt
    import threading
    import time

    from services import centres, sessions, users
    from services.errors import Invalid
    from services.models import CourseSession
    from tests.threads import side_by_side

    api.set_today("02/03/2026")
    app = api.app
    locked = threading.Event()
    real_check = centres._check_planned_sessions

    def slow_check(centre, valid_until):
        locked.set()  # the centre row is locked: hold it a moment before going on
        time.sleep(0.5)
        return real_check(centre, valid_until)

    monkeypatch.setattr(centres, "_check_planned_sessions", slow_check)
    outcome = {}

    def shorten():
        centres.update(CENTRE, {"valid_until": dt.date(2026, 6, 1)}, "agent")
        outcome["shortened_at"] = time.monotonic()

    def declare():
        locked.wait(10)
        try:
            sessions.create({"centre": CENTRE, "day1": dt.date(2026, 6, 5),
                             "day2": dt.date(2026, 6, 6), "capacity": 12},
                            users.get_by_name("agent"))
            outcome["session"] = "created"
        except Invalid as exc:
            outcome["session"] = exc.errors
        outcome["declared_at"] = time.monotonic()

    side_by_side(app, shorten, declare)
    assert outcome["session"] != "created", outcome
    assert "centre" in outcome["session"]
    assert outcome["declared_at"] >= outcome["shortened_at"]
    assert db.session.query(CourseSession).count() == 0
    assert stored().valid_until == dt.date(2026, 6, 1)


# ---- a centre's own record, for its operators ------------------------------------------------

def test_a_centre_operator_reads_its_own_centres_record_and_nothing_else(api):
    from tests.ui_support import text

    api.ok(api.request("PATCH", PATH, {"email": "stages@centre-paris11.fr"}, as_="agent"))
    ui = ui_as(api, "centre75")
    page = ui.get("/ui/mon-centre")
    assert page.status_code == 200
    shown = text(page)
    for part in ("Centre Paris 11", CENTRE, "stages@centre-paris11.fr", "Vos sessions"):
        assert part in shown, part
    assert "Centre Bobigny" not in shown and OTHER_CENTRE not in shown
    assert 'name="valid_until"' not in page.get_data(as_text=True)  # read-only: the prefecture
    assert 'href="/ui/mon-centre"' in page.get_data(as_text=True)  # in its menu
    assert 'href="/ui/mon-centre"' not in ui_as(api, "agent").get("/ui/centres").get_data(
        as_text=True)


def test_an_expired_agrement_is_said_on_the_operators_page(api):
    from tests.ui_support import text

    api.set_today("01/03/2026")
    db.session.rollback()
    stored().valid_until = stored().valid_until.replace(year=2025)
    db.session.commit()
    shown = text(ui_as(api, "centre75").get("/ui/mon-centre"))
    assert "Agrément expiré depuis le" in shown


@pytest.mark.parametrize("role", ["agent", "designer"])
def test_mon_centre_is_for_centre_accounts(api, role):
    assert ui_as(api, role).get("/ui/mon-centre").status_code == 403


def test_mon_centre_without_a_centre_says_so(api):
    from services import users
    from services.db import transaction
    from tests.ui_support import text

    with transaction():
        users.create("orphelin", "centre", "motdepasse-test", CENTRE)
        users.get_by_name("orphelin").centre_id = None
    for username in ("orphelin", "admin"):
        shown = text(ui_as(api, username).get("/ui/mon-centre"))
        assert "Aucun centre agréé n'est rattaché à votre compte" in shown, username
    admin_menu = ui_as(api, "admin").get("/ui/centres").get_data(as_text=True)
    assert 'href="/ui/mon-centre"' not in admin_menu


def test_mon_centre_needs_a_login(api):
    from tests.ui_support import UiClient

    resp = UiClient(api.app).get("/ui/mon-centre")
    assert resp.status_code == 302 and "/ui/connexion" in resp.headers["Location"]
