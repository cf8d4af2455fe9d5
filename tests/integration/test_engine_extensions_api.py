"""Other engines' extensions through the designers' API (docs/designers.md, « Extensions Camunda
et autres moteurs »). A QA finding: a draft whose task carried a Camunda task listener, an
execution listener and an asynchronous continuation was « valide, aucun problème », passed its
scenarios and was deployed, the engine ignoring all three. Now it is kept with those problems
and cannot be deployed (nor uploaded); descriptive extensions are warnings only."""

from __future__ import annotations

from pathlib import Path

import pytest
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


# ---- SpiffArena's extensions (spiffworkflow:), through an upload of the corpus's files ----------

CORPUS = Path("/work/shared/corpus/bpmn")
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(),
                                  reason="corpus absent (../shared/corpus/bpmn)")


def spiff_features(messages) -> list[str]:
    return [m.partition(" (spiffworkflow:")[2].partition(")")[0] for m in messages
            if "(spiffworkflow:" in m]


@needs_corpus
def test_a_spiffarena_file_whose_form_and_variable_would_be_ignored_is_refused(api):
    """Was accepted (201): the SpiffArena form of its user tasks and the variable `order` that
    was to receive the second one's data were silently ignored."""
    xml = (CORPUS / "spiff__spiff-user_task_variable.bpmn").read_bytes()
    resp = post(api, "/api/v1/processes/two/versions", xml)
    body = assert_problem(resp, 422, "user_task_two")
    assert spiff_features(body["errors"]["user_task_one"]) == ["properties"]
    assert spiff_features(body["errors"]["user_task_two"]) == ["properties", "variableName"]
    [variable] = [m for m in body["errors"]["user_task_two"] if "(spiffworkflow:variableName)"
                  in m]
    assert variable == (
        "tâche utilisateur « User Task » (user_task_two) : la variable qui reçoit les données "
        "du formulaire (spiffworkflow:variableName) n'est pas prise en charge par le moteur : "
        "elle serait ignorée. Chaque champ du formulaire va dans les données sous sa propre "
        "clé : retirez-la, et lisez les champs par leur clé. (ligne 39)")
    assert db.session.scalars(select(ProcessVersion.version).where(
        ProcessVersion.key == "two")).all() == []


@needs_corpus
def test_a_spiffarena_draft_is_kept_with_its_problems_and_its_warnings(api):
    xml = (CORPUS / "spm__submit-invoice.bpmn").read_bytes()
    draft = api.ok(post(api, "/api/v1/processes/Proccess_tlws0al/drafts", xml),
                   201)
    assert draft["valid"] is False
    told = sorted((p["element_id"], f) for p in draft["problems"]
                  for f in spiff_features([p["message"]]))
    assert told == sorted([
        ("Activity_0yes9h3", "properties"), ("Activity_1hdxh4e", "serviceTaskOperator"),
        ("Activity_0vjn1x3", "serviceTaskOperator"), ("Activity_0jewccr", "serviceTaskOperator"),
        ("Activity_1t2wqtp", "calledDecisionId"), ("Activity_1t2wqtp", "preScript")])
    assert all(p["line"] for p in draft["problems"])
    operator = next(p["message"] for p in draft["problems"]
                    if p["element_id"] == "Activity_1hdxh4e" and "(spiffworkflow:" in p["message"])
    assert "Utilisez à la place une tâche de service qui appelle une action du catalogue" in (
        operator)
    [warning] = draft["warnings"]
    assert warning["element_id"] == "Activity_0t4r74j" and warning["message"].startswith(
        "tâche de script « Convert Bamboo Annual Salary » (Activity_0t4r74j) : les tests "
        "unitaires du script (spiffworkflow:unitTests) ne sont pas pris en charge par le "
        "moteur : ils sont ignorés, sans effet sur le déroulement des dossiers. Décrivez")
    assert api.ok(api.get(f"/api/v1/drafts/{draft['id']}", as_="designer")) == draft
