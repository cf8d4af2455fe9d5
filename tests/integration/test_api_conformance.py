"""What API.md says of its fields and documents, checked where an audit found the answer
differed: each test names the line of API.md it holds the implementation to."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tests.helpers import d

PARIS = ZoneInfo("Europe/Paris")


def instant(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text is not None else None


def test_each_recorded_movement_says_when_it_was_recorded(api):
    """API.md: `movements: [{"kind", "points", "effective_on", "recorded_at", "ref"}]`. The
    licence's balance, a retrait and a course's credit were each recorded at an instant of the
    clock: `recorded_at` gives it (it was always null)."""
    number = "120175200123"
    api.set_today("02/09/2025")
    api.licence(number, obtained="01/09/2025")
    api.set_today("03/02/2026")
    infraction = api.infraction(number, "01/02/2026", points=3)
    api.set_today("10/03/2026")
    case = api.mandatory_case(number, infraction["id"], "10/03/2026")
    session = api.session("05/06/2026", "06/06/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(number, "present", "present")])
    api.attestation(case["id"], "06/06/2026")
    api.set_today("08/06/2026")
    api.complete(case["id"], "verification_attestation", decision="valider")

    movements = api.ok(api.get(f"/api/v1/licences/{number}"))["movements"]
    by_kind = {m["kind"]: m for m in movements}
    assert instant(by_kind["solde"]["recorded_at"]) == dt.datetime(2025, 9, 2, tzinfo=PARIS)
    assert by_kind["retrait"]["ref"] == f"infraction:{infraction['id']}"
    assert instant(by_kind["retrait"]["recorded_at"]) == dt.datetime(2026, 2, 3, tzinfo=PARIS)
    assert by_kind["stage"]["effective_on"] == d("07/06/2026")
    assert instant(by_kind["stage"]["recorded_at"]) == dt.datetime(2026, 6, 8, tzinfo=PARIS)


def test_the_document_describes_the_bpmn_bodies_and_downloads(api):
    """API.md: `POST /processes/{key}/versions`: "BPMN XML body (application/xml), or multipart
    with .bpmn and .dmn files"; `GET /processes/{key}/versions/{n}`: "the BPMN XML
    (application/xml)". The document described neither the body nor the answer's type."""
    spec = api.ok(api.get("/api/v1/openapi.json", as_=None))
    paths = spec["paths"]
    for path in ("/api/v1/processes/{key}/versions", "/api/v1/processes/{key}/drafts"):
        body = paths[path]["post"]["requestBody"]
        assert body["required"] is True
        assert {"application/xml", "multipart/form-data", "application/zip"} == set(
            body["content"]), path
    served = api.get("/api/v1/processes/stage_obligatoire/versions/1", as_="designer")
    assert served.status_code == 200 and served.mimetype == "application/xml"
    downloads = {"/api/v1/processes/{key}/versions/{number}": "application/xml",
                 "/api/v1/drafts/{draft_id}/xml": "application/xml",
                 "/api/v1/processes/{key}/versions/{number}/bundle": "application/zip",
                 "/api/v1/drafts/{draft_id}/bundle": "application/zip"}
    for path, mimetype in downloads.items():
        assert list(paths[path]["get"]["responses"]["200"]["content"]) == [mimetype], path


def test_the_document_gives_instants_and_amounts_their_types(api):
    """API.md: instants are ISO 8601 with offset (`GET /clock`'s `now`, a timer's `due_at`);
    a fine is `{"amount": 135, "kind", "paid_on"}` and a refund `{"eligible", "amount",
    "request_deadline"}` or `{"eligible", "rule", "reason"}`: the document said only "string"
    and "object", and the infraction answered 135.0 for a fine of 135."""
    schemas = api.ok(api.get("/api/v1/openapi.json", as_=None))["components"]["schemas"]
    assert schemas["Clock"]["properties"]["now"]["format"] == "date-time"
    assert schemas["Timer"]["properties"]["due_at"]["format"] == "date-time"
    infraction_fine = schemas["Infraction"]["properties"]["fine"]
    fine = schemas[next(s["$ref"] for s in infraction_fine["anyOf"] if "$ref" in s)
                   .rsplit("/", 1)[1]]
    assert fine["properties"]["amount"]["type"] == "number"
    assert fine["properties"]["paid_on"]["format"] == "date"
    refund_field = schemas["Outcome"]["properties"]["refund"]
    refund = schemas[next(s["$ref"] for s in refund_field["anyOf"] if "$ref" in s)
                     .rsplit("/", 1)[1]]
    assert {"eligible", "amount", "request_deadline", "rule", "reason"} == set(
        refund["properties"])

    api.licence("120175200123")
    infraction = api.infraction("120175200123", "01/02/2026", points=3, fine=135)
    assert infraction["fine"]["amount"] == 135 and isinstance(infraction["fine"]["amount"], int)
    assert infraction["fine"]["paid_on"] == d("01/02/2026")


def test_a_voluntary_case_refuses_an_infraction_or_a_48n(api):
    """API.md: a voluntary case is `{"kind": "volontaire", "licence": "..."}`. An infraction
    or a 48N sent with it was silently dropped and a voluntary case opened (201): it is a
    422 naming the field, and nothing is opened."""
    api.licence("120175200123")
    infraction = api.infraction("120175200123", "01/02/2026", points=3)
    api.set_today("10/03/2026")
    letter = {"sent_on": d("05/03/2026"), "receipt": "signed", "received_on": d("10/03/2026")}
    for extra in ({"infraction": infraction["id"]}, {"letter_48n": letter}):
        resp = api.post("/api/v1/cases", {"kind": "volontaire", "licence": "120175200123",
                                          **extra})
        assert resp.status_code == 422, resp.get_json()
        assert resp.content_type == "application/problem+json"
        assert list(resp.get_json()["errors"]) == list(extra)
    assert api.ok(api.get("/api/v1/cases"))["total"] == 0
    # null stays "not given"
    api.ok(api.post("/api/v1/cases", {"kind": "volontaire", "licence": "120175200123",
                                      "infraction": None, "letter_48n": None}), 201)


def test_a_session_refused_for_its_days_and_its_centre_names_both(api):
    """API.md: a 422 has "errors, one entry per bad field". A session on days that are not
    consecutive (D12) at a centre whose agrément has expired (R23) named the days only."""
    api.post("/api/v1/centres", {"agrement": "R2407500011", "name": "Centre expiré",
                                 "departement": "75", "valid_until": "2024-05-01"}, expect=201)
    api.set_today("01/05/2026")
    resp = api.post("/api/v1/sessions", {"centre": "R2407500011", "day1": d("05/06/2026"),
                                         "day2": d("08/06/2026"), "capacity": 20})
    assert resp.status_code == 422
    body = resp.get_json()
    assert set(body["errors"]) == {"day2", "centre"}
    assert "D12" in body["detail"] and "R23" in body["detail"]
    assert api.ok(api.get("/api/v1/sessions"))["total"] == 0


def test_a_48n_with_several_problems_names_each_field(api):
    """API.md: one entry per bad field. A 48N sent in the future (after the clock's today)
    with a receipt date although it came back NPAI (D11) named one field only."""
    api.licence("120175200123")
    infraction = api.infraction("120175200123", "01/02/2026", points=3)
    api.set_today("01/05/2026")
    resp = api.post("/api/v1/cases", {
        "kind": "obligatoire", "licence": "120175200123", "infraction": infraction["id"],
        "letter_48n": {"sent_on": d("05/06/2026"), "receipt": "npai",
                       "received_on": d("08/06/2026")}})
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert set(errors) == {"letter_48n.sent_on", "letter_48n.received_on"}
    assert any("NPAI" in m for m in errors["letter_48n.received_on"])
    assert api.ok(api.get("/api/v1/cases"))["total"] == 0


def test_the_clock_in_system_mode_cannot_be_set(api, database_url):
    """API.md: `PUT /clock` sets the manual clock; in CLOCK_MODE=system there is none to set: a
    409 in French, the clock and the admins' journal unchanged."""
    from app import create_app
    from services.db import db

    journal_before = api.ok(api.get("/api/v1/admin/events"))["total"]
    system = create_app({"DATABASE_URL": database_url, "CLOCK_MODE": "system",
                         "SECRET_KEY": "test", "TESTING": True})
    client = system.test_client()
    headers = {"Authorization": f"Bearer {api.tokens['admin']}"}
    with system.app_context():
        resp = client.put("/api/v1/clock", json={"today": "2031-01-01"}, headers=headers)
        shown = client.get("/api/v1/clock",
                           headers={"Authorization": f"Bearer {api.tokens['agent']}"})
        db.session.remove()
    assert resp.status_code == 409 and resp.mimetype == "application/problem+json"
    assert "mode manuel" in resp.get_json()["detail"]
    assert shown.get_json()["mode"] == "system" and shown.get_json()["today"] != "2031-01-01"
    assert api.ok(api.get("/api/v1/clock"))["today"] != "2031-01-01"  # the manual one neither
    assert api.ok(api.get("/api/v1/admin/events"))["total"] == journal_before
