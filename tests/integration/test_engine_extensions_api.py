"""Other engines' extensions through the designers' API (docs/designers.md, « Extensions Camunda
et autres moteurs »). A QA finding: a draft whose task carried a Camunda task listener, an
execution listener and an asynchronous continuation was « valide, aucun problème », passed its
scenarios and was deployed, the engine ignoring all three. Now it is kept with those problems
and cannot be deployed (nor uploaded); descriptive extensions are warnings only."""

from __future__ import annotations

from sqlalchemy import select

from services.clock import clock
from services.db import db, transaction
from services.models import DraftTestRun, ProcessDraft, ProcessVersion
from tests.api_errors_support import assert_problem
from tests.designer_support import (
    with_descriptive_extensions,
    with_ignored_features,
    xml_headers,
)

KEY = "stage_volontaire"
TASK = "verification_attestation"


def post(api, path: str, xml: bytes):
    return api.request("POST", path, as_="designer", raw=xml, headers=xml_headers())


def features_told(messages) -> list[str]:
    return [m for m in messages if "n'est pas pris" in m]


def test_the_reviewers_draft_is_kept_with_its_problems_and_cannot_be_tested(api):
    draft = api.ok(post(api, f"/api/v1/processes/{KEY}/drafts", with_ignored_features()), 201)
    assert draft["valid"] is False
    told = features_told(p["message"] for p in draft["problems"] if p["element_id"] == TASK)
    assert len(told) == 3, draft["problems"]
    assert {t[t.index("("):t.index(")") + 1] for t in
            (m.partition(" : ")[2] for m in told)} == {
        "(camunda:asyncBefore)", "(camunda:taskListener)", "(camunda:executionListener)"}
    assert all(p["line"] for p in draft["problems"])
    assert draft["warnings"] == []
    run = api.post(f"/api/v1/drafts/{draft['id']}/test-runs", {}, as_="designer")
    assert_problem(run, 422, TASK)


def test_a_draft_saved_before_the_check_is_refused_at_its_deployment(api):
    """Saved « valide » and tested before the check existed: its deployment validates it
    again and answers 422 on the task, nothing deployed."""
    with transaction():
        draft = ProcessDraft(key=KEY, based_on=1, xml=with_ignored_features(), files={},
                             checksum="avant", valid=True, problems=[], created_by="designer",
                             created_at=clock().now())
        db.session.add(draft)
        db.session.flush()
        db.session.add(DraftTestRun(draft_id=draft.id, status="reussi", requested_by="designer",
                                    requested_at=clock().now(), features=[]))
        draft_id = draft.id
    resp = api.post(f"/api/v1/drafts/{draft_id}/deploy", {}, as_="designer")
    body = assert_problem(resp, 422, TASK)
    assert len(features_told(body["errors"][TASK])) == 3
    assert db.session.scalars(select(ProcessVersion.version).where(
        ProcessVersion.key == KEY)).all() == [1]


def test_an_upload_carrying_them_is_refused(api):
    resp = post(api, f"/api/v1/processes/{KEY}/versions", with_ignored_features())
    body = assert_problem(resp, 422, TASK)
    assert any("(camunda:executionListener)" in m for m in body["errors"][TASK])


def test_descriptive_extensions_leave_the_draft_valid_with_warnings(api):
    draft = api.ok(post(api, f"/api/v1/processes/{KEY}/drafts",
                        with_descriptive_extensions()), 201)
    assert draft["valid"] is True and draft["problems"] == []
    assert [(w["element_id"], w["line"]) for w in draft["warnings"]] == [(KEY, 12), (KEY, 12)]
    assert "(camunda:historyTimeToLive)" in draft["warnings"][0]["message"]
    assert "sans effet sur le déroulement des dossiers" in draft["warnings"][0]["message"]
    assert api.ok(api.get(f"/api/v1/drafts/{draft['id']}", as_="designer")) == draft
    # the list does not read the drafts' XML: no warnings there
    listed = api.ok(api.get(f"/api/v1/processes/{KEY}/drafts", as_="designer"))["items"][0]
    assert listed["id"] == draft["id"] and "warnings" not in listed
