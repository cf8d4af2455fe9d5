"""A JSON endpoint sent another kind of body is told so (400), not that every field is missing;
the two upload endpoints keep their XML, multipart and zip bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from web.api.uploads import UPLOAD_ENDPOINTS


def test_the_upload_endpoints_exist(app):
    assert UPLOAD_ENDPOINTS <= set(app.view_functions)


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain",
                                          None])
def test_a_licence_sent_as_another_type_is_a_400_naming_json(api, content_type):
    body = json.dumps({"number": "120175200301"})
    # `raw` is sent as JSON unless the headers say otherwise; None: no Content-Type at all
    resp = api.request("POST", "/api/v1/licences", raw=body,
                       headers={"Content-Type": content_type or ""})
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    assert "Content-Type: application/json" in resp.get_json()["detail"]
    assert api.get("/api/v1/licences/120175200301").status_code == 404  # nothing stored


def test_an_empty_body_still_names_the_missing_fields(api):
    resp = api.request("POST", "/api/v1/licences", raw=b"", headers={"Content-Type": "text/plain"})
    assert resp.status_code == 422
    assert "number" in resp.get_json()["errors"]


def test_a_bpmn_upload_is_still_xml(api):
    xml = (Path(__file__).resolve().parents[2] / "bpmn" / "stage_volontaire.bpmn").read_bytes()
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/drafts", raw=xml,
                       as_="designer", headers={"Content-Type": "application/xml"})
    assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
