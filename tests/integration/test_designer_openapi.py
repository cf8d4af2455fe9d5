"""The OpenAPI document describes the designers' endpoints (docs/designers.md)."""

from __future__ import annotations

PATHS = {
    "/api/v1/processes": {"get"},
    "/api/v1/processes/{key}/versions": {"post"},
    "/api/v1/processes/{key}/versions/{number}": {"get"},
    "/api/v1/processes/{key}/versions/{number}/diff": {"get"},
    "/api/v1/processes/{key}/versions/{number}/migrations": {"get", "post"},
    "/api/v1/processes/{key}/events": {"get"},
    "/api/v1/processes/{key}/drafts": {"get", "post"},
    "/api/v1/drafts/{draft_id}": {"get"},
    "/api/v1/drafts/{draft_id}/xml": {"get"},
    "/api/v1/drafts/{draft_id}/diff": {"get"},
    "/api/v1/drafts/{draft_id}/test-runs": {"post"},
    "/api/v1/drafts/{draft_id}/deploy": {"post"},
    "/api/v1/test-runs/{run_id}": {"get"},
    "/api/v1/cases/{case_id}/migration": {"post"},
}


def test_openapi_lists_every_designer_endpoint_with_its_schemas(api):
    spec = api.ok(api.get("/api/v1/openapi.json", as_=None))
    for path, methods in PATHS.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]), (path, spec["paths"][path].keys())
    schemas = spec["components"]["schemas"]
    assert {"Draft", "TestRun", "Diff", "ProcessVersion", "MigrationCandidate",
            "BulkMigration", "ProcessEvent"} <= set(schemas)
    assert {"draft", "override"} <= set(schemas["ProcessVersion"]["properties"])
    assert "from" in schemas["Diff"]["properties"]
    assert "202" in spec["paths"]["/api/v1/drafts/{draft_id}/test-runs"]["post"]["responses"]
    page = api.get("/api/v1/docs", as_=None)
    assert page.status_code == 200 and b"/api/v1/drafts/{draft_id}/deploy" in page.data
