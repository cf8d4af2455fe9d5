"""The designers' workspace through the API (docs/designers.md): drafts that are never live,
scenario test runs in a sandbox, deployment gated on them (admin override recorded), the
version list, diffs and the process history."""

from __future__ import annotations

import collections
import datetime as dt
import io
import time

from sqlalchemy import func, select

from services.clock import clock
from services.db import db, transaction
from services.design import drafts, sandbox, scenario_runs
from services.models import DraftTestRun, ProcessDraft, ProcessVersion
from tests.api_errors_support import assert_problem, unchanged
from tests.designer_support import (
    BROKEN_FLOW,
    VOLONTAIRE,
    race,
    renamed_volontaire,
    xml_headers,
)
from tests.query_count import counted

KEY = "stage_volontaire"


def post_draft(api, xml: bytes, as_="designer", **query):
    return api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_=as_, raw=xml,
                       headers=xml_headers(), **query)


def events(api, key=KEY):
    return api.ok(api.get(f"/api/v1/processes/{key}/events", as_="designer"))["items"]


def versions_of(api, key=KEY):
    items = api.ok(api.get("/api/v1/processes", as_="designer", per_page=200))["items"]
    return [v for v in items if v["key"] == key]


def test_saving_a_draft_stores_it_without_creating_a_version(api):
    resp = post_draft(api, renamed_volontaire())
    draft = api.ok(resp, 201)
    assert draft["key"] == KEY and draft["based_on"] == 1 and draft["valid"] is True
    assert draft["problems"] == [] and draft["last_test_run"] is None
    assert draft["deployed_as"] is None and draft["created_by"] == "designer"
    assert [v["version"] for v in versions_of(api)] == [1]
    xml = api.get(f"/api/v1/drafts/{draft['id']}/xml", as_="designer")
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert xml.data == renamed_volontaire()
    assert api.ok(api.get(f"/api/v1/drafts/{draft['id']}", as_="designer")) == draft
    saved = [e for e in events(api) if e["type"] == "brouillon_enregistre"]
    assert saved and saved[-1]["draft"] == draft["id"] and saved[-1]["actor"] == "designer"
    assert saved[-1]["detail"]["valid"] is True


def test_a_draft_with_bpmn_problems_is_kept_with_its_problems_located(api):
    broken = VOLONTAIRE.replace(b'"verification_attestation"', b'"verification_autre"')
    draft = api.ok(post_draft(api, broken), 201)
    assert draft["valid"] is False
    # the task renamed, its formRef too: the form it names is also missing (issue 14)
    (problem,) = [p for p in draft["problems"] if p["element_id"] == KEY]
    assert problem["element_id"] == KEY and problem["line"]
    assert "verification_attestation" in problem["message"]
    resp = api.post(f"/api/v1/drafts/{draft['id']}/test-runs", {}, as_="designer")
    assert_problem(resp, 422, KEY)
    deploy = api.post(f"/api/v1/drafts/{draft['id']}/deploy", {}, as_="designer")
    assert_problem(deploy, 422, KEY)
    assert [v["version"] for v in versions_of(api)] == [1]


def _multipart_draft(api, xml: bytes, filename: str, query: str = ""):
    """The BPMN posted as a draft's one file (multipart), as the designer."""
    return api.http.post(f"/api/v1/processes/{KEY}/drafts{query}",
                         headers={"Authorization": f"Bearer {api.tokens['designer']}"},
                         data={"file": (io.BytesIO(xml), filename)},
                         content_type="multipart/form-data")


def test_a_flowable_bpmn20_xml_file_is_taken_as_the_bpmn_of_a_multipart_draft(api):
    """A QA finding: Flowable's `<name>.bpmn20.xml` sent as a file got « Joignez exactement un
    fichier .bpmn. »."""
    resp = _multipart_draft(api, renamed_volontaire("flowable"), "stage_volontaire.bpmn20.xml")
    assert api.ok(resp, 201)["problems"] == []


def test_a_draft_may_come_as_multipart_and_be_based_on_an_older_version(api):
    api.ok(api.request("POST", f"/api/v1/processes/{KEY}/versions", as_="designer",
                       raw=renamed_volontaire("v2"), headers=xml_headers()), 201)
    resp = _multipart_draft(api, renamed_volontaire("brouillon"), "stage_volontaire.bpmn",
                            "?based_on=1")
    draft = api.ok(resp, 201)
    assert draft["based_on"] == 1
    listed = api.ok(api.get(f"/api/v1/processes/{KEY}/drafts", as_="designer"))
    assert listed["total"] == 1 and listed["items"][0]["id"] == draft["id"]
    # based on v1 while v2 is live: deploying would silently drop v2's change
    api.app.config["SANDBOX_SYNC"] = True
    resp = api.post(f"/api/v1/drafts/{draft['id']}/deploy",
                    {"override": True, "reason": "essai"}, as_="admin")
    body = assert_problem(resp, 409)
    assert "version 2" in body["detail"]


def test_drafts_are_listed_newest_first(api):
    first = api.ok(post_draft(api, renamed_volontaire("un")), 201)
    second = api.ok(post_draft(api, renamed_volontaire("deux")), 201)
    items = api.ok(api.get(f"/api/v1/processes/{KEY}/drafts", as_="designer"))["items"]
    assert [i["id"] for i in items] == [second["id"], first["id"]]


def test_the_drafts_page_reads_the_same_statements_whatever_its_size(api):
    """No query per draft (its latest run, the version it became) and no draft XML read."""
    def add_drafts(n: int) -> None:
        for i in range(n):
            draft = api.ok(post_draft(api, renamed_volontaire(f"page {i}")), 201)
            with transaction():
                for status in ("echoue", "reussi"):
                    db.session.add(DraftTestRun(draft_id=draft["id"], status=status,
                                                requested_by="designer",
                                                requested_at=clock().now(), features=[]))

    def page() -> tuple[list[dict], collections.Counter]:
        with counted() as seen:
            items = api.ok(api.get(f"/api/v1/processes/{KEY}/drafts", as_="designer",
                                   per_page=50))["items"]
        return items, seen

    add_drafts(2)
    small, seen_small = page()
    add_drafts(5)
    large, seen_large = page()
    assert len(small) == 2 and len(large) == 7
    assert seen_large == seen_small, seen_large - seen_small
    assert not [sql for sql in seen_large  # (the count's subquery names it, reads no value)
                if "process_drafts.xml" in sql and not sql.startswith("SELECT count(")]
    assert {d["last_test_run"]["status"] for d in large} == {"reussi"}
    latest = db.session.scalar(select(func.max(DraftTestRun.id)))
    assert large[0]["last_test_run"]["id"] == latest and large[0]["deployed_as"] is None


def test_draft_diff_against_its_base_version(api):
    draft = api.ok(post_draft(api, renamed_volontaire("Vérifier (v2)")), 201)
    diff = api.ok(api.get(f"/api/v1/drafts/{draft['id']}/diff", as_="designer"))
    assert diff["from"] == 1 and diff["to"] == "brouillon" and diff["key"] == KEY
    assert diff["added"] == [] and diff["removed"] == []
    assert diff["changed"] == [{
        "id": "verification_attestation", "type": "userTask", "name": "Vérifier (v2)",
        "changes": [{"what": "nom", "before": "Vérifier l'attestation de stage",
                     "after": "Vérifier (v2)"}]}]


def test_version_diff_and_version_list(api):
    api.ok(api.request("POST", f"/api/v1/processes/{KEY}/versions", as_="designer",
                       raw=renamed_volontaire("v2"), headers=xml_headers()), 201)
    diff = api.ok(api.get(f"/api/v1/processes/{KEY}/versions/2/diff", as_="agent"))
    assert (diff["from"], diff["to"]) == (1, 2)
    assert [c["id"] for c in diff["changed"]] == ["verification_attestation"]
    back = api.ok(api.get(f"/api/v1/processes/{KEY}/versions/1/diff", as_="designer",
                          against=2))
    assert (back["from"], back["to"]) == (2, 1)
    assert back["changed"][0]["changes"][0]["before"] == "v2"
    first = api.ok(api.get(f"/api/v1/processes/{KEY}/versions/1/diff", as_="designer"))
    assert first["from"] is None and first["removed"] == [] and first["changed"] == []
    assert {"verification_attestation", "f_a_10"} <= {a["id"] for a in first["added"]}
    listed = versions_of(api)
    assert [(v["version"], v["draft"], v["override"]) for v in listed] == [(1, None, None),
                                                                          (2, None, None)]
    deployed = [e for e in events(api) if e["type"] == "version_deployee"]
    assert [(e["version"], e["detail"]["origine"], e["detail"]["scenarios_testes"])
            for e in deployed] == [(1, "fichiers_livres", False), (2, "televersement", False)]


def test_a_draft_whose_scenarios_pass_is_deployed_and_new_cases_use_it(api):
    api.app.config["SANDBOX_SYNC"] = True
    api.set_today("01/03/2026")
    api.licence("120175200301", obtained="01/01/2010", probation="none", points=8,
                on="01/01/2026")
    old_case = api.voluntary_case("120175200301")
    draft = api.ok(post_draft(api, renamed_volontaire("Vérifier (v2)")), 201)
    resp = api.post(f"/api/v1/drafts/{draft['id']}/test-runs", {"features": ["volontaire"]},
                    as_="designer")
    run = api.ok(resp, 202)
    assert run["draft"] == draft["id"] and run["features"] == ["volontaire"]
    run = api.ok(api.get(f"/api/v1/test-runs/{run['id']}", as_="designer"))
    assert run["status"] == "reussi", run
    assert run["summary"]["failed"] == 0 and run["summary"]["passed"] == run["summary"]["total"]
    assert run["summary"]["total"] >= 4 and run["started_at"] and run["finished_at"]
    assert all(s["feature"] == "volontaire" and s["status"] == "passed" for s in run["scenarios"])
    assert api.ok(api.get(f"/api/v1/drafts/{draft['id']}", as_="designer"))[
        "last_test_run"]["id"] == run["id"]

    version = api.ok(api.post(f"/api/v1/drafts/{draft['id']}/deploy", {}, as_="designer"), 201)
    assert (version["key"], version["version"], version["draft"]) == (KEY, 2, draft["id"])
    assert version["override"] is None and version["deployed_by"] == "designer"
    assert api.ok(api.get(f"/api/v1/drafts/{draft['id']}", as_="designer"))["deployed_as"] == 2
    assert_problem(api.post(f"/api/v1/drafts/{draft['id']}/deploy", {}, as_="designer"), 409)

    api.licence("120175200302", obtained="01/01/2010", probation="none", points=8,
                on="01/01/2026")
    new_case = api.voluntary_case("120175200302")
    assert api.case(new_case["id"])["process"] == {"key": KEY, "version": 2}
    assert api.case(old_case["id"])["process"] == {"key": KEY, "version": 1}
    listed = {v["version"]: v for v in versions_of(api)}
    assert listed[1]["running_cases"] == 1 and listed[2]["running_cases"] == 1
    types = [(e["type"], e["draft"], e["version"]) for e in events(api)]
    assert ("scenarios_testes", draft["id"], None) in types
    assert types[-1] == ("version_deployee", draft["id"], 2)
    assert events(api)[-1]["detail"]["test"] == run["id"]


def test_a_broken_draft_fails_named_scenarios_and_only_an_admin_may_force_it(api):
    api.app.config["SANDBOX_SYNC"] = True
    broken = VOLONTAIRE.replace(*BROKEN_FLOW)
    draft = api.ok(post_draft(api, broken), 201)
    assert draft["valid"] is True  # valid BPMN, wrong journey
    run = api.ok(api.post(f"/api/v1/drafts/{draft['id']}/test-runs",
                          {"features": ["volontaire"]}, as_="designer"), 202)
    run = api.ok(api.get(f"/api/v1/test-runs/{run['id']}", as_="designer"))
    assert run["status"] == "echoue", run
    failed = {s["name"]: s for s in run["scenarios"] if s["status"] == "failed"}
    crediting = "Un stage volontaire crédite 4 points et ne donne lieu à aucun remboursement"
    assert crediting in failed and run["summary"]["failed"] == len(failed)
    assert failed[crediting]["message"] and "Traceback" not in failed[crediting]["message"]

    with unchanged():
        body = assert_problem(api.post(f"/api/v1/drafts/{draft['id']}/deploy", {},
                                       as_="designer"), 409)
    assert "administrateur" in body["detail"] and "echoue" in body["detail"]
    with unchanged():
        assert_problem(api.post(f"/api/v1/drafts/{draft['id']}/deploy",
                                {"override": True, "reason": "urgence"}, as_="designer"), 403)
        assert_problem(api.post(f"/api/v1/drafts/{draft['id']}/deploy",
                                {"override": True, "reason": "  "}, as_="admin"), 422, "reason")
    version = api.ok(api.post(f"/api/v1/drafts/{draft['id']}/deploy",
                              {"override": True, "reason": "Correctif urgent validé par le "
                                                           "chef de bureau"}, as_="admin"), 201)
    assert version["override"] == {"by": "admin",
                                   "reason": "Correctif urgent validé par le chef de bureau"}
    assert versions_of(api)[-1]["override"]["by"] == "admin"
    forced = events(api)[-1]
    assert forced["type"] == "deploiement_force" and forced["actor"] == "admin"
    assert forced["version"] == 2 and forced["detail"]["motif"].startswith("Correctif")
    assert any(crediting in s for s in forced["detail"]["scenarios_en_echec"])


def test_deploying_without_any_test_run_is_409(api):
    draft = api.ok(post_draft(api, renamed_volontaire()), 201)
    with unchanged():
        body = assert_problem(api.post(f"/api/v1/drafts/{draft['id']}/deploy", {},
                                       as_="designer"), 409)
    assert "aucun test" in body["detail"]


def test_a_draft_identical_to_the_live_version_says_so_before_its_deploy(api):
    """The designer reads it on the draft (`identical_to`), not only from the deploy's 409."""
    same = api.ok(post_draft(api, VOLONTAIRE), 201)
    changed = api.ok(post_draft(api, renamed_volontaire()), 201)
    assert same["identical_to"] == 1 and changed["identical_to"] is None
    assert api.ok(api.get(f"/api/v1/drafts/{same['id']}", as_="designer"))["identical_to"] == 1
    listed = api.ok(api.get(f"/api/v1/processes/{KEY}/drafts", as_="designer"))["items"]
    assert {d["id"]: d["identical_to"] for d in listed} == {same["id"]: 1, changed["id"]: None}
    with unchanged():
        resp = api.post(f"/api/v1/drafts/{same['id']}/deploy", {}, as_="designer")
    assert "identique à la version 1" in assert_problem(resp, 409)["detail"]
    api.ok(api.post(f"/api/v1/drafts/{changed['id']}/deploy",
                    {"override": True, "reason": "libellé corrigé"}, as_="admin"), 201)
    # v2 is live: the deployed draft says what it became, the copy of v1 is identical to nothing
    # live (its deploy is still refused, v2 having been deployed since its base)
    assert api.ok(api.get(f"/api/v1/drafts/{changed['id']}", as_="designer"))[
        "identical_to"] is None
    assert api.ok(api.get(f"/api/v1/drafts/{same['id']}", as_="designer"))["identical_to"] is None
    resp = api.post(f"/api/v1/drafts/{same['id']}/deploy", {}, as_="designer")
    assert "version 2 a été déployée depuis" in assert_problem(resp, 409)["detail"]
    again = api.ok(post_draft(api, renamed_volontaire()), 201)
    assert again["based_on"] == 2 and again["identical_to"] == 2
    document = api.ok(api.get("/api/v1/openapi.json"))
    field = document["components"]["schemas"]["Draft"]["properties"]["identical_to"]
    assert field["type"] == "integer" and field["nullable"] is True
    assert "identique" in field["description"]


def test_a_draft_whose_base_was_superseded_says_so_before_its_deploy(api):
    """`outdated_by`: the version deployed since the draft's base, whose deploy answers 409."""
    old = api.ok(post_draft(api, renamed_volontaire("Vérifier l'attestation")), 201)
    changed = api.ok(post_draft(api, renamed_volontaire()), 201)
    assert old["outdated_by"] is None and changed["outdated_by"] is None
    api.ok(api.post(f"/api/v1/drafts/{changed['id']}/deploy",
                    {"override": True, "reason": "libellé corrigé"}, as_="admin"), 201)
    view = api.ok(api.get(f"/api/v1/drafts/{old['id']}", as_="designer"))
    assert (view["based_on"], view["outdated_by"], view["identical_to"]) == (1, 2, None)
    listed = api.ok(api.get(f"/api/v1/processes/{KEY}/drafts", as_="designer"))["items"]
    assert {d["id"]: d["outdated_by"] for d in listed} == {old["id"]: 2, changed["id"]: None}
    with unchanged():
        resp = api.post(f"/api/v1/drafts/{old['id']}/deploy", {"override": True, "reason": "x"},
                        as_="admin")
    assert "version 2 a été déployée depuis" in assert_problem(resp, 409)["detail"]
    # a new draft from version 2 is current again
    again = api.ok(post_draft(api, renamed_volontaire("Vérifier l'attestation")), 201)
    assert (again["based_on"], again["outdated_by"]) == (2, None)
    document = api.ok(api.get("/api/v1/openapi.json"))
    field = document["components"]["schemas"]["Draft"]["properties"]["outdated_by"]
    assert field["type"] == "integer" and field["nullable"] is True


def test_a_draft_identical_to_the_live_version_is_not_deployed(api):
    draft = api.ok(post_draft(api, VOLONTAIRE), 201)
    resp = api.post(f"/api/v1/drafts/{draft['id']}/deploy", {"override": True, "reason": "x"},
                    as_="admin")
    assert "identique" in assert_problem(resp, 409)["detail"]


def test_unsafe_bytes_are_refused_and_nothing_is_stored(api):
    with unchanged():
        resp = post_draft(api, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>')
        assert_problem(resp, 422, "document")
        assert_problem(post_draft(api, b"<bpmn:definitions"), 422, "document")
        assert_problem(post_draft(api, b'<svg xmlns="http://www.w3.org/2000/svg"/>'), 422,
                       "document")
    assert db.session.scalar(select(func.count(ProcessDraft.id))) == 0


def test_a_test_run_never_writes_in_the_callers_database(api, app):
    """The sandbox has its own database: only the test-run row and the history change here."""
    app.config["SANDBOX_SYNC"] = True
    draft = api.ok(post_draft(api, renamed_volontaire()), 201)
    before = {t.name: db.session.execute(select(func.count()).select_from(t)).scalar()
              for t in db.metadata.sorted_tables}
    db.session.rollback()
    run = api.ok(api.post(f"/api/v1/drafts/{draft['id']}/test-runs",
                          {"features": ["sessions"]}, as_="designer"), 202)
    assert api.ok(api.get(f"/api/v1/test-runs/{run['id']}", as_="designer"))["status"] \
        == "reussi"
    after = {t.name: db.session.execute(select(func.count()).select_from(t)).scalar()
             for t in db.metadata.sorted_tables}
    changed = {t: (before[t], after[t]) for t in after if after[t] != before[t]}
    assert changed == {"draft_test_runs": (0, 1), "process_events": (before["process_events"],
                                                                     before["process_events"]
                                                                     + 1)}
    assert db.session.scalar(select(func.count(ProcessVersion.id))) == 2
    assert db.session.scalar(select(func.count(DraftTestRun.id))) == 1


def test_unknown_feature_is_422_naming_it(api):
    draft = api.ok(post_draft(api, renamed_volontaire()), 201)
    with unchanged():
        resp = api.post(f"/api/v1/drafts/{draft['id']}/test-runs",
                        {"features": ["volontaire", "inexistante"]}, as_="designer")
        assert_problem(resp, 422, "features.1")


def test_the_api_answers_at_once_and_the_run_finishes_in_the_background(api, app):
    assert not app.config["SANDBOX_SYNC"]
    draft = api.ok(post_draft(api, renamed_volontaire()), 201)
    run = api.ok(api.post(f"/api/v1/drafts/{draft['id']}/test-runs",
                          {"features": ["invalidation"]}, as_="designer"), 202)
    assert run["status"] in ("en_attente", "en_cours") and run["finished_at"] is None
    for _ in range(600):
        run = api.ok(api.get(f"/api/v1/test-runs/{run['id']}", as_="designer"))
        if run["status"] not in ("en_attente", "en_cours"):
            break
        time.sleep(0.5)
    assert run["status"] == "reussi", run
    assert run["summary"]["total"] == run["summary"]["passed"] > 0


def test_a_run_stuck_past_its_time_limit_is_reported_as_an_error(api, app):
    draft = api.ok(post_draft(api, renamed_volontaire()), 201)
    with transaction():
        run = scenario_runs.request_run(drafts.get(draft["id"]), [], "designer")
        run.status = scenario_runs.RUNNING
        run.started_at = clock().system_now() - dt.timedelta(
            seconds=app.config["SANDBOX_TIMEOUT"] + 600)
        run_id = run.id
    shown = api.ok(api.get(f"/api/v1/test-runs/{run_id}", as_="designer"))
    assert shown["status"] == "erreur" and "délai" in shown["message"]
    assert_problem(api.post(f"/api/v1/drafts/{draft['id']}/deploy", {}, as_="designer"), 409)


def test_a_draft_saved_valid_is_validated_again_before_its_sandbox_starts(api, app,
                                                                          monkeypatch):
    """Whatever the stored flag says (a rule tightened since the save, a row changed by hand),
    the sandbox process never starts on bytes that would not deploy."""
    app.config["SANDBOX_SYNC"] = True
    started = []
    monkeypatch.setattr(sandbox.subprocess, "Popen", lambda *a, **k: started.append(a))
    draft = api.ok(post_draft(api, renamed_volontaire()), 201)
    with transaction():
        db.session.get(ProcessDraft, draft["id"]).xml = VOLONTAIRE.replace(
            b'crediter_points("crediter", "")', b"__import__('os').system('id')", 1)
    run = api.ok(api.post(f"/api/v1/drafts/{draft['id']}/test-runs",
                          {"features": ["volontaire"]}, as_="designer"), 202)
    run = api.ok(api.get(f"/api/v1/test-runs/{run['id']}", as_="designer"))
    assert run["status"] == "erreur" and "Rien n'a été lancé" in run["message"]
    assert "import" in run["message"] and started == []


FORCED = {"override": True, "reason": "correctif urgent"}


def test_two_drafts_deployed_at_the_same_moment_one_wins_the_other_is_409(api, app):
    one = api.ok(post_draft(api, renamed_volontaire("un")), 201)
    two = api.ok(post_draft(api, renamed_volontaire("deux")), 201)
    admin = api.tokens["admin"]
    results = race(app, {d["id"]: (f"/api/v1/drafts/{d['id']}/deploy", FORCED, admin)
                         for d in (one, two)}).values()
    assert sorted(status for status, _ in results) == [201, 409], results
    loser = next(body for status, body in results if status == 409)
    assert loser["detail"] and loser["status"] == 409
    assert [v["version"] for v in versions_of(api)] == [1, 2]
    deployed = [e for e in events(api) if e["type"] == "deploiement_force"]
    assert len(deployed) == 1 and deployed[0]["version"] == 2


def test_an_upload_racing_a_draft_deploy_never_gives_a_500(api, app):
    draft = api.ok(post_draft(api, renamed_volontaire("brouillon")), 201)
    results = race(app, {
        "deploy": (f"/api/v1/drafts/{draft['id']}/deploy", FORCED, api.tokens["admin"]),
        "upload": (f"/api/v1/processes/{KEY}/versions", renamed_volontaire("téléversée"),
                   api.tokens["designer"]),
    })
    statuses = sorted(status for status, _ in results.values())
    assert statuses in ([201, 201], [201, 409]), results
    numbers = [v["version"] for v in versions_of(api)]
    assert numbers == list(range(1, 1 + statuses.count(201) + 1))
