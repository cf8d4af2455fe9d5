"""Browser sessions live on the server (issue 12, items 2, 3, 6 and 8): the signed cookie carries
only the id of a login session, which logout, deactivation, a new password and a new role end at
once, on the API as on the pages; a session lapses 8 hours after its last request and 12 hours
after the login however used; a cookie signed with any key but naming no live session (the old
public default key, a bare user id) authenticates nobody; the login form is throttled per
username and per address (429, Retry-After, French) and takes as long for an unknown username as
for a known one; a `next` that would split the Location header is a safe redirect."""

from __future__ import annotations

import datetime as dt
import importlib.util
import statistics
import time

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select, update

from services import users
from services.db import db, transaction
from services.models import LoginSession
from tests.api_errors_support import assert_problem
from tests.ui_support import PASSWORD, UiClient, text

LICENCE = {"number": "120175200123", "obtained_on": "2025-09-01", "probation": "classic",
           "holder": {"last_name": "Martin", "first_name": "Léa", "birth_date": "2004-05-02"}}
NEW_PASSWORD = "un-autre-mot-de-passe"


def _logged_in(api, username: str) -> UiClient:
    client = UiClient(api.app)
    client.login(username)
    return client


def _login_status(api, username: str, password: str) -> int:
    client = UiClient(api.app)
    client.get("/ui/connexion")
    return client.post("/ui/connexion", {"username": username, "password": password}).status_code


def _api_get(client: UiClient, path: str = "/api/v1/cases"):
    return client._done(client.http.get(path))


def _api_post(client: UiClient, path: str, body: dict):
    return client._done(client.http.post(path, json=body,
                                         headers={"X-CSRF-Token": client.csrf()}))


def _cli(api, *args: str, stdin: str | None = None):
    result = api.app.test_cli_runner().invoke(args=["users", *args], input=stdin)
    db.session.remove()
    return result


def _sessions(username: str) -> int:
    db.session.remove()
    user = users.get_by_name(username)
    return len(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id))
               .all())


def _signed_cookie(secret: str, data: dict) -> str:
    class _App:  # what SecureCookieSessionInterface.get_signing_serializer reads
        secret_key = secret
        config = {"SECRET_KEY_FALLBACKS": None}

    return SecureCookieSessionInterface().get_signing_serializer(_App()).dumps(data)


# ---- item 2: sessions end with their user ----------------------------------------------------

def test_a_deactivated_users_cookie_is_refused_by_the_api_and_the_pages(api):
    api.set_today("01/03/2026")  # after LICENCE's obtained_on: never in the future
    agent = _logged_in(api, "agent")
    assert _api_get(agent).status_code == 200
    assert _api_post(agent, "/api/v1/licences", LICENCE).status_code == 201
    result = _cli(api, "deactivate", "agent")
    assert result.exit_code == 0, result.output
    assert "désactivé" in result.output
    assert _sessions("agent") == 0
    assert_problem(_api_get(agent), 401)
    assert_problem(_api_post(agent, "/api/v1/licences", {**LICENCE, "number": "120175200124"}),
                   401)
    page = agent.get("/ui/tableau-de-bord")
    assert page.status_code == 302 and "/ui/connexion" in page.headers["Location"]
    # the API token is revoked too, and the login form refuses the user
    assert_problem(api.get("/api/v1/cases", as_="agent"), 401)
    assert _login_status(api, "agent", PASSWORD) == 401


def test_a_reactivated_user_logs_in_again_without_the_old_tokens(api):
    assert _cli(api, "deactivate", "agent").exit_code == 0
    result = _cli(api, "activate", "agent")
    assert result.exit_code == 0, result.output
    assert _api_get(_logged_in(api, "agent")).status_code == 200
    assert_problem(api.get("/api/v1/cases", as_="agent"), 401)


def test_a_cookie_replayed_after_logout_authenticates_nobody(api):
    agent = _logged_in(api, "agent")
    cookie = agent.http.get_cookie("session").value
    assert agent.post("/ui/deconnexion").status_code == 302
    assert _sessions("agent") == 0
    agent.http.set_cookie("session", cookie)  # the attacker's copy, taken before the logout
    body = assert_problem(_api_get(agent), 401)
    assert "La session a pris fin" in body["detail"]
    page = agent.get("/ui/tableau-de-bord")
    assert page.status_code == 302 and "/ui/connexion" in page.headers["Location"]


def test_logout_ends_only_that_session(api):
    first, second = _logged_in(api, "agent"), _logged_in(api, "agent")
    assert first.post("/ui/deconnexion").status_code == 302
    assert_problem(_api_get(first), 401)
    assert _api_get(second).status_code == 200


def test_a_new_password_ends_every_session_and_revokes_the_tokens(api):
    first, second = _logged_in(api, "agent"), _logged_in(api, "agent")
    other = _logged_in(api, "agent2")
    result = _cli(api, "password", "agent", "--password-stdin", stdin=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    for client in (first, second):
        assert_problem(_api_get(client), 401)
    assert _api_get(other).status_code == 200  # nobody else's
    assert_problem(api.get("/api/v1/cases", as_="agent"), 401)
    assert _login_status(api, "agent", PASSWORD) == 401
    UiClient(api.app).login("agent", NEW_PASSWORD)


def test_a_password_too_short_is_refused_and_ends_nothing(api):
    agent = _logged_in(api, "agent")
    result = _cli(api, "password", "agent", "--password-stdin", stdin="court\n")
    assert result.exit_code == 1
    assert "au moins 8 caractères" in result.output
    assert _api_get(agent).status_code == 200


def test_a_role_change_ends_the_sessions_and_the_token_gets_the_new_role(api):
    designer = _logged_in(api, "designer")
    assert _api_get(designer, "/api/v1/processes").status_code == 200
    result = _cli(api, "role", "designer", "--role", "centre", "--centre", "R2407500010")
    assert result.exit_code == 0, result.output
    assert_problem(_api_get(designer, "/api/v1/processes"), 401)
    # the token stays, with the new role read on each request: a centre may not read processes
    assert_problem(api.get("/api/v1/processes", as_="designer"), 403)


@pytest.mark.parametrize(("args", "message"), [
    (("role", "designer", "--role", "centre"), "rattaché à un centre"),
    (("role", "designer", "--role", "centre", "--centre", "R0000000000"), "Centre agréé inconnu"),
    (("deactivate", "personne"), "Utilisateur inconnu : personne."),
    (("activate", "personne"), "Utilisateur inconnu : personne."),
    (("password", "personne", "--password-stdin"), "Utilisateur inconnu : personne."),
])
def test_user_commands_refuse_in_french_and_change_nothing(api, args, message):
    designer = _logged_in(api, "designer")
    result = _cli(api, *args, stdin=NEW_PASSWORD + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert _api_get(designer, "/api/v1/processes").status_code == 200


def _age(username: str, **changes) -> None:
    with transaction():
        db.session.execute(update(LoginSession).where(
            LoginSession.user_id == users.get_by_name(username).id).values(**changes))
    db.session.remove()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_a_session_lapses_8_hours_after_its_last_request(api):
    agent = _logged_in(api, "agent")
    _age("agent", last_seen_at=_now() - dt.timedelta(hours=7, minutes=58))
    assert _api_get(agent).status_code == 200  # used: the idle timer restarts
    seen = db.session.scalar(select(LoginSession.last_seen_at))
    assert _now() - seen < dt.timedelta(minutes=1)
    _age("agent", last_seen_at=_now() - dt.timedelta(hours=8, minutes=1))
    assert_problem(_api_get(agent), 401)


def test_a_session_lapses_12_hours_after_the_login_however_used(api):
    agent = _logged_in(api, "agent")
    _age("agent", created_at=_now() - dt.timedelta(hours=11, minutes=58))
    assert _api_get(agent).status_code == 200
    _age("agent", created_at=_now() - dt.timedelta(hours=12, minutes=1))
    assert_problem(_api_get(agent), 401)
    page = agent.get("/ui/tableau-de-bord")
    assert page.status_code == 302 and "/ui/connexion" in page.headers["Location"]


def test_a_login_deletes_the_users_lapsed_sessions(api):
    _logged_in(api, "agent")
    _logged_in(api, "agent2")
    _age("agent", created_at=_now() - dt.timedelta(hours=13))
    _age("agent2", last_seen_at=_now() - dt.timedelta(hours=9))
    _logged_in(api, "agent")
    assert _sessions("agent") == 1  # the new one
    assert _sessions("agent2") == 1  # lapsed, deleted at agent2's next login


def test_the_cookie_holds_no_user_id_and_the_database_no_session_id(api):
    agent = _logged_in(api, "agent")
    with agent.http.session_transaction() as session:
        assert set(session) == {"sid", "csrf_token", "_permanent"}
        sid = session["sid"]
    stored = db.session.scalar(select(LoginSession.token_hash))
    assert stored != sid and len(stored) == 64


# ---- item 3: no public secret ------------------------------------------------------------------

@pytest.mark.parametrize("secret", ["dev-only-secret-change-me", "test"])
def test_a_forged_cookie_naming_a_user_is_refused(api, secret):
    """Signed with the old public default key, or even with the application's own key: a cookie
    that names a user instead of a live session authenticates nobody."""
    admin = users.get_by_name("admin").id
    client = api.app.test_client()
    client.set_cookie("session", _signed_cookie(secret, {"user_id": admin,
                                                         "csrf_token": "x"}))
    assert_problem(client.put("/api/v1/clock", json={"today": "2026-03-05"},
                              headers={"X-CSRF-Token": "x"}), 401)
    client.set_cookie("session", _signed_cookie(secret, {"sid": "devine", "csrf_token": "x"}))
    assert_problem(client.put("/api/v1/clock", json={"today": "2026-03-05"},
                              headers={"X-CSRF-Token": "x"}), 401)
    assert client.get("/ui/tableau-de-bord").status_code == 302


def test_the_app_does_not_start_without_a_secret_key(tmp_path, monkeypatch, database_url):
    from app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(SystemExit, match="SECRET_KEY : absente"):
        create_app({"DATABASE_URL": database_url})
    (tmp_path / "secret_key").write_text("une-cle-de-demonstration-aleatoire\n")
    app = create_app({"DATABASE_URL": database_url})
    assert app.config["SECRET_KEY"] == "une-cle-de-demonstration-aleatoire"


# ---- item 8: login throttling and constant time ----------------------------------------------

@pytest.mark.parametrize("uri", ["inconnu://cache", pytest.param(
    "redis://127.0.0.1:6379", marks=pytest.mark.skipif(importlib.util.find_spec("redis")
                                                       is not None, reason="redis installed"))])
def test_an_unusable_throttling_store_stops_start_up_named(database_url, uri):
    """An unknown scheme, or redis:// without the redis client installed."""
    from app import create_app

    with pytest.raises(SystemExit, match=f"RATELIMIT_STORAGE_URI : « {uri} » inutilisable"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test",
                    "RATELIMIT_STORAGE_URI": uri})


def _attempt(client: UiClient, username: str, password: str):
    return client.post("/ui/connexion", {"username": username, "password": password})


def _assert_throttled(resp) -> None:
    assert resp.status_code == 429, (resp.status_code, text(resp)[:500])
    assert resp.mimetype == "text/html"
    assert 0 < int(resp.headers["Retry-After"]) <= 15 * 60
    assert "Trop de tentatives de connexion" in text(resp)
    assert "Nouvel essai possible dans" in text(resp)


def test_30_wrong_passwords_then_the_right_one_is_refused_with_429(api):
    client = UiClient(api.app)
    client.get("/ui/connexion")
    statuses = [_attempt(client, "agent", f"mauvais-{i}").status_code for i in range(30)]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    resp = _attempt(client, "agent", PASSWORD)
    _assert_throttled(resp)
    with client.http.session_transaction() as session:
        assert "sid" not in session
    # the limit is the username's: another user logs in from the same address
    UiClient(api.app).login("agent2")


def test_the_username_limit_ignores_case_and_spaces(api):
    client = UiClient(api.app)
    client.get("/ui/connexion")
    for i in range(10):
        assert _attempt(client, ["Agent", " agent ", "AGENT"][i % 3], "mauvais").status_code == 401
    _assert_throttled(_attempt(client, "agent", PASSWORD))


def test_failures_from_one_address_are_limited_across_usernames(api):
    client = UiClient(api.app)
    client.get("/ui/connexion")
    for i in range(50):
        assert _attempt(client, f"inconnu{i}", "mauvais").status_code == 401
    _assert_throttled(_attempt(client, "agent2", PASSWORD))
    # another address is not concerned
    other = api.app.test_client()
    other.get("/ui/connexion", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    with other.session_transaction() as session:
        token = session["csrf_token"]
    resp = other.post("/ui/connexion", data={"username": "agent2", "password": PASSWORD,
                                             "csrf_token": token},
                      environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert resp.status_code == 302


def test_successful_logins_are_not_counted(api):
    for _ in range(15):
        UiClient(api.app).login("agent")


def test_an_unknown_username_takes_as_long_as_a_wrong_password(api):
    """Both hash the password (a dummy hash for an unknown name). Timed as a ratio of medians
    with a hash slow enough (some tens of ms) to dwarf the request's own cost; on the old code an
    unknown name skipped the hash and took a few percent of the time."""
    api.app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:60000"
    with transaction():
        users.set_password("agent", PASSWORD)  # a hash of the same cost as the dummy one
    client = UiClient(api.app)
    client.get("/ui/connexion")
    _attempt(client, "inconnu-0", "mauvais")  # the dummy hash is made once, not timed
    known, unknown = [], []
    for i in range(7):
        for username, times in (("agent", known), (f"inconnu-{i + 1}", unknown)):
            start = time.perf_counter()
            assert _attempt(client, username, "mauvais").status_code == 401
            times.append(time.perf_counter() - start)
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2, (ratio, known, unknown)


# ---- item 6: the login's `next` ------------------------------------------------------------

@pytest.mark.parametrize(("target", "expected"), [
    ("/ui/%20%0ALocation:%20http://evil", "/ui/%20%0ALocation:%20http://evil"),
    ("/ui/%0D%0ASet-Cookie:%20x=1", "/ui/%0D%0ASet-Cookie:%20x=1"),
    ("/ui/permis/%C3%A9", "/ui/permis/%C3%A9"),
    ("//evil.example/ui/", "/ui/tableau-de-bord"),
    ("https://evil.example/ui/", "/ui/tableau-de-bord"),
])
def test_the_login_next_is_a_safe_local_redirect(api, target, expected):
    client = UiClient(api.app)
    page = client.http.get(f"/ui/connexion?next={target}")
    assert page.status_code == 200
    with client.http.session_transaction() as session:
        token = session["csrf_token"]
    resp = client.http.post(f"/ui/connexion?next={target}",
                            data={"username": "agent", "password": PASSWORD,
                                  "csrf_token": token})
    assert resp.status_code == 302, text(resp)[:300]
    assert resp.headers["Location"] == expected
    assert "Set-Cookie: x" not in str(resp.headers) and len(resp.headers.getlist("Location")) == 1


@pytest.mark.parametrize(("form", "status"), [
    ({"username": "x" * 6_000_000, "password": "mauvais"}, 413),  # past the size limit
    ({"username": "age\x00nt", "password": "mauvais"}, 400),  # a NUL character
    ({"username": ["agent", "admin"], "password": "mauvais"}, 401),  # a repeated field
    ({}, 422),  # nothing typed: said as such, not a failed attempt
])
def test_odd_login_forms_get_a_french_4xx_and_no_5xx(api, form, status):
    client = UiClient(api.app)
    client.get("/ui/connexion")
    resp = client.post("/ui/connexion", form)
    assert resp.status_code == status, text(resp)[:300]
    assert resp.mimetype == "text/html"


def test_an_empty_login_form_is_told_and_not_counted_as_a_failure(api):
    """A QA finding: nothing typed read « Identifiant ou mot de passe incorrect »."""
    client = UiClient(api.app)
    client.get("/ui/connexion")
    for form in ({"username": "", "password": ""}, {"username": "agent", "password": ""},
                 {"username": "  ", "password": "x"}):
        for _ in range(6):
            resp = client.post("/ui/connexion", form)
            assert resp.status_code == 422
            assert "Saisissez votre identifiant et votre mot de passe." in text(resp)
    # 18 empty submissions, 6 of them for « agent »: none counted against its limit of 10
    assert _attempt(client, "agent", PASSWORD).status_code == 302


def test_the_login_page_sends_a_logged_in_user_on(api):
    client = UiClient(api.app)
    client.login("agent")
    resp = client.http.get("/ui/connexion")
    assert resp.status_code == 302 and resp.headers["Location"] == "/ui/tableau-de-bord"
    resp = client.http.get("/ui/connexion?next=/ui/taches")
    assert resp.status_code == 302 and resp.headers["Location"] == "/ui/taches"
