"""`flask processes test`: the same sandbox as the API, run at once, a French summary per
scenario, exit code 0 only when every scenario passes."""

from __future__ import annotations

import pytest

from services.db import db
from tests.designer_support import VOLONTAIRE, renamed_volontaire, xml_headers


@pytest.fixture
def runner(api, app):
    return app.test_cli_runner()


def test_a_draft_tested_from_the_command_line_can_then_be_deployed(api, runner, tmp_path):
    draft = api.ok(api.request("POST", "/api/v1/processes/stage_volontaire/drafts",
                               as_="designer", raw=renamed_volontaire(), headers=xml_headers()),
                   201)
    result = runner.invoke(args=["processes", "test", "--draft", str(draft["id"]),
                                 "--feature", "invalidation"])
    assert result.exit_code == 0, result.output
    assert "[réussi] invalidation — " in result.output
    assert "0 échoué(s)" in result.output and ": reussi." in result.output
    db.session.remove()
    run = api.ok(api.get(f"/api/v1/drafts/{draft['id']}", as_="designer"))["last_test_run"]
    assert run["status"] == "reussi" and run["requested_by"] == "cli"
    assert run["features"] == ["invalidation"]
    version = api.ok(api.post(f"/api/v1/drafts/{draft['id']}/deploy", {}, as_="designer"), 201)
    assert version["version"] == 2 and version["override"] is None


def test_an_invalid_file_is_refused_before_any_run(runner, tmp_path):
    broken = tmp_path / "stage_volontaire.bpmn"
    broken.write_bytes(VOLONTAIRE.replace(b'"verification_attestation"', b'"autre"'))
    result = runner.invoke(args=["processes", "test", str(broken)])
    assert result.exit_code == 1
    assert "verification_attestation" in result.output and "Scénarios joués" not in result.output


def test_unknown_feature_and_usage_errors(runner, tmp_path):
    shipped = tmp_path / "stage_volontaire.bpmn"
    shipped.write_bytes(VOLONTAIRE)
    result = runner.invoke(args=["processes", "test", str(shipped), "--feature", "absente"])
    assert result.exit_code == 1 and "absente" in result.output
    assert runner.invoke(args=["processes", "test"]).exit_code == 2
    both = runner.invoke(args=["processes", "test", str(shipped), "--draft", "1"])
    assert both.exit_code == 2 and "soit" in both.output
    missing = runner.invoke(args=["processes", "test", "--draft", "999"])
    assert missing.exit_code == 1 and "999" in missing.output
