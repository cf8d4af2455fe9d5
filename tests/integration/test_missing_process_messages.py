"""A process without any deployed version, told to whoever meets it in their own terms: a clerk
(the case-opening pages, `POST /cases`) asks a process designer to deploy it; a designer (the
workspace's pages of an unknown process) is sent to the workspace, never to a command line."""

from __future__ import annotations

from sqlalchemy import update

from services.db import db, transaction
from services.models import ProcessVersion
from tests.api_errors_support import assert_problem, unchanged
from tests.ui_support import UiClient, flashes, text

NUM = "120175200123"
LETTER = {"letter_48n.sent_on": "2026-02-25", "letter_48n.receipt": "signed",
          "letter_48n.received_on": "2026-02-27"}


def _withdrawn(key: str) -> None:
    """No version of `key` in service (as before its first deployment)."""
    with transaction():
        db.session.execute(update(ProcessVersion).where(ProcessVersion.key == key)
                           .values(active=False))


def _for_a_clerk(detail: str, key: str) -> None:
    assert f"« {key} »" in detail and "concepteur" in detail, detail
    assert "flask" not in detail and "lancez" not in detail, detail


def _logged_in(api, username: str) -> UiClient:
    client = UiClient(api.app)
    client.login(username)
    return client


def test_a_clerk_opening_a_case_of_an_undeployed_process_is_told_to_ask_a_designer(api):
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026", points=3)
    api.set_today("02/03/2026")
    _withdrawn("stage_obligatoire")
    body = {"kind": "obligatoire", "licence": NUM, "infraction": inf["id"],
            "letter_48n": {"sent_on": "2026-02-25", "receipt": "signed",
                           "received_on": "2026-02-27"}}
    with unchanged():
        problem = assert_problem(api.post("/api/v1/cases", body, as_="agent"), 409)
    _for_a_clerk(problem["detail"], "stage_obligatoire")
    ui = _logged_in(api, "agent")
    with unchanged():
        resp = ui.post(f"/ui/permis/{NUM}/infractions/{inf['id']}/dossier-48n", LETTER)
    assert resp.status_code == 409
    _for_a_clerk(text(resp), "stage_obligatoire")
    assert 'name="letter_48n.sent_on"' in text(resp)  # the form, kept, not an error page


def test_a_clerk_opening_a_voluntary_case_of_an_undeployed_process_is_told_so(api):
    api.licence(NUM, obtained="01/09/2015", probation="none", points=8, on="01/01/2026")
    _withdrawn("stage_volontaire")
    ui = _logged_in(api, "agent")
    with unchanged():
        resp = ui.post(f"/ui/permis/{NUM}/stage-volontaire")
    assert resp.status_code == 409 and 'id="voluntary-error"' in text(resp)
    _for_a_clerk(text(resp), "stage_volontaire")
    assert not flashes(resp)


def test_a_designer_opening_an_unknown_process_is_sent_to_the_workspace(api):
    designer = _logged_in(api, "designer")
    for path in ("/ui/processus/inconnu/brouillons", "/ui/processus/inconnu/historique",
                 "/ui/processus/inconnu/editeur", "/ui/processus/inconnu/comparer"):
        resp = designer.get(path)
        assert resp.status_code == 404, path
        page = text(resp)
        assert "Aucune version déployée du processus « inconnu »" in page, path
        assert "atelier" in page and "flask" not in page and "lancez" not in page, path
