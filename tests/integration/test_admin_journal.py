"""The admins' journal (services/admin_log.py): every admin action that no case or centre
history holds leaves who, when, what and before/after; admins read it (API and page), nobody
else."""

from __future__ import annotations

import getpass

import pytest
from sqlalchemy import select

from services import outbox
from services.db import db, transaction
from services.models import OutboxJob
from tests import smtp_support
from tests.api_errors_support import assert_problem
from tests.integration.test_service_actions import enrolled_case
from tests.ui_support import UiClient, text

smtp_server = smtp_support.smtp_server  # the fixture, for this module's tests
CLI = f"cli:{getpass.getuser()}"


def journal(api, **query) -> list[dict]:
    return api.ok(api.get("/api/v1/admin/events", per_page=200, **query))["items"]


def last(api, type_: str) -> dict:
    return journal(api, type=type_)[0]


def _abandoned_job(api, app) -> int:
    enrolled_case(api)
    app.config["SMTP_PORT"] = 1  # nothing listens there
    with transaction():
        job = db.session.scalars(select(OutboxJob)).one()
        job.attempts, job_id = outbox.MAX_ATTEMPTS - 1, job.id
    outbox.run_due()
    return job_id


def test_an_outbox_retry_from_the_api_is_recorded(api, app, smtp_server):
    job_id = _abandoned_job(api, app)
    api.ok(api.post(f"/api/v1/outbox/{job_id}/retry"))
    event = last(api, "envoi_relance")
    assert (event["actor"], event["subject"], event["label"]) == (
        "admin", f"envoi:{job_id}", "Envoi relancé")
    assert event["detail"]["status"] == ["abandonne", "en_attente"]
    assert event["detail"]["attempts"] == [outbox.MAX_ATTEMPTS, 0]
    assert "ConnectionRefusedError" in event["detail"]["last_error"]


def test_an_outbox_retry_from_the_page_is_recorded(api, app, smtp_server):
    job_id = _abandoned_job(api, app)
    ui = UiClient(api.app)
    ui.login("admin")
    assert ui.post(f"/ui/envois/{job_id}/relancer").status_code == 302
    assert last(api, "envoi_relance")["actor"] == "admin"
    page = text(ui.get("/ui/journal"))
    assert "Envoi relancé" in page and f"envoi:{job_id}" in page
    assert "état : abandonne → en_attente" in page


def test_setting_the_clock_keeps_before_and_after(api):
    api.set_today("02/03/2026")
    api.set_today("05/03/2026")
    event = last(api, "horloge_reglee")
    assert event["actor"] == "admin" and event["subject"] == "horloge"
    assert [v[:10] for v in event["detail"]["now"]] == ["2026-03-02", "2026-03-05"]
    api.set_today("05/03/2026")  # the same instant again: nothing changed, nothing recorded
    assert len(journal(api, type="horloge_reglee")) == 3  # bootstrap's setting, then two


def test_groups_and_memberships_from_the_api_are_recorded(api):
    api.ok(api.post("/api/v1/groups", {"code": "accueil", "name": "Accueil"}), 201)
    api.ok(api.request("PATCH", "/api/v1/groups/accueil", {"name": "Accueil téléphonique"}))
    api.ok(api.request("PATCH", "/api/v1/groups/accueil", {"name": "Accueil téléphonique"}))
    api.ok(api.request("PUT", "/api/v1/users/agent/groups", {"groups": ["accueil"]}))
    events = journal(api, subject="groupe:accueil")
    assert [(e["type"], e["actor"], e["detail"]) for e in events] == [
        ("groupe_renomme", "admin", {"name": ["Accueil", "Accueil téléphonique"]}),
        ("groupe_cree", "admin", {"code": "accueil", "name": "Accueil"})]
    event = last(api, "groupes_utilisateur")
    assert (event["subject"], event["detail"]) == ("utilisateur:agent",
                                                   {"groups": [[], ["accueil"]]})


def test_groups_and_memberships_from_the_page_are_recorded(api):
    ui = UiClient(api.app)
    ui.login("admin")
    ui.post("/ui/groupes", {"code": "accueil", "name": "Accueil"})
    ui.post("/ui/groupes/accueil/nom", {"name": "Guichet"})
    ui.post("/ui/groupes/agents/agent", {"groupes": ["accueil"]})
    assert [(e["type"], e["actor"]) for e in journal(api, subject="groupe:accueil")] == [
        ("groupe_renomme", "admin"), ("groupe_cree", "admin")]
    assert last(api, "groupes_utilisateur")["actor"] == "admin"


def test_the_users_commands_are_recorded_with_the_system_account(api, app):
    runner = app.test_cli_runner()

    def run(*args, input=None):
        result = runner.invoke(args=list(args), input=input)
        assert result.exit_code == 0, result.output

    run("users", "create", "qaa", "--role", "agent", "--password-stdin", input="motdepasse-qa\n")
    run("users", "role", "qaa", "--role", "designer")
    run("users", "deactivate", "qaa")
    run("users", "activate", "qaa")
    run("users", "password", "qaa", "--password-stdin", input="autre-motdepasse\n")
    run("users", "token", "qaa")
    run("groups", "create", "accueil", "Accueil")
    events = journal(api, subject="utilisateur:qaa")
    assert [(e["type"], e["actor"], e["detail"]) for e in reversed(events)] == [
        ("utilisateur_cree", CLI, {"role": "agent", "centre": None, "groups": []}),
        ("utilisateur_role", CLI, {"role": ["agent", "designer"]}),
        ("utilisateur_desactive", CLI, {"active": [True, False]}),
        ("utilisateur_reactive", CLI, {"active": [False, True]}),
        ("mot_de_passe_change", CLI, {}),
        ("jeton_cree", CLI, {})]
    assert last(api, "groupe_cree")["actor"] == CLI
    assert "motdepasse" not in str(journal(api))


def test_the_journal_filters_and_refuses_an_unknown_type(api):
    assert {e["type"] for e in journal(api, type="jeton_cree")} == {"jeton_cree"}
    assert_problem(api.get("/api/v1/admin/events", type="inconnu"), 422, "type")


@pytest.mark.parametrize("role", ["agent", "designer", "centre75"])
def test_only_admins_read_the_journal(api, role):
    assert_problem(api.get("/api/v1/admin/events", as_=role), 403)
    ui = UiClient(api.app)
    ui.login(role)
    assert ui.get("/ui/journal").status_code == 403


def test_the_journal_is_in_the_openapi_document(api):
    spec = api.ok(api.get("/api/v1/openapi.json"))
    assert "/api/v1/admin/events" in spec["paths"]
