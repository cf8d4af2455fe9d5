"""A centre operator reaches its own centre and its own sessions, and a case only through a
licence number enrolled in one of its sessions (issue 12, item 1).

The policy: to a centre user, whatever is not its own (another centre's, nobody's, unknown) gets
the same 403 with the same detail, so neither the status nor the message tells it apart; every
`/cases/...` endpoint is a 403 whatever the id. Enrolling by licence number on its own session
gives one 422 for an unknown licence and for every licence whose case it may not enrol."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from services.centre_access import DENIED
from services.db import db, transaction
from services.models import Case
from tests.api_errors_support import CENTRE, NUM, OTHER_CENTRE, assert_problem, unchanged
from tests.ui_support import UiClient, field_errors, text

UNKNOWN_ID = 987654
UNKNOWN_CENTRE = "R9999999999"
OWN_ENROLLED = "120175200301"   # enrolled in the centre's own session
ELSEWHERE = "120175200302"      # enrolled in the other centre's session
CLOSED = "120175200303"         # its only case is closed
INVALIDATED = "120175200304"    # a waiting case, but the licence is invalidated (R42)
REVIEWED = "120175200306"       # a mandatory case under manual review (48SI, Q8): a task
NO_CASE = "120175200305"        # a licence with no case
UNKNOWN_NUM = "999999999999"    # no such licence
SESSION_KEYS = {"id", "centre", "day1", "day2", "capacity", "driving_sequence", "status",
                "cancelled_on", "cancel_reason", "enrollments", "flags"}
ENROLLMENT_KEYS = {"case", "licence", "status", "day1", "day2", "attestation_issued_on"}


class World:
    """centre75's session `own`, centre93's session `other`, and cases in every state a centre
    could probe: waiting (nobody's), enrolled with it, enrolled elsewhere, closed, invalidated."""

    def __init__(self, api):
        self.api = api
        api.set_today("02/03/2026")
        self.own = api.session("05/06/2026", "06/06/2026", fill=0)
        self.other = api.session("12/06/2026", "13/06/2026", centre=OTHER_CENTRE, fill=0)
        self.waiting = self._mandatory(NUM)
        self.own_enrolled = self._voluntary(OWN_ENROLLED)
        api.enroll(self.own_enrolled["id"], self.own["id"])
        self.elsewhere = self._voluntary(ELSEWHERE)
        api.enroll(self.elsewhere["id"], self.other["id"])
        self.closed = self._voluntary(CLOSED)
        with transaction():  # the state is what matters here, not how the case got there
            case = db.session.get(Case, self.closed["id"])
            case.closed, case.status = True, "clos"
        self.invalidated = self._voluntary(INVALIDATED)
        self.reviewed = self._mandatory(REVIEWED)
        for number in (INVALIDATED, REVIEWED):
            api.ok(api.post(f"/api/v1/licences/{number}/invalidation",
                            {"decision_on": "2026-02-25", "notified_on": "2026-03-01"}), 201)
        with transaction():  # back to waiting (as after a review): R42 then refuses it
            db.session.get(Case, self.invalidated["id"]).status = "en_attente_inscription"
        assert_problem(api.post(f"/api/v1/cases/{self.invalidated['id']}/enrollment",
                                {"session": self.own["id"]}, as_="agent"), 409, rule="R42")
        api.licence(NO_CASE, obtained="01/01/2015", probation="none", points=8, on="01/01/2025")
        # every case a centre may not reach, and an id that is nobody's
        self.case_ids = [self.waiting["id"], self.own_enrolled["id"], self.elsewhere["id"],
                         self.closed["id"], self.invalidated["id"], self.reviewed["id"],
                         UNKNOWN_ID]
        self.foreign_sessions = [self.other["id"], UNKNOWN_ID]

    def _mandatory(self, number):
        self.api.licence(number)
        inf = self.api.infraction(number, "01/02/2026", points=3)
        return self.api.mandatory_case(number, inf["id"], "02/03/2026")

    def _voluntary(self, number):
        self.api.licence(number, obtained="01/01/2015", probation="none", points=8,
                         on="01/01/2025")
        return self.api.voluntary_case(number)


@pytest.fixture
def w(api):
    return World(api)


def same_denial(responses) -> dict:
    """Every response is the centre's one 403, word for word."""
    bodies = [assert_problem(resp, 403) for resp in responses]
    assert all(b == bodies[0] for b in bodies), bodies
    assert "errors" not in bodies[0]
    return bodies[0]


def centre_post(api, path, body):
    return api.post(path, body, as_="centre75")


# ---- the cases: never, whatever the id ---------------------------------------------------------

def test_enrolling_any_case_by_id_is_the_same_403_and_stores_nothing(w):
    with unchanged():
        same_denial([centre_post(w.api, f"/api/v1/cases/{cid}/enrollment",
                                 {"session": w.own["id"]}) for cid in w.case_ids])
    assert w.api.case(w.waiting["id"])["status"] == "en_attente_inscription"


@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("GET", "", None),
    ("GET", "/events", None),
    ("POST", "/attestation", {"received_on": "2026-03-02"}),
    ("POST", "/migration", {"version": 1}),
], ids=["get", "events", "attestation", "migration"])
def test_every_case_endpoint_is_the_same_403_whatever_the_id(w, method, suffix, body):
    with unchanged():
        same_denial([w.api.request(method, f"/api/v1/cases/{cid}{suffix}", body,
                                   as_="centre75") for cid in w.case_ids])


def test_the_case_list_and_search_are_403(w):
    for query in ({}, {"licence": NUM}, {"q": "Martin"}):
        assert_problem(w.api.get("/api/v1/cases", as_="centre75", **query), 403)


# ---- the centres -------------------------------------------------------------------------------

def test_another_or_an_unknown_centre_is_the_same_403(w):
    assert w.api.ok(w.api.get(f"/api/v1/centres/{CENTRE}", as_="centre75"))["agrement"] == CENTRE
    body = same_denial([w.api.get(f"/api/v1/centres/{a}", as_="centre75")
                        for a in (OTHER_CENTRE, UNKNOWN_CENTRE)])
    assert body["detail"] == DENIED


def test_creating_a_session_for_another_or_an_unknown_centre_is_the_same_403(w):
    session = {"day1": "2026-06-19", "day2": "2026-06-20", "capacity": 12}
    with unchanged():
        same_denial([centre_post(w.api, "/api/v1/sessions", dict(session, centre=a))
                     for a in (OTHER_CENTRE, UNKNOWN_CENTRE)])
    created = w.api.ok(centre_post(w.api, "/api/v1/sessions", dict(session, centre=CENTRE)), 201)
    assert created["centre"] == CENTRE


# ---- the sessions ------------------------------------------------------------------------------

def test_the_session_list_holds_only_its_own_sessions(w):
    for query in ({}, {"centre": CENTRE}, {"centre": OTHER_CENTRE},
                  {"centre": UNKNOWN_CENTRE}):
        page = w.api.ok(w.api.get("/api/v1/sessions", as_="centre75", **query))
        assert {s["id"] for s in page["items"]} <= {w.own["id"]}, query
        assert all(s["centre"] == CENTRE for s in page["items"]), query
    assert w.api.ok(w.api.get("/api/v1/sessions", as_="centre75"))["total"] == 1
    # another centre's filter and an unknown one answer alike: nothing
    assert w.api.ok(w.api.get("/api/v1/sessions", as_="centre75", centre=OTHER_CENTRE)) == \
        w.api.ok(w.api.get("/api/v1/sessions", as_="centre75", centre=UNKNOWN_CENTRE))


@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("GET", "", None),
    ("POST", "/cancel", {"on": "2026-03-02", "reason": "effectif insuffisant"}),
    ("POST", "/attendance", {"records": [{"licence": ELSEWHERE, "day1": "present",
                                          "day2": "present"}]}),
    ("POST", "/enrollment", {"licence": NUM}),
], ids=["get", "cancel", "attendance", "enrollment"])
def test_another_centres_or_an_unknown_session_is_the_same_403(w, method, suffix, body):
    with unchanged():
        denial = same_denial([w.api.request(method, f"/api/v1/sessions/{sid}{suffix}", body,
                                            as_="centre75") for sid in w.foreign_sessions])
    assert denial["detail"] == DENIED


def test_unknown_session_stays_404_for_a_clerk(w):
    assert_problem(w.api.get(f"/api/v1/sessions/{UNKNOWN_ID}", as_="agent"), 404)
    assert_problem(w.api.post(f"/api/v1/sessions/{UNKNOWN_ID}/enrollment", {"licence": NUM},
                              as_="agent"), 404)


def test_its_own_session_shows_its_trainees_and_nothing_of_their_cases(w):
    session = w.api.ok(w.api.get(f"/api/v1/sessions/{w.own['id']}", as_="centre75"))
    assert set(session) == SESSION_KEYS
    assert [e["licence"] for e in session["enrollments"]] == [OWN_ENROLLED]
    for enrollment in session["enrollments"]:
        assert set(enrollment) == ENROLLMENT_KEYS  # no holder, outcome, deadline nor refund


# ---- enrolment by licence number, on its own session -------------------------------------------

def test_a_centre_enrols_a_waiting_case_by_its_licence_number(w):
    resp = centre_post(w.api, f"/api/v1/sessions/{w.own['id']}/enrollment", {"licence": NUM})
    session = w.api.ok(resp)
    assert set(session) == SESSION_KEYS  # the session, not the case
    assert {e["licence"] for e in session["enrollments"]} == {OWN_ENROLLED, NUM}
    assert w.api.case(w.waiting["id"])["status"] == "inscrit"
    events = w.api.ok(w.api.get(f"/api/v1/cases/{w.waiting['id']}/events"))["items"]
    assert events[-1]["actor"] == "centre75" and events[-1]["type"] == "inscription"


@pytest.mark.parametrize("as_", ["centre75", "agent"])
def test_no_enrollable_case_is_one_422_whatever_the_reason(w, as_):
    """Unknown licence, no case, closed, enrolled elsewhere or here, invalidated (R42), under
    manual review: one answer, that names only the licence typed."""
    path = f"/api/v1/sessions/{w.own['id']}/enrollment"
    with unchanged():
        bodies = []
        for number in (UNKNOWN_NUM, NO_CASE, CLOSED, ELSEWHERE, OWN_ENROLLED, INVALIDATED,
                       REVIEWED):
            body = assert_problem(w.api.post(path, {"licence": number}, as_=as_), 422,
                                  "licence")
            bodies.append(re.sub(number, "N", str(body)))
    assert all(b == bodies[0] for b in bodies), bodies
    assert "R42" not in bodies[0] and "clos" not in bodies[0]


def test_a_session_that_takes_no_one_answers_alike_for_any_licence(w):
    """The session's own refusal comes before the look-up: a 409 about the session does not
    tell a waiting licence from an unknown one."""
    w.api.ok(w.api.post(f"/api/v1/sessions/{w.own['id']}/cancel",
                        {"on": "2026-03-02", "reason": "effectif insuffisant"}, as_="centre75"))
    path = f"/api/v1/sessions/{w.own['id']}/enrollment"
    with unchanged():
        bodies = [assert_problem(centre_post(w.api, path, {"licence": n}), 409)
                  for n in (NUM, UNKNOWN_NUM, ELSEWHERE)]
    assert all(b == bodies[0] for b in bodies) and "R36" in bodies[0]["detail"]


@pytest.mark.parametrize("body", [{}, {"licence": ""}, {"licence": 12}, {"case": 1},
                                  {"licence": NUM, "session": 1}],
                         ids=["missing", "empty", "number", "case-id", "extra-field"])
def test_enrollment_by_licence_bad_body_is_422_and_stores_nothing(w, body):
    with unchanged():
        assert_problem(centre_post(w.api, f"/api/v1/sessions/{w.own['id']}/enrollment", body),
                       422)


@pytest.mark.parametrize("user", ["designer"])
def test_enrollment_by_licence_is_403_to_other_roles(w, user):
    with unchanged():
        assert_problem(w.api.post(f"/api/v1/sessions/{w.own['id']}/enrollment",
                                  {"licence": NUM}, as_=user), 403)


def test_enrollment_by_licence_is_in_the_openapi_document(w):
    doc = w.api.ok(w.api.get("/api/v1/openapi.json"))
    operation = doc["paths"]["/api/v1/sessions/{session_id}/enrollment"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[1]
    assert doc["components"]["schemas"][name]["required"] == ["licence"]


# ---- every other path with an id: the answer does not depend on which foreign id -----------

def test_no_api_path_tells_a_centre_one_foreign_id_from_another(w, app):
    """Every /api/v1 rule with a path id, every method, filled with the ids a centre may not
    reach: one status and one body per rule, whatever the id."""
    ids = {"case_id": w.case_ids, "session_id": w.foreign_sessions,
           "task_id": [w.api.task(w.reviewed["id"], "examen_manuel")["id"], UNKNOWN_ID],
           "number": [NUM, CLOSED, UNKNOWN_NUM], "agrement": [OTHER_CENTRE, UNKNOWN_CENTRE],
           "draft_id": [UNKNOWN_ID], "run_id": [UNKNOWN_ID], "incident_id": [UNKNOWN_ID],
           "job_id": [UNKNOWN_ID],
           "key": ["stage_obligatoire", "inconnu"], "code": ["accueil", "inconnu"],
           "username": ["agent", "inconnu"], "letter_id": [UNKNOWN_ID]}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or not rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            variants = [{}]
            for arg in sorted(rule.arguments):
                values = ids[arg]
                if isinstance(rule._converters[arg], IntegerConverter):  # a version number
                    values = [v for v in values if isinstance(v, int)] or [1, UNKNOWN_ID]
                variants = [dict(v, **{arg: value}) for v in variants for value in values]
            paths = [re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=v: str(v[m.group(1)]), rule.rule)
                     for v in variants]
            if len(paths) < 2:
                continue
            with unchanged():
                answers = [w.api.request(method, p, {}, as_="centre75") for p in paths]
            first = (answers[0].status_code, answers[0].get_json())
            assert answers[0].status_code in (403, 422), (method, paths[0], first)
            for path, resp in zip(paths, answers, strict=True):
                assert (resp.status_code, resp.get_json()) == first, (method, path)
            checked += 1
    assert checked >= 15, checked


# ---- the UI: the same policy on the pages -------------------------------------------------------

@pytest.fixture
def centre(api):
    client = UiClient(api.app)
    client.login("centre75")
    return client


def ui_denial(responses) -> str:
    """Every page is the same French 403, with the same message."""
    details = []
    for resp in responses:
        assert resp.status_code == 403, text(resp)[:500]
        page = text(resp)
        assert "Accès refusé" in page and "Bobigny" not in page
        details.append(re.findall(r'fr-alert--error[^>]*><p>([^<]*)</p>', page))
    assert all(d == details[0] for d in details), details
    return details[0]


def test_ui_another_centres_or_an_unknown_session_is_the_same_403(w, centre):
    for sid in w.foreign_sessions:  # as a clerk, an unknown session is a 404 page
        assert centre.get(f"/ui/sessions/{sid}").status_code == 403
    pages = [centre.get(f"/ui/sessions/{sid}{suffix}") for sid in w.foreign_sessions
             for suffix in ("", "/annulation")]
    assert ui_denial(pages)
    with unchanged():
        posts = [centre.post(f"/ui/sessions/{sid}{suffix}", form)
                 for sid in w.foreign_sessions
                 for suffix, form in (("/annulation", {"on": "2026-03-02", "reason": "motif"}),
                                      ("/inscription", {"case": NUM}),
                                      ("/presence", {}))]
        ui_denial(posts)


def test_ui_every_case_page_is_the_same_403(w, centre):
    with unchanged():
        pages = [centre.get(f"/ui/dossiers/{cid}") for cid in w.case_ids]
        pages += [centre.post(f"/ui/dossiers/{cid}/inscription", {"session": w.own["id"]})
                  for cid in w.case_ids]
        ui_denial(pages)


def test_ui_enrolment_by_licence_gives_one_answer_whatever_the_reason(w, centre):
    path = f"/ui/sessions/{w.own['id']}/inscription"
    with unchanged():
        messages = []
        for term in (UNKNOWN_NUM, NO_CASE, CLOSED, ELSEWHERE, OWN_ENROLLED, INVALIDATED,
                     REVIEWED, w.waiting["reference"]):
            resp = centre.post(path, {"case": term})
            assert resp.status_code == 422, term
            messages.append([m.replace(term, "N") for m in field_errors(resp)["case"]])
    assert all(m == messages[0] for m in messages), messages
    resp = centre.post(path, {"case": NUM})
    assert resp.status_code == 302
    assert w.api.case(w.waiting["id"])["status"] == "inscrit"


def test_ui_unknown_session_stays_404_for_a_clerk(w, api):
    agent = UiClient(api.app)
    agent.login("agent")
    assert agent.get(f"/ui/sessions/{UNKNOWN_ID}").status_code == 404
