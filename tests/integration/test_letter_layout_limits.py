"""A designer's letter whose HTML would keep WeasyPrint busy for minutes (thousands of page
breaks) never hangs a worker: past LETTER_LAYOUT_TIMEOUT_SECONDS (made tiny here) its layout is
killed and refused in French at the download (API 409, the case page), in the outbox worker
(retried, then abandoned with its reason) and in the designer's preview; the next letter is laid
out by a new child."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from services import bundles, letters, outbox, processes
from services.db import db, transaction
from services.letters import layout
from services.models import Letter, OutboxJob
from tests.api_errors_support import assert_problem, unchanged
from tests.designer_support import OBLIGATOIRE, xml_headers
from tests.integration.test_letters import issue as issue_letter
from tests.integration.test_letters import open_case, shipped_bundle, zipped
from tests.ui_support import UiClient

ENDLESS = ('{% extends "courriers/_mise_en_page.html" %}\n'
           "{% block titre %}Relevé sans fin{% endblock %}\n"
           "{% block corps %}{% for i in range(3000) %}"
           '<p style="break-after: page">{{ i }}</p>{% endfor %}{% endblock %}\n')
REFUSED = "la mise en page a dépassé 0,5 secondes"


@pytest.fixture
def tiny_timeout(api):
    layout.shutdown()
    api.app.config["LETTER_LAYOUT_TIMEOUT_SECONDS"] = 0.5
    api.app.config["LETTER_LAYOUT_MAX_PAGES"] = 1_000_000  # only the time stops it
    yield
    layout.shutdown()


@pytest.fixture
def case(api, tiny_timeout):
    """A case of a version whose `courriers/sans_fin.html` cannot be laid out: deployed as the
    shipped files are (`flask processes deploy`), whose letters are not laid out at deployment
    (a designer's upload or draft would be refused: test_deploy_letter_layout.py); its HTML
    renders within the sandbox's bounds. Also what a version deployed before that check, or
    whose letter met the limits then but no longer does (a busier machine, a lower limit), is."""
    entries = shipped_bundle(api)
    entries["courriers/sans_fin.html"] = ENDLESS.encode()
    xml, files = bundles.read_zip(zipped(entries))
    version, created = processes.deploy("stage_obligatoire", xml, "tests", files=files)
    assert created and version.version == 2
    db.session.remove()
    return open_case(api)


def issue(case_id: int, template: str = "sans_fin") -> int:
    return issue_letter(case_id, template)


def test_a_download_past_the_layout_time_is_a_french_409_and_the_next_letter_works(api, case):
    endless = issue(case["id"])
    normal = issue(case["id"], "signalement_procureur")
    resp = api.get(f"/api/v1/cases/{case['id']}/letters/{endless}", as_="agent")
    detail = assert_problem(resp, 409)["detail"]
    assert REFUSED in detail and "courriers/sans_fin.html" in detail
    assert "Un concepteur doit corriger son modèle" in detail
    assert layout.child_pids() == []  # killed and reaped
    db.session.remove()
    assert db.session.get(Letter, endless).pdf is None  # still to lay out
    api.app.config["LETTER_LAYOUT_TIMEOUT_SECONDS"] = 30  # a normal letter, on a busy machine
    resp = api.get(f"/api/v1/cases/{case['id']}/letters/{normal}", as_="agent")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    assert len(layout.child_pids()) == 1  # a new child


def test_the_case_page_download_says_it_in_french(api, case):
    endless = issue(case["id"])
    ui = UiClient(api.app)
    ui.login("agent")
    resp = ui.get(f"/ui/dossiers/{case['id']}/courriers/{endless}")
    assert resp.status_code == 409 and resp.mimetype == "text/html"
    page = html.unescape(resp.get_data(as_text=True))
    assert REFUSED in page and "n'a pas pu être mis en page" in page


def test_the_outbox_retries_then_abandons_it_with_the_french_reason(api, case):
    issue(case["id"])
    db.session.remove()
    assert outbox.run_due() == (0, 1)
    db.session.remove()
    job = db.session.scalar(select(OutboxJob).where(OutboxJob.channel == letters.PDF_CHANNEL))
    assert job.status == outbox.PENDING and REFUSED in job.last_error
    assert job.last_error.startswith("le courrier n'a pas pu être mis en page")
    job_id = job.id
    with transaction():  # its last attempt, due now: not retried forever
        row = db.session.get(OutboxJob, job_id)
        row.attempts, row.next_attempt_at = outbox.MAX_ATTEMPTS - 1, row.created_at
    db.session.remove()
    assert outbox.run_pass() == outbox.Pass(sent=0, retried=0, abandoned=1)
    db.session.remove()
    job = db.session.get(OutboxJob, job_id)
    assert job.status == outbox.ABANDONED and REFUSED in job.last_error


def test_a_download_of_an_abandoned_layout_answers_at_once(api, case, monkeypatch):
    """Once the outbox gave up, a click no longer lays the letter out again (up to the time
    limit of a web worker each time, for the same refusal): 409 at once with the worker's
    reason; an admin's relaunch puts it back, and the next download tries again."""
    endless = issue(case["id"])
    db.session.remove()
    with transaction():
        job = db.session.scalar(select(OutboxJob).where(OutboxJob.channel == letters.PDF_CHANNEL))
        job.attempts, job.next_attempt_at = outbox.MAX_ATTEMPTS - 1, job.created_at
    db.session.remove()
    assert outbox.run_pass().abandoned == 1
    db.session.remove()
    laid_out = []
    real = layout.to_pdf
    monkeypatch.setattr(layout, "to_pdf", lambda *a, **k: laid_out.append(1) or real(*a, **k))
    with unchanged():
        resp = api.get(f"/api/v1/cases/{case['id']}/letters/{endless}", as_="agent")
    detail = assert_problem(resp, 409)["detail"]
    assert f"courriers/sans_fin.html : {REFUSED}" in detail, detail
    assert "relancer sa mise en page depuis « Envois différés »" in detail
    assert "détail technique" not in detail and laid_out == []
    # the case's letters say so beforehand: the API's list, the case page (no download link)
    listed = {item["id"]: item for item in api.ok(api.get(
        f"/api/v1/cases/{case['id']}/letters", as_="agent"))["items"]}
    assert REFUSED in listed[endless]["layout_error"]
    assert "détail technique" not in listed[endless]["layout_error"]
    assert all(item["layout_error"] is None for i, item in listed.items() if i != endless)
    ui = UiClient(api.app)
    ui.login("agent")
    page = html.unescape(ui.get(f"/ui/dossiers/{case['id']}").get_data(as_text=True))
    assert f"mise en page impossible : courriers/sans_fin.html : {REFUSED}" in page
    assert f"/courriers/{endless}\"" not in page and laid_out == []
    job_id = db.session.scalar(select(OutboxJob.id).where(
        OutboxJob.channel == letters.PDF_CHANNEL))
    api.ok(api.post(f"/api/v1/outbox/{job_id}/retry", {}, as_="admin"))
    resp = api.get(f"/api/v1/cases/{case['id']}/letters/{endless}", as_="agent")
    assert REFUSED in assert_problem(resp, 409)["detail"] and laid_out == [1]


def test_the_designer_preview_names_the_limit(api, tiny_timeout):
    draft = api.ok(api.request("POST", "/api/v1/processes/stage_obligatoire/drafts",
                               as_="designer", raw=OBLIGATOIRE, headers=xml_headers()), 201)["id"]
    ui = UiClient(api.app)
    ui.login("designer")
    ui.get(f"/ui/processus/brouillons/{draft}")
    resp = ui.post(f"/ui/processus/brouillons/{draft}/courriers/apercu",
                   {"modele": "sans_fin", "texte": ENDLESS})
    assert resp.status_code == 422
    page = html.unescape(resp.get_data(as_text=True))
    assert f"Aperçu impossible : courriers/sans_fin.html : {REFUSED}" in page
