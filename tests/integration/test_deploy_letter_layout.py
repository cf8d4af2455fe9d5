"""A designer learns at deployment, not from a clerk's 409, that a letter of the bundle cannot be
laid out as a PDF within the layout's limits (docs/designers.md, « Deploying a draft »): the
letters that differ from the version the deployment follows are laid out by the bounded child,
outside the deployment's transaction, and one past a limit is a French 422 naming it; nothing is
deployed."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from services import processes
from services.db import db, in_command
from services.letters import layout
from services.letters import render as rendering
from tests.api_errors_support import assert_problem, unchanged
from tests.integration.test_letters import deploy_zip, shipped_bundle, zipped

KEY = "stage_obligatoire"
VERSIONS = f"/api/v1/processes/{KEY}/versions"
FORCED = {"override": True, "reason": "vérifier les courriers"}
LIMIT = 3
# six pages: past a limit of three, refused at its fourth page
LONG = ('{% extends "courriers/_mise_en_page.html" %}\n'
        "{% block titre %}Relevé trop long{% endblock %}\n"
        "{% block corps %}{% for i in range(6) %}"
        '<p style="break-after: page">{{ i }}</p>{% endfor %}{% endblock %}\n')
PROSECUTOR = "courriers/signalement_procureur.html"
REFUSAL = (f"le courrier « courriers/releve.html » ne peut pas être mis en page : le courrier "
           f"dépasse {LIMIT} pages")


@pytest.fixture
def few_pages(api):
    layout.shutdown()
    api.app.config["LETTER_LAYOUT_MAX_PAGES"] = LIMIT
    yield
    layout.shutdown()


@pytest.fixture
def laid_out(monkeypatch):
    """The ids of the letters the deployment laid out, in order."""
    ids = []
    real = rendering.laid_out
    monkeypatch.setattr(rendering, "laid_out",
                        lambda html, template_id: ids.append(template_id) or real(html,
                                                                                  template_id))
    return ids


def draft_of(api, entries: dict) -> dict:
    resp = api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                       raw=zipped(entries), headers={"Content-Type": "application/zip"})
    draft = api.ok(resp, 201)
    assert draft["valid"], draft["problems"]  # its letters render: only their layout fails
    return draft


def deploy(api, draft: dict):
    return api.post(f"/api/v1/drafts/{draft['id']}/deploy", FORCED, as_="admin")


def versions(api) -> list[int]:
    items = api.ok(api.get("/api/v1/processes", as_="designer", per_page=200))["items"]
    return [v["version"] for v in items if v["key"] == KEY]


def test_a_draft_whose_letter_is_past_the_page_limit_is_refused_in_french(api, few_pages,
                                                                           laid_out):
    entries = shipped_bundle(api)
    entries["courriers/releve.html"] = LONG.encode()
    draft = draft_of(api, entries)
    with unchanged():
        problem = assert_problem(deploy(api, draft), 422, "courriers/releve.html")
    assert problem["errors"]["courriers/releve.html"] == [REFUSAL]
    assert problem["detail"] == f"Le BPMN du processus « {KEY} » est refusé : 1 problème."
    assert laid_out == ["releve"]  # the shipped letters are the base version's
    assert versions(api) == [1]
    assert api.ok(api.get(f"/api/v1/drafts/{draft['id']}", as_="designer"))["deployed_as"] is None


def changed_letter(api) -> dict:
    """The shipped bundle with the prosecutor's letter changed."""
    entries = shipped_bundle(api)
    entries[PROSECUTOR] = entries[PROSECUTOR].replace(b"Tribunal judiciaire",
                                                      b"Tribunal judiciaire de Bordeaux")
    return entries


def test_a_draft_with_a_changed_letter_deploys_and_only_that_letter_is_laid_out(api, laid_out):
    version = api.ok(deploy(api, draft_of(api, changed_letter(api))), 201)
    assert version["version"] == 2 and versions(api) == [1, 2]
    assert laid_out == ["signalement_procureur"]


def test_a_change_of_the_shared_layout_lays_out_every_letter(api, laid_out):
    entries = shipped_bundle(api)
    shared = "courriers/_mise_en_page.html"
    entries[shared] = entries[shared].replace(b"</body>", b"<p>Nouveau pied de page</p></body>")
    assert entries[shared] != shipped_bundle(api)[shared]
    api.ok(deploy(api, draft_of(api, entries)), 201)
    assert laid_out == ["decision_remboursement", "notification_credit_points",
                        "signalement_procureur"]


def test_a_change_of_the_diagram_alone_lays_nothing_out(api, laid_out):
    entries = shipped_bundle(api)
    bpmn = next(k for k in entries if k.endswith(".bpmn"))
    entries[bpmn] = entries[bpmn].replace(b"</bpmn:definitions>",
                                          b"<!-- v2 --></bpmn:definitions>")
    api.ok(deploy(api, draft_of(api, entries)), 201)
    assert laid_out == []


def _write_elsewhere(draft_id: int) -> None:
    """Change the draft's row from a connection of another engine, waiting 0.2 s at most for a
    lock: the deployment's transaction would hold one (SQLite: the database's write lock;
    PostgreSQL: the draft's row, locked FOR UPDATE)."""
    sqlite = db.engine.dialect.name == "sqlite"
    other = create_engine(db.engine.url, **({"connect_args": {"timeout": 0.2}} if sqlite
                                            else {}))
    try:
        with other.begin() as conn:
            if not sqlite:
                conn.execute(text("SET LOCAL lock_timeout = '200ms'"))
            conn.execute(text("UPDATE process_drafts SET created_by = created_by "
                              "WHERE id = :id"), {"id": draft_id})
    finally:
        other.dispose()


def test_the_layout_runs_outside_the_deployments_transaction(api, few_pages, monkeypatch):
    entries = shipped_bundle(api)
    entries["courriers/releve.html"] = LONG.encode()
    draft = draft_of(api, entries)
    seen = []
    real = rendering.to_pdf

    def to_pdf(html):
        try:
            _write_elsewhere(draft["id"])
            wrote = "écrit"
        except OperationalError as exc:  # a lock held: SQLite's busy, PostgreSQL's lock_timeout
            wrote = type(exc).__name__
        seen.append((in_command(), db.session().in_transaction(), wrote))
        return real(html)

    monkeypatch.setattr(rendering, "to_pdf", to_pdf)
    assert_problem(deploy(api, draft), 422, "courriers/releve.html")
    assert seen == [(False, False, "écrit")]


def test_an_upload_whose_letter_is_past_the_page_limit_is_refused(api, few_pages, laid_out):
    entries = shipped_bundle(api)
    entries["courriers/releve.html"] = LONG.encode()
    with unchanged():
        problem = assert_problem(deploy_zip(api, entries), 422, "courriers/releve.html")
    assert problem["errors"]["courriers/releve.html"] == [REFUSAL]
    assert laid_out == ["releve"] and versions(api) == [1]


def overtaken(api, monkeypatch, times: int) -> tuple[dict, list[int]]:
    """The shipped bundle with a changed letter, and the versions another designer deploys
    (a raw BPMN) during each of the first `times` layouts of its letters."""
    entries = changed_letter(api)
    xml = next(v for k, v in entries.items() if k.endswith(".bpmn"))
    real = rendering.to_pdf
    others = []

    def to_pdf(html):
        if len(others) < times:
            others.append(processes.deploy(KEY, xml.replace(b"</bpmn:definitions>", (
                f"<!-- autre {len(others)} --></bpmn:definitions>").encode()), "autre")[0].version)
        return real(html)

    monkeypatch.setattr(rendering, "to_pdf", to_pdf)
    return entries, others


def test_an_upload_lays_its_letters_out_again_when_a_version_is_deployed_meanwhile(
        api, laid_out, monkeypatch):
    """The letters are laid out against the newest version before the deployment's
    transaction; when another version is deployed meanwhile, they are laid out again against
    it, and the upload then follows it."""
    entries, others = overtaken(api, monkeypatch, 1)
    version = api.ok(deploy_zip(api, entries), 201)
    assert others == [2] and version["version"] == 3
    assert laid_out == ["signalement_procureur", "signalement_procureur"]


def test_an_upload_overtaken_at_each_layout_is_409_and_not_deployed(api, monkeypatch):
    entries, others = overtaken(api, monkeypatch, processes.LAYOUT_ATTEMPTS + 1)
    detail = assert_problem(deploy_zip(api, entries), 409)["detail"]
    assert detail == (f"D'autres versions du processus « {KEY} » ont été déployées pendant la "
                      "mise en page de ses courriers : réessayez.")
    assert others == [2, 3, 4] and versions(api) == [1, 2, 3, 4]
