"""The OpenAPI document lists the values of every field the code fills from a closed set (a
case's status and kind, its outcome, a 48N's receipt, a task's state, a session's and an
enrolment's status, attendance, movements…) as the field's `enum`, in requests and answers,
taken from the code's own constants; and the answers of real journeys stay within them."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from services import admin_log, cases, outbox, sessions, settings, statistics, tasks
from services.design import process_history, sandbox, scenario_runs
from services.rules import dates as rdates
from services.rules import eligibility, ledger, refund
from tests.helpers import d
from web import labels

# API.md's own lists, where it gives one
API_MD = {
    "kind": ["obligatoire", "volontaire"],
    "probation": ["classic", "aac", "none"],
    "receipt": ["signed", "unclaimed", "npai"],
    "offence_class": ["C1", "C2", "C3", "C4", "C5", "delit"],
    "fine_kind": ["forfaitaire", "majoree", "judiciaire", "composition_penale"],
    "movement": ["solde", "retrait", "majoration", "stage", "restitution"],
    "session": ["planned", "held", "cancelled"],
    "attendance": ["present", "absent", "late"],
    "obligation": ["pending", "met", "not_met", "manual_review"],
    "referral": ["candidate", "referred", "not_referred"],
    "clock": ["system", "manual"],
}
# open sets named like codes: a case's `status` may be one a version's diagram names
# (`code_statut`, docs/process-bundle.md), so it lists no enum, in answers or as a filter
OPEN = {("Case", "status"), ("CaseSummary", "status"), ("MigratedCase", "status"),
        ("/api/v1/cases", "status"), ("/api/v1/cases/export", "status")}
TEST_RUNS = [scenario_runs.WAITING, scenario_runs.RUNNING, scenario_runs.PASSED,
             scenario_runs.FAILED, scenario_runs.ERROR]

# (component, property) → the code's constant; None in the enum iff the field is nullable
CLOSED = {
    ("LicenceIn", "probation"): rdates.PROBATIONS,
    ("Licence", "probation"): rdates.PROBATIONS,
    ("Movement", "kind"): labels.MOVEMENT_LABELS,
    ("Fine", "kind"): refund.FINE_KINDS,
    ("FineOut", "kind"): refund.FINE_KINDS,
    ("InfractionIn", "offence_class"): ledger.OFFENCE_CLASSES,
    ("Infraction", "offence_class"): ledger.OFFENCE_CLASSES,
    ("Session", "status"): sessions.STATUSES,
    ("EnrollmentView", "status"): sessions.ENROLMENT_STATUSES,
    ("EnrollmentView", "day1"): eligibility.ATTENDANCE,
    ("EnrollmentView", "day2"): eligibility.ATTENDANCE,
    ("AttendanceRecord", "day1"): eligibility.ATTENDANCE,
    ("AttendanceRecord", "day2"): eligibility.ATTENDANCE,
    ("Letter", "receipt"): labels.RECEIPT_LABELS,
    ("CaseIn", "kind"): cases.PROCESS_BY_KIND,
    ("Case", "kind"): cases.PROCESS_BY_KIND,
    ("CaseSummary", "kind"): cases.PROCESS_BY_KIND,
    ("CaseSummary", "obligation"): labels.OBLIGATION_LABELS,
    ("CaseSummary", "referral"): labels.REFERRAL_LABELS,
    ("MigratedCase", "kind"): cases.PROCESS_BY_KIND,
    ("Outcome", "obligation"): labels.OBLIGATION_LABELS,
    ("Outcome", "referral"): labels.REFERRAL_LABELS,
    ("Task", "state"): tasks.STATES,
    ("Clock", "mode"): settings.CLOCK_MODES,
    ("ProcessEvent", "type"): process_history.TYPES,
    ("TestRun", "status"): TEST_RUNS,
    ("Scenario", "status"): sandbox.SCENARIO_STATUSES,
    ("HeatmapStep", "kind"): statistics.HEATMAP_KINDS,
    ("OutboxJob", "status"): outbox.STATUS_LABELS,
    ("AdminEvent", "type"): admin_log.LABELS,
}
NULLABLE = {("EnrollmentView", "day1"), ("EnrollmentView", "day2"), ("Outcome", "obligation"),
            ("Outcome", "referral"), ("CaseSummary", "obligation"),
            ("CaseSummary", "referral")}
# (path, query parameter) → the code's constant
CLOSED_QUERY = {
    ("/api/v1/tasks", "state"): tasks.STATES,
    ("/api/v1/tasks/export", "state"): tasks.STATES,
    ("/api/v1/outbox", "status"): outbox.STATUS_LABELS,
    ("/api/v1/admin/events", "type"): admin_log.LABELS,
}
# a string property of one of these names is a code from a closed set wherever it appears
CODE_NAMES = {"status", "state", "kind", "receipt", "obligation", "referral", "probation",
              "offence_class", "mode", "day1", "day2"}


@pytest.fixture
def spec(api):
    return api.ok(api.get("/api/v1/openapi.json", as_=None))


def resolve(spec, node):
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        node = spec["components"]["schemas"][name]
    return node


def test_the_codes_constants_are_those_api_md_lists():
    assert list(cases.PROCESS_BY_KIND) == API_MD["kind"]
    assert list(rdates.PROBATIONS) == API_MD["probation"]
    assert list(labels.RECEIPT_LABELS) == API_MD["receipt"]
    assert list(ledger.OFFENCE_CLASSES) == API_MD["offence_class"]
    assert list(refund.FINE_KINDS) == API_MD["fine_kind"]
    assert list(labels.MOVEMENT_LABELS) == API_MD["movement"]
    assert list(sessions.STATUSES) == API_MD["session"]
    assert list(eligibility.ATTENDANCE) == API_MD["attendance"]
    assert list(labels.OBLIGATION_LABELS) == API_MD["obligation"]
    assert list(labels.REFERRAL_LABELS) == API_MD["referral"]
    assert list(settings.CLOCK_MODES) == API_MD["clock"]


def test_each_closed_field_lists_the_codes_constant_as_its_enum(spec):
    schemas = spec["components"]["schemas"]
    for (component, name), constant in CLOSED.items():
        prop = schemas[component]["properties"][name]
        nullable = (component, name) in NULLABLE
        assert prop.get("enum") == list(constant) + ([None] if nullable else []), (
            component, name, prop)
        assert prop.get("nullable", False) is nullable, (component, name)
    buckets = schemas["TasksByAge"]["properties"]["buckets"]["items"]
    assert buckets["enum"] == [label for label, _lower in statistics.AGE_BUCKETS]
    for (path, name), constant in CLOSED_QUERY.items():
        param = next(p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name)
        assert [v for v in param["schema"]["enum"] if v is not None] == list(constant), (
            path, name)


def test_no_code_field_is_a_plain_string(spec):
    """Every string property (no format) or query parameter named like a code (`status`,
    `state`, `kind`, `receipt`, `obligation`…) lists its values: a new schema that forgets
    fails here."""
    plain = []
    for component, schema in spec["components"]["schemas"].items():
        for name, prop in schema.get("properties", {}).items():
            prop = resolve(spec, prop)
            if (name in CODE_NAMES and prop.get("type") == "string" and "format" not in prop
                    and "enum" not in prop and (component, name) not in OPEN):
                plain.append(f"{component}.{name}")
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for param in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if (param["name"] in CODE_NAMES and "enum" not in param["schema"]
                        and (path, param["name"]) not in OPEN):
                    plain.append(f"{method.upper()} {path} ?{param['name']}")
    assert plain == []
    # and the check itself sees one
    assert "enum" not in resolve(spec, spec["components"]["schemas"]["Case"])[
        "properties"]["status_label"]


def test_a_code_helper_field_refuses_another_value_in_a_request():
    from web.api.schemas import code

    assert code(("a", "b")).deserialize("a") == "a"
    with pytest.raises(ValidationError, match="valeurs possibles"):
        code(("a", "b")).deserialize("c")


def test_a_case_status_is_an_open_set(api, spec):
    """A version's diagram may name its own status codes (`code_statut`): the document lists
    none as an enum, and a filter on a code no case has is an empty page, not a 422."""
    schemas = spec["components"]["schemas"]
    for component, name in OPEN:
        if component.startswith("/"):
            param = next(p for p in spec["paths"][component]["get"]["parameters"]
                         if p["name"] == name)
            assert "enum" not in param["schema"]
        else:
            assert "enum" not in schemas[component]["properties"][name]
            assert "code_statut" in schemas[component]["properties"][name]["description"]
    api.licence("120175200123", obtained="01/01/2015", probation="none", points=8,
                on="01/01/2025")
    api.voluntary_case("120175200123")
    assert api.ok(api.get("/api/v1/cases", status=""))["total"] == 1
    assert api.ok(api.get("/api/v1/cases", status="en_attente_inscription"))["total"] == 1
    assert api.ok(api.get("/api/v1/cases", status="en_attente_d_appel"))["total"] == 0


# ---- the answers of journeys stay within the document's enums -------------------------------

def enum_violations(spec, schema, value, where, seen):
    """The values of `value` outside the enum its schema declares, walking nested objects,
    lists and nullable references; `seen` collects (where, value) of each enum checked."""
    schema = resolve(spec, schema)
    if value is None:
        return []
    if "anyOf" in schema:
        refs = [s for s in schema["anyOf"] if "$ref" in s or "properties" in s]
        return enum_violations(spec, refs[0], value, where, seen) if refs else []
    out = []
    if "enum" in schema:
        seen.append((where, value))
        if value not in schema["enum"]:
            out.append(f"{where} = {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                out += enum_violations(spec, sub, value[name], f"{where}.{name}", seen)
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            out += enum_violations(spec, schema["items"], item, f"{where}[]", seen)
    return out


def answer_schema(spec, path, method="get", status="200"):
    content = spec["paths"][path][method]["responses"][status]["content"]
    return content["application/json"]["schema"]


def test_journey_answers_only_hold_documented_values(api, spec):
    """A mandatory case through a held session (one trainee late: no attestation), its
    attestation checked and its points credited; a voluntary case whose session is cancelled;
    a referral candidate; then the case, the case list, the task lists (every state), the
    sessions and the licence's movements, each checked against its answer's schema."""
    number = "120175200123"
    api.licence(number, obtained="01/09/2025")
    inf = api.infraction(number, "01/02/2026", points=3)
    api.set_today("10/03/2026")
    case = api.mandatory_case(number, inf["id"], "10/03/2026")
    unattended = "120175200777"  # its deadline passes without a course: a referral candidate
    api.licence(unattended, obtained="01/09/2025")
    inf2 = api.infraction(unattended, "01/02/2026", points=3)
    referral = api.mandatory_case(unattended, inf2["id"], "10/03/2026")
    held = api.session("05/06/2026", "06/06/2026")
    api.enroll(case["id"], held["id"])
    late = api.filler_number()
    api.licence(late, obtained="01/01/2015", probation="none", points=8, on="01/01/2025")
    late_case = api.voluntary_case(late)
    api.enroll(late_case["id"], held["id"])
    other = "120175200456"
    api.licence(other, obtained="01/01/2015", probation="none", points=8, on="01/01/2025")
    voluntary = api.voluntary_case(other)
    cancelled = api.session("12/06/2026", "13/06/2026", fill=0)
    api.enroll(voluntary["id"], cancelled["id"])
    api.ok(api.post(f"/api/v1/sessions/{cancelled['id']}/cancel",
                    {"on": d("10/03/2026"), "reason": "effectif insuffisant"}))
    api.set_today("06/06/2026")
    api.attendance(held["id"], [(number, "present", "present"), (late, "present", "late")])
    api.attestation(case["id"], "06/06/2026")
    api.complete(case["id"], "verification_attestation", decision="valider")
    api.set_today("11/07/2026")
    api.run_timers()

    checked, seen = [], []
    answers = [
        ("/api/v1/cases/{case_id}", f"/api/v1/cases/{case['id']}", {}),
        ("/api/v1/cases/{case_id}", f"/api/v1/cases/{voluntary['id']}", {}),
        ("/api/v1/cases/{case_id}", f"/api/v1/cases/{referral['id']}", {}),
        ("/api/v1/cases", "/api/v1/cases", {"per_page": 200}),
        ("/api/v1/tasks", "/api/v1/tasks", {"state": "open"}),
        ("/api/v1/tasks", "/api/v1/tasks", {"state": "completed"}),
        ("/api/v1/sessions/{session_id}", f"/api/v1/sessions/{held['id']}", {}),
        ("/api/v1/sessions/{session_id}", f"/api/v1/sessions/{cancelled['id']}", {}),
        ("/api/v1/sessions", "/api/v1/sessions", {}),
        ("/api/v1/licences/{number}", f"/api/v1/licences/{number}", {}),
        ("/api/v1/clock", "/api/v1/clock", {}),
    ]
    for template, url, query in answers:
        body = api.ok(api.get(url, **query))
        checked += enum_violations(spec, answer_schema(spec, template), body, url, seen)
    assert checked == []
    values = {(where.split(".", 1)[-1], value) for where, value in seen}
    # the journeys reached the values this test is about (it is not checking empty lists)
    for expected in [("kind", "volontaire"),
                     ("outcome.obligation", "met"), ("outcome.referral", "candidate"),
                     ("letter_48n.receipt", "signed"), ("items[].state", "completed"),
                     ("items[].state", "open"), ("status", "held"), ("status", "cancelled"),
                     ("enrollments[].status", "attended"), ("enrollments[].day2", "late"),
                     ("movements[].kind", "stage"), ("movements[].kind", "retrait"),
                     ("probation", "classic"), ("mode", "manual")]:
        assert expected in values, (expected, sorted(values))


def test_a_case_answer_outside_the_enum_is_seen(spec):
    """The walk of `enum_violations` reports a value the document does not list."""
    body = {"kind": "inconnu", "status": "un_code_du_diagramme",
            "outcome": {"obligation": "peut-etre", "referral": None},
            "letter_48n": {"receipt": "dematerialised"}}
    found = enum_violations(spec, answer_schema(spec, "/api/v1/cases/{case_id}"), body, "case",
                            [])
    assert len(found) == 3, found  # the status is an open set: not one of them
