"""The admins' « Utilisateurs » pages (web/ui/user_pages.py): the list, creating a user, a new
role, a new password, deactivation and reactivation, a new API token; each recorded in the
admins' journal under the admin's username, with the command line's rules (services/users.py):
who may open them, each refusal in French, no password ever written back into a page, a
generated password or token shown once."""

from __future__ import annotations

import html
import re
import threading

import pytest
from sqlalchemy import func, select

from services import users
from services.db import db, transaction
from services.errors import Conflict
from services.models import ApiToken, LoginSession, User
from tests.api_errors_support import assert_problem, unchanged
from tests.helpers import CENTRE
from tests.threads import side_by_side
from tests.ui_support import PASSWORD, UiClient, field_errors, text

NEW_PASSWORD = "un-nouveau-mot-de-passe"

# every route of the pages, as (method, path with agent2's name)
ROUTES = [("GET", "/ui/utilisateurs"), ("GET", "/ui/nouvel-utilisateur"),
          ("POST", "/ui/nouvel-utilisateur"), ("GET", "/ui/utilisateurs/agent2"),
          ("GET", "/ui/utilisateurs/agent2/role"), ("POST", "/ui/utilisateurs/agent2/role"),
          ("GET", "/ui/utilisateurs/agent2/mot-de-passe"),
          ("POST", "/ui/utilisateurs/agent2/mot-de-passe"),
          ("GET", "/ui/utilisateurs/agent2/desactivation"),
          ("POST", "/ui/utilisateurs/agent2/desactivation"),
          ("POST", "/ui/utilisateurs/agent2/reactivation"),
          ("POST", "/ui/utilisateurs/agent2/jeton")]


def page_text(resp) -> str:
    return html.unescape(text(resp))


def journal(api, **query) -> list[dict]:
    return api.ok(api.get("/api/v1/admin/events", per_page=200, **query))["items"]


def _user(username: str) -> User | None:
    db.session.remove()
    return db.session.scalar(select(User).where(User.username == username))


def _count(model, username: str) -> int:
    user = _user(username)
    return len(db.session.scalars(select(model).where(model.user_id == user.id)).all())


def _admin(api) -> UiClient:
    ui = UiClient(api.app)
    ui.login("admin")
    return ui


def _logged_in(api, username: str, password: str = PASSWORD) -> UiClient:
    ui = UiClient(api.app)
    ui.login(username, password)
    return ui


def _logged_out(resp) -> bool:
    return resp.status_code == 302 and resp.headers["Location"].startswith("/ui/connexion")


def _shown_secret(resp) -> str:
    match = re.search(r'<input[^>]*id="secret"[^>]*value="([^"]+)"', text(resp))
    assert match, text(resp)[:2000]
    return html.unescape(match.group(1))


def _can_log_in(api, username: str, password: str) -> bool:
    client = UiClient(api.app)
    client.get("/ui/connexion")
    return client.post("/ui/connexion", {"username": username,
                                         "password": password}).status_code == 302


# ---- who may open them ---------------------------------------------------------------------

@pytest.mark.parametrize("username", ["agent", "designer", "centre75"])
def test_every_other_role_gets_the_403_page_and_nothing_changes(api, username):
    ui = _logged_in(api, username)
    with unchanged():
        for method, path in ROUTES:
            resp = ui.get(path) if method == "GET" else ui.post(path, {
                "confirmation": "oui", "role": "admin", "password_mode": "genere"})
            assert resp.status_code == 403, (method, path, resp.status_code)
            assert "ne permet pas d'ouvrir cette page" in page_text(resp)


def test_a_logged_out_visitor_is_sent_to_the_login(api):
    ui = UiClient(api.app)
    ui.get("/ui/connexion")
    with unchanged():
        for method, path in ROUTES:
            resp = ui.get(path) if method == "GET" else ui.post(path, {"confirmation": "oui"})
            assert resp.status_code == 302, (method, path)
            assert resp.headers["Location"].startswith("/ui/connexion?next="), (method, path)


def test_the_admins_menu_has_the_page_and_the_others_do_not(api):
    page = page_text(_admin(api).get("/ui/tableau-de-bord"))
    assert 'href="/ui/utilisateurs"' in page and ">Utilisateurs<" in page
    for username in ("agent", "designer", "centre75"):
        ui = _logged_in(api, username)
        menu = page_text(ui.get(ui.get("/ui/").headers["Location"]))
        assert "Se déconnecter" in menu or "déconnexion" in menu, username
        assert 'href="/ui/utilisateurs"' not in menu, username


@pytest.mark.parametrize(("method", "path"), [
    (m, p.replace("agent2", "personne")) for m, p in ROUTES if "agent2" in p])
def test_an_unknown_user_is_a_404(api, method, path):
    ui = _admin(api)
    with unchanged():
        resp = ui.get(path) if method == "GET" else ui.post(path, {
            "confirmation": "oui", "role": "agent", "password_mode": "genere"})
    assert resp.status_code == 404
    assert "Utilisateur inconnu : personne." in page_text(resp)


# ---- the list ------------------------------------------------------------------------------

def test_the_list_shows_role_centre_groups_state_and_last_login(api):
    api.ok(api.post("/api/v1/groups", {"code": "accueil", "name": "Accueil"}), 201)
    api.ok(api.request("PUT", "/api/v1/users/agent2/groups", {"groups": ["accueil"]}))
    assert api.app.test_cli_runner().invoke(args=["users", "deactivate", "designer"]).exit_code \
        == 0
    _logged_in(api, "agent2")
    page = page_text(_admin(api).get("/ui/utilisateurs"))
    rows = {m.group(1): m.group(0) for m in re.finditer(
        r'<tr>\s*<td><a href="/ui/utilisateurs/([\w.-]+)">.*?</tr>', page, re.S)}
    assert sorted(rows) == ["admin", "agent", "agent2", "centre75", "centre93", "designer"]
    assert "Accueil" in rows["agent2"] and "actif" in rows["agent2"]
    assert "Centre Paris 11" in rows["centre75"] and CENTRE in rows["centre75"]
    assert "centre agréé" in rows["centre75"]
    assert "désactivé" in rows["designer"] and "concepteur" in rows["designer"]
    assert "inconnue" in rows["agent"]  # never logged in through the form
    assert re.search(r"\d\d/\d\d/\d{4}", rows["agent2"])  # its login's date and time
    assert "6 utilisateurs." in page


def test_the_list_is_searched_filtered_and_paged(api):
    with transaction():
        for n in range(25):
            users.create(f"clerc{n:02d}", "agent", PASSWORD)
    ui = _admin(api)
    found = page_text(ui.get("/ui/utilisateurs", q="CENTRE9"))
    assert "1 utilisateur." in found and "/ui/utilisateurs/centre93" in found
    assert "/ui/utilisateurs/centre75" not in found
    # a search is literal: « _ » and « % » match themselves only
    assert "0 utilisateur." in page_text(ui.get("/ui/utilisateurs", q="%"))
    centres = page_text(ui.get("/ui/utilisateurs", role="centre"))
    assert "2 utilisateurs." in centres
    first = page_text(ui.get("/ui/utilisateurs", role="agent"))
    assert "27 utilisateurs — page 1 sur 2." in first
    assert "/ui/utilisateurs/agent2" in first and "/ui/utilisateurs/clerc24" not in first
    second = page_text(ui.get("/ui/utilisateurs", role="agent", page=2))
    assert "/ui/utilisateurs/clerc24" in second and "/ui/utilisateurs/agent2" not in second
    past = ui.get("/ui/utilisateurs", role="agent", page=9)
    assert past.status_code == 302 and "page=2" in past.headers["Location"]
    assert api.app.test_cli_runner().invoke(args=["users", "deactivate", "clerc03"]).exit_code \
        == 0
    off = page_text(ui.get("/ui/utilisateurs", etat="desactives"))
    assert "1 utilisateur." in off and "/ui/utilisateurs/clerc03" in off
    odd = page_text(ui.get("/ui/utilisateurs", role="pilote"))
    assert "Filtre « Rôle » ignoré : « pilote »" in odd and "31 utilisateurs" in odd


# ---- creating a user ------------------------------------------------------------------------

def test_an_admin_creates_a_user_with_a_typed_password(api):
    api.ok(api.post("/api/v1/groups", {"code": "accueil", "name": "Accueil"}), 201)
    ui = _admin(api)
    resp = ui.post("/ui/nouvel-utilisateur", {
        "username": "nouvelle", "role": "agent", "groups": ["accueil"], "password_mode": "saisi",
        "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == "/ui/utilisateurs/nouvelle"
    page = page_text(ui.get("/ui/utilisateurs/nouvelle"))
    assert "Utilisateur « nouvelle » créé." in page and "Accueil" in page
    assert NEW_PASSWORD not in page
    made = _user("nouvelle")
    assert (made.role, made.active, [g.code for g in made.groups]) == ("agent", True, ["accueil"])
    assert _can_log_in(api, "nouvelle", NEW_PASSWORD)
    [event] = journal(api, subject="utilisateur:nouvelle")
    assert (event["type"], event["actor"], event["detail"]) == (
        "utilisateur_cree", "admin", {"role": "agent", "centre": None, "groups": ["accueil"]})


def test_a_generated_password_is_shown_once_and_works(api):
    ui = _admin(api)
    resp = ui.post("/ui/nouvel-utilisateur", {"username": "operateur", "role": "centre",
                                              "centre": CENTRE, "password_mode": "genere"})
    assert resp.status_code == 200
    page = page_text(resp)
    assert "Affiché une seule fois" in page
    password = _shown_secret(resp)
    assert len(password) >= users.MIN_PASSWORD
    assert _user("operateur").centre.agrement == CENTRE
    assert _can_log_in(api, "operateur", password)
    # never again: not on the user's page, not in the list, not in the session cookie
    for path in ("/ui/utilisateurs/operateur", "/ui/utilisateurs", "/ui/journal"):
        assert password not in page_text(ui.get(path)), path
    with ui.http.session_transaction() as session:
        assert password not in repr(dict(session))
    assert journal(api, subject="utilisateur:operateur")[0]["detail"] == {
        "role": "centre", "centre": CENTRE, "groups": []}


def _create(ui, **form):
    data = {"username": "qa", "role": "agent", "password_mode": "saisi",
            "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD, **form}
    return ui.post("/ui/nouvel-utilisateur", data)


@pytest.mark.parametrize(("form", "status", "field", "message"), [
    ({"username": "agent2"}, 409, "username", "L'utilisateur « agent2 » existe déjà."),
    ({"username": "Qui Est-Ce"}, 422, "username", "Nom d'utilisateur invalide « Qui Est-Ce »"),
    ({"role": "centre"}, 422, "centre",
     "Un utilisateur de centre doit être rattaché à un centre agréé."),
    ({"role": "agent", "centre": CENTRE}, 422, "centre",
     "Seul un utilisateur de rôle centre est rattaché à un centre : pas de centre avec le rôle "
     "agent."),
    ({"role": "centre", "centre": "R0000000000"}, 422, "centre",
     "Centre agréé inconnu : R0000000000."),
    ({"role": ""}, 422, "role", "Rôle inconnu"),
    ({"role": "designer", "groups": ["accueil"]}, 422, "groups",
     "Seuls les agents (et les administrateurs) font partie de groupes"),
    ({"groups": ["inconnu"]}, 422, "groups", "Groupe(s) inconnu(s) : « inconnu »."),
    ({"password": "Kz9#q", "password_confirmation": "Kz9#q"}, 422, "password",
     "Le mot de passe doit compter au moins 8 caractères."),
    ({"password_confirmation": "autre-chose-encore"}, 422, "password_confirmation",
     "Les deux mots de passe saisis diffèrent."),
    ({"password_mode": ""}, 422, "password_mode", "Choisissez de générer ou de saisir"),
])
def test_a_refused_creation_says_why_on_its_field_and_stores_nothing(api, form, status, field,
                                                                     message):
    api.ok(api.post("/api/v1/groups", {"code": "accueil", "name": "Accueil"}), 201)
    ui = _admin(api)
    with unchanged():
        resp = _create(ui, **form)
    assert resp.status_code == status
    errors = field_errors(resp)
    assert any(message in m for m in errors.get(field, [])), errors
    page = text(resp)
    assert "Le formulaire contient des erreurs" in page
    # what was typed comes back, but never a password
    typed = form.get("password", NEW_PASSWORD)
    assert typed not in page and form.get("password_confirmation", NEW_PASSWORD) not in page
    assert re.search(r'id="password"[^>]*value=""', page)
    if field != "username":
        assert 'value="qa"' in page


# ---- a new role ---------------------------------------------------------------------------

def test_a_new_role_ends_the_users_sessions_and_is_recorded(api):
    target = _logged_in(api, "agent2")
    ui = _admin(api)
    form = ui.get("/ui/utilisateurs/agent2/role")
    assert "Toutes ses sessions ouvertes prennent fin" in page_text(form)
    resp = ui.post("/ui/utilisateurs/agent2/role", {"role": "centre", "centre": CENTRE})
    assert resp.status_code == 302
    assert "ses sessions ont pris fin" in page_text(ui.get(resp.headers["Location"]))
    assert _logged_out(target.get("/ui/tableau-de-bord"))
    changed = _user("agent2")
    assert (changed.role, changed.centre.agrement) == ("centre", CENTRE)
    event = journal(api, type="utilisateur_role")[0]
    assert (event["actor"], event["subject"], event["detail"]) == (
        "admin", "utilisateur:agent2", {"role": ["agent", "centre"], "centre": [None, CENTRE]})
    assert _count(ApiToken, "agent2") == 1  # a role change keeps the API token


def test_a_refused_role_change_ends_nothing(api):
    target = _logged_in(api, "agent2")
    ui = _admin(api)
    with unchanged():
        resp = ui.post("/ui/utilisateurs/agent2/role", {"role": "centre"})
    assert resp.status_code == 422
    assert "doit être rattaché à un centre" in " ".join(field_errors(resp).get("centre", []))
    assert target.get("/ui/tableau-de-bord").status_code == 200


def test_the_last_active_admin_keeps_the_role(api):
    ui = _admin(api)
    with unchanged():
        resp = ui.post("/ui/utilisateurs/admin/role", {"role": "agent"})
    assert resp.status_code == 409
    assert ("Impossible de changer le rôle de « admin » : c'est le dernier administrateur actif."
            in page_text(resp))
    assert ui.get("/ui/utilisateurs").status_code == 200  # still logged in, still an admin
    # with a second admin, the first may step down (and is logged out by it)
    with transaction():
        users.create("admin2", "admin", PASSWORD)
    resp = ui.post("/ui/utilisateurs/admin/role", {"role": "agent"})
    assert resp.status_code == 302 and _logged_out(ui.get(resp.headers["Location"]))
    assert _user("admin").role == "agent"


# ---- a new password -----------------------------------------------------------------------

def test_a_new_password_ends_the_sessions_and_revokes_the_tokens(api):
    target = _logged_in(api, "agent2")
    assert _count(ApiToken, "agent2") == 1
    ui = _admin(api)
    assert "tous ses jetons d'API sont révoqués" in page_text(
        ui.get("/ui/utilisateurs/agent2/mot-de-passe"))
    resp = ui.post("/ui/utilisateurs/agent2/mot-de-passe", {
        "password_mode": "saisi", "password": NEW_PASSWORD,
        "password_confirmation": NEW_PASSWORD})
    assert resp.status_code == 302
    assert NEW_PASSWORD not in page_text(ui.get(resp.headers["Location"]))
    assert _logged_out(target.get("/ui/tableau-de-bord"))
    assert _count(ApiToken, "agent2") == 0 and _count(LoginSession, "agent2") == 0
    assert_problem(api.get("/api/v1/cases", as_="agent2"), 401)
    assert not _can_log_in(api, "agent2", PASSWORD)
    assert _can_log_in(api, "agent2", NEW_PASSWORD)
    event = journal(api, type="mot_de_passe_change")[0]
    assert (event["actor"], event["subject"], event["detail"]) == (
        "admin", "utilisateur:agent2", {})


def test_a_generated_new_password_is_shown_once(api):
    ui = _admin(api)
    resp = ui.post("/ui/utilisateurs/agent2/mot-de-passe", {"password_mode": "genere"})
    assert resp.status_code == 200 and "Affiché une seule fois" in page_text(resp)
    password = _shown_secret(resp)
    assert _can_log_in(api, "agent2", password)
    assert password not in page_text(ui.get("/ui/utilisateurs/agent2"))


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"password_mode": "saisi", "password": "Kz9#q", "password_confirmation": "Kz9#q"},
     "password", "Le mot de passe doit compter au moins 8 caractères."),
    ({"password_mode": "saisi", "password": NEW_PASSWORD,
      "password_confirmation": NEW_PASSWORD + "x"},
     "password_confirmation", "Les deux mots de passe saisis diffèrent."),
    ({}, "password_mode", "Choisissez de générer ou de saisir le mot de passe."),
])
def test_a_refused_password_ends_nothing_and_is_not_written_back(api, form, field, message):
    target = _logged_in(api, "agent2")
    ui = _admin(api)
    with unchanged():
        resp = ui.post("/ui/utilisateurs/agent2/mot-de-passe", form)
    assert resp.status_code == 422
    assert message in field_errors(resp).get(field, [])
    for secret in (form.get("password"), form.get("password_confirmation")):
        if secret:
            assert secret not in text(resp)
    assert target.get("/ui/tableau-de-bord").status_code == 200
    assert api.get("/api/v1/cases", as_="agent2").status_code == 200


# ---- deactivation and reactivation ---------------------------------------------------------

def test_a_deactivated_users_open_browser_session_is_logged_out_at_its_next_request(api):
    target = _logged_in(api, "agent2")
    assert target.get("/ui/tableau-de-bord").status_code == 200
    ui = _admin(api)
    confirm = ui.get("/ui/utilisateurs/agent2/desactivation")
    assert "Désactiver « agent2 » ?" in page_text(confirm)
    assert "ses sessions ouvertes (1) prennent fin" in page_text(confirm)
    resp = ui.post("/ui/utilisateurs/agent2/desactivation", {"confirmation": "oui"})
    assert resp.status_code == 302
    assert "« agent2 » est désactivé" in page_text(ui.get(resp.headers["Location"]))
    assert _logged_out(target.get("/ui/tableau-de-bord"))
    assert_problem(target.http.get("/api/v1/cases"), 401)  # the cookie on the API too
    assert_problem(api.get("/api/v1/cases", as_="agent2"), 401)  # the token is revoked
    assert not _can_log_in(api, "agent2", PASSWORD)
    event = journal(api, type="utilisateur_desactive")[0]
    assert (event["actor"], event["subject"], event["detail"]) == (
        "admin", "utilisateur:agent2", {"active": [True, False]})


def test_a_deactivation_without_its_confirmation_only_asks_for_it(api):
    target = _logged_in(api, "agent2")
    ui = _admin(api)
    with unchanged():
        resp = ui.post("/ui/utilisateurs/agent2/desactivation", {})
    assert resp.status_code == 200 and "Confirmer la désactivation" in page_text(resp)
    assert target.get("/ui/tableau-de-bord").status_code == 200


def test_an_admin_cannot_deactivate_themselves(api):
    ui = _admin(api)
    with transaction():
        users.create("admin2", "admin", PASSWORD)  # not the last admin: the refusal is its own
    assert "Désactiver</a>" not in page_text(ui.get("/ui/utilisateurs/admin"))
    with unchanged():
        resp = ui.post("/ui/utilisateurs/admin/desactivation", {"confirmation": "oui"})
    assert resp.status_code == 409
    assert ("Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre "
            "administrateur." in page_text(resp))
    assert ui.get("/ui/utilisateurs").status_code == 200


def test_the_last_active_admin_cannot_be_deactivated(api):
    """Through the pages an admin is never the last one but themselves; the command line
    (and two admins removing each other at once: test below) meet the rule."""
    result = api.app.test_cli_runner().invoke(args=["users", "deactivate", "admin"])
    assert result.exit_code == 1
    assert ("Impossible de désactiver « admin » : c'est le dernier administrateur actif."
            in result.output)
    assert _user("admin").active
    with transaction():
        users.create("admin2", "admin", PASSWORD)
    ui = _admin(api)
    assert ui.post("/ui/utilisateurs/admin2/desactivation",
                   {"confirmation": "oui"}).status_code == 302
    assert not _user("admin2").active
    # admin2 deactivated: admin is the last active admin again
    refused = api.app.test_cli_runner().invoke(args=["users", "role", "admin", "--role", "agent"])
    assert refused.exit_code == 1 and "dernier administrateur actif" in refused.output


def test_two_admins_deactivating_each_other_at_once_leave_one(api, monkeypatch):
    """Each checks that another active admin remains, then deactivates the other. Without the
    lock on the admins' rows (PostgreSQL), both read two active admins before either commits,
    and none is left. The first one waits in its transaction (end_sessions) for the second to
    get as far: with the lock the second is held at its check, so the first commits alone and
    the second is refused."""
    with transaction():
        users.create("admin2", "admin", PASSWORD)
    db.session.remove()
    arrived = threading.Barrier(2, timeout=2)
    end_sessions = users.end_sessions

    def slow_end_sessions(user):
        try:
            arrived.wait()
        except threading.BrokenBarrierError:
            pass  # the other one is held at its check (the lock): go on alone
        end_sessions(user)

    monkeypatch.setattr(users, "end_sessions", slow_end_sessions)
    outcomes = {}

    def deactivate(actor, target):
        def work():
            try:
                users.set_active(target, False, actor=actor)
                outcomes[actor] = "done"
            except Conflict as exc:
                outcomes[actor] = exc.detail
        return work

    side_by_side(api.app, deactivate("admin", "admin2"), deactivate("admin2", "admin"),
                 timeout=30)
    assert sorted(o == "done" for o in outcomes.values()) == [False, True], outcomes
    refused = next(o for o in outcomes.values() if o != "done")
    assert "c'est le dernier administrateur actif" in refused
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True))) == 1


def test_a_reactivation_lets_the_user_in_again_without_tokens(api):
    ui = _admin(api)
    ui.post("/ui/utilisateurs/agent2/desactivation", {"confirmation": "oui"})
    page = page_text(ui.get("/ui/utilisateurs/agent2"))
    assert "Réactiver</button>" in page and "Créer un jeton d'API" not in page
    resp = ui.post("/ui/utilisateurs/agent2/reactivation")
    assert resp.status_code == 302
    assert "« agent2 » est réactivé" in page_text(ui.get(resp.headers["Location"]))
    assert _user("agent2").active and _count(ApiToken, "agent2") == 0
    assert _can_log_in(api, "agent2", PASSWORD)
    assert [(e["type"], e["actor"]) for e in journal(api, subject="utilisateur:agent2")][:2] \
        == [("utilisateur_reactive", "admin"), ("utilisateur_desactive", "admin")]
    journal_page = page_text(ui.get("/ui/utilisateurs/agent2"))
    assert "Utilisateur réactivé" in journal_page and "actif : non → oui" in journal_page


# ---- API tokens ----------------------------------------------------------------------------

def test_a_new_api_token_is_shown_once_and_works(api):
    ui = _admin(api)
    resp = ui.post("/ui/utilisateurs/agent2/jeton")
    assert resp.status_code == 200 and "Affiché une seule fois" in page_text(resp)
    token = _shown_secret(resp)
    answer = api.http.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert token not in page_text(ui.get("/ui/utilisateurs/agent2"))
    assert "<dt>Jetons d'API</dt><dd>2</dd>" in page_text(ui.get("/ui/utilisateurs/agent2"))
    event = journal(api, type="jeton_cree")[0]
    assert (event["actor"], event["subject"]) == ("admin", "utilisateur:agent2")


def test_no_token_for_a_deactivated_user(api):
    ui = _admin(api)
    ui.post("/ui/utilisateurs/agent2/desactivation", {"confirmation": "oui"})
    with unchanged():
        resp = ui.post("/ui/utilisateurs/agent2/jeton")
    assert resp.status_code == 302
    assert "aucun jeton d'API ne lui est délivré" in page_text(ui.get(resp.headers["Location"]))
