"""Un-enrolling one trainee from a session that has not started (docs/legal-decisions.md LD16):
`POST /api/v1/sessions/{session_id}/enrollments/{case_id}/cancel {"reason"}` and the session
page's « Désinscrire ». The seat is free again, the enrolment `cancelled`, the case back to
waiting for an enrolment with its deadline unchanged, the history says who, when and why; the
centre of the session, clerks and admins may; every refusal is told in French and changes
nothing."""

from __future__ import annotations

import html
import re
import threading
import time

import pytest

from services import sessions, users
from services.db import transaction
from services.errors import Conflict
from services.models import Enrollment
from tests.api_errors_support import CENTRE, NUM, OTHER_CENTRE, assert_problem, unchanged
from tests.threads import side_by_side
from tests.ui_support import UiClient, field_errors, text

OTHER = "120175200124"
UNKNOWN_ID = 987654
DEADLINE = "2026-07-10"  # the 48N received on 10/03/2026 (D1)
REASON = "Erreur sur le numéro de permis"


def _path(session_id, case_id) -> str:
    return f"/api/v1/sessions/{session_id}/enrollments/{case_id}/cancel"


def _enrolled(api, days=("05/06/2026", "06/06/2026"), capacity=20, fill=0, centre=CENTRE):
    """A 48N case (deadline 10/07/2026) enrolled in a session of CENTRE; the clock on
    10/03/2026."""
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026")
    api.set_today("10/03/2026")
    case = api.mandatory_case(NUM, inf["id"], "10/03/2026")
    session = api.session(*days, capacity=capacity, fill=fill, centre=centre)
    api.enroll(case["id"], session["id"])
    assert api.case(case["id"])["status"] == "inscrit"
    return case, session


def _unenrol(api, session_id, case_id, reason=REASON, as_="agent"):
    return api.post(_path(session_id, case_id), {"reason": reason}, as_=as_)


def _events(api, case_id, type_):
    events = api.ok(api.get(f"/api/v1/cases/{case_id}/events", per_page=200))["items"]
    return [e for e in events if e["type"] == type_]


def _other_trainee(api, number=OTHER):
    api.licence(number, obtained="01/01/2015", probation="none", points=8, on="01/01/2026")
    return api.voluntary_case(number)


# ---- what it does --------------------------------------------------------------------------------

def test_LD16_R36_an_unenrolled_trainee_waits_again_with_the_same_deadline_and_frees_the_seat(api):
    case, session = _enrolled(api, capacity=1)
    before = api.case(case["id"])
    assert before["deadline"] == DEADLINE and before["session"] == session["id"]
    api.set_today("01/05/2026")
    view = api.ok(_unenrol(api, session["id"], case["id"]))
    assert view["status"] == "planned"
    assert [(e["case"], e["status"]) for e in view["enrollments"]] == [(case["id"], "cancelled")]
    after = api.case(case["id"])
    assert after["status"] == "en_attente_inscription"
    assert after["deadline"] == DEADLINE and after["session"] is None
    assert after["closed"] is False and after["outcome"]["obligation"] == "pending"
    assert [t["name"] for t in after["timers"]] == [t["name"] for t in before["timers"]]
    # the history: who, when, why, under which decision
    (event,) = _events(api, case["id"], "desinscription")
    assert event["actor"] == "agent"
    assert event["at"] == "2026-05-01T00:00:00+02:00"  # 01/05/2026 at 00:00, Paris time
    detail = event["detail"]
    assert detail["reason"] == REASON and detail["regle"] == "LD16"
    assert detail["session"] == session["id"] and detail["day1"] == "2026-06-05"
    assert "l'échéance ne change pas" in detail["message"]
    # the only seat is free again: another trainee takes it
    other = _other_trainee(api)
    api.enroll(other["id"], session["id"])
    # and the case enrols again elsewhere
    elsewhere = api.session("12/06/2026", "13/06/2026", fill=0)
    api.enroll(case["id"], elsewhere["id"])
    again = api.case(case["id"])
    assert again["status"] == "inscrit" and again["session"] == elsewhere["id"]
    assert again["deadline"] == DEADLINE


def test_LD16_the_day_before_the_first_day_is_the_last_day_to_unenrol(api):
    case, session = _enrolled(api)
    api.set_today("04/06/2026")
    api.ok(_unenrol(api, session["id"], case["id"]))
    assert api.case(case["id"])["status"] == "en_attente_inscription"


def test_LD16_the_centre_of_the_session_unenrols_its_trainee(api):
    case, session = _enrolled(api)
    view = api.ok(_unenrol(api, session["id"], case["id"], as_="centre75"))
    assert view["enrollments"][0]["status"] == "cancelled"
    (event,) = _events(api, case["id"], "desinscription")
    assert event["actor"] == "centre75"


def test_LD16_the_trainee_enrols_again_in_the_same_session(api):
    """The seat given back is the same row taken again (one enrolment per case and session)."""
    case, session = _enrolled(api, capacity=1)
    api.ok(_unenrol(api, session["id"], case["id"]))
    api.enroll(case["id"], session["id"])
    view = api.ok(api.get(f"/api/v1/sessions/{session['id']}"))
    assert [(e["case"], e["status"]) for e in view["enrollments"]] == [(case["id"], "enrolled")]
    assert api.case(case["id"])["status"] == "inscrit"
    # the seat is taken again: the session is full
    other = _other_trainee(api)
    assert_problem(api.post(f"/api/v1/cases/{other['id']}/enrollment",
                            {"session": session["id"]}), 409)


def test_LD16_Q8_a_trainee_under_manual_review_is_unenrolled_and_stays_under_review(api):
    """A 48SI notified while enrolled opens the review and keeps the enrolment (LD4): the
    un-enrolment frees the seat and the case stays with the clerk who decides."""
    case, session = _enrolled(api)
    api.set_today("01/04/2026")
    api.ok(api.post(f"/api/v1/licences/{NUM}/invalidation",
                    {"decision_on": "2026-04-01", "notified_on": "2026-04-01"}), 201)
    assert api.case(case["id"])["status"] == "examen_manuel"
    api.ok(_unenrol(api, session["id"], case["id"], reason="Permis invalidé"))
    after = api.case(case["id"])
    assert after["status"] == "examen_manuel" and after["session"] is None
    assert api.task(case["id"], "examen_manuel")
    view = api.ok(api.get(f"/api/v1/sessions/{session['id']}"))
    assert view["enrollments"][0]["status"] == "cancelled"


# ---- who may -------------------------------------------------------------------------------------

def test_another_centre_or_an_unknown_session_is_the_centres_one_403_and_changes_nothing(api):
    case, session = _enrolled(api)
    with unchanged():
        bodies = [assert_problem(_unenrol(api, sid, cid, as_="centre93"), 403)
                  for sid, cid in ((session["id"], case["id"]), (UNKNOWN_ID, case["id"]),
                                   (session["id"], UNKNOWN_ID))]
    assert bodies[0] == bodies[1] == bodies[2]
    assert api.case(case["id"])["status"] == "inscrit"


def test_a_designer_gets_403(api):
    case, session = _enrolled(api)
    with unchanged():
        assert_problem(_unenrol(api, session["id"], case["id"], as_="designer"), 403)


def test_unknown_session_or_case_or_a_case_not_in_the_session_is_404(api):
    case, session = _enrolled(api)
    elsewhere = api.session("12/06/2026", "13/06/2026", fill=0)
    other = _other_trainee(api)
    api.enroll(other["id"], elsewhere["id"])
    with unchanged():
        for sid, cid, as_ in ((UNKNOWN_ID, case["id"], "agent"),
                              (session["id"], UNKNOWN_ID, "agent"),
                              (session["id"], other["id"], "agent"),  # enrolled elsewhere
                              (session["id"], other["id"], "centre75")):
            body = assert_problem(_unenrol(api, sid, cid, as_=as_), 404)
            assert "n'est pas inscrit" in body["detail"] or "Aucune session" in body["detail"]


# ---- when it is refused --------------------------------------------------------------------------

def test_LD16_R34_a_session_started_on_its_first_day_is_409_and_changes_nothing(api):
    case, session = _enrolled(api)
    api.set_today("05/06/2026")
    for as_ in ("agent", "centre75", "admin"):
        with unchanged():
            body = assert_problem(_unenrol(api, session["id"], case["id"], as_=as_), 409)
        assert "05/06/2026" in body["detail"] and "R34" in body["detail"]
        assert "LD16" in body["detail"]
    assert api.case(case["id"])["status"] == "inscrit"


def test_a_held_session_is_409(api):
    case, session = _enrolled(api, fill=5)
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(NUM, "present", "present")])
    with unchanged():
        body = assert_problem(_unenrol(api, session["id"], case["id"]), 409)
    assert "tenue" in body["detail"]


def test_R36_a_cancelled_session_is_409(api):
    case, session = _enrolled(api)
    api.set_today("01/05/2026")
    api.ok(api.post(f"/api/v1/sessions/{session['id']}/cancel",
                    {"on": "2026-05-01", "reason": "effectif insuffisant"}))
    with unchanged():
        body = assert_problem(_unenrol(api, session["id"], case["id"]), 409)
    assert "annulée" in body["detail"] and "R36" in body["detail"]


def test_an_enrolment_already_cancelled_is_409(api):
    case, session = _enrolled(api)
    api.ok(_unenrol(api, session["id"], case["id"]))
    with unchanged():
        body = assert_problem(_unenrol(api, session["id"], case["id"]), 409)
    assert "n'est plus inscrit" in body["detail"]
    assert len(_events(api, case["id"], "desinscription")) == 1


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": None},
                                  {"reason": "x" * 256}, {"reason": REASON, "on": "2026-05-01"}],
                         ids=["missing", "empty", "blank", "null", "too-long", "unknown-field"])
def test_a_reason_is_required_422_in_french_and_nothing_changes(api, body):
    case, session = _enrolled(api)
    with unchanged():
        resp = api.post(_path(session["id"], case["id"]), body, as_="agent")
        problem = assert_problem(resp, 422)
    assert problem["errors"], problem
    assert api.case(case["id"])["status"] == "inscrit"


def test_the_operation_is_in_the_openapi_document(api):
    doc = api.ok(api.get("/api/v1/openapi.json", as_=None))
    operation = doc["paths"]["/api/v1/sessions/{session_id}/enrollments/{case_id}/cancel"]["post"]
    assert {"400", "401", "403", "404", "409", "422", "503"} <= operation["responses"].keys()
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[1]
    assert doc["components"]["schemas"][name]["required"] == ["reason"]


# ---- at the same time ----------------------------------------------------------------------------

def test_two_clerks_unenrolling_one_trainee_at_once_exactly_one_wins(api, app):
    """Both read the session before either writes: the second is told (409), never a database
    error, and the history holds one un-enrolment."""
    case, session = _enrolled(api)
    together = threading.Barrier(2)
    results = []

    def run(clerk):
        def work():
            read = sessions.get(session["id"])
            user = users.get_by_name(clerk)
            together.wait(10)
            try:
                with transaction():
                    sessions.unenrol(read, case["id"], REASON, user)
                results.append("ok")
            except Conflict as exc:
                results.append(exc.detail)
        return work

    side_by_side(app, run("agent"), run("agent2"))
    assert results.count("ok") == 1, results
    assert any("n'est plus inscrit" in r for r in results if r != "ok"), results
    assert len(_events(api, case["id"], "desinscription")) == 1
    assert api.case(case["id"])["status"] == "en_attente_inscription"


def test_an_unenrolment_and_the_sessions_cancellation_at_once_run_one_after_the_other(
        api, app, monkeypatch):
    """The un-enrolment holds the session (its lock) when the cancellation starts: the
    cancellation then waits and sees the trainee already gone, so the case's history tells one
    story (un-enrolled, not also « session annulée »), while the other trainee's case is told
    of the cancellation (R36)."""
    case, session = _enrolled(api)
    other = _other_trainee(api)
    api.enroll(other["id"], session["id"])
    api.set_today("01/05/2026")
    holding = threading.Event()
    real_update = sessions.update_row

    def slow_update(obj, values, expect=None):
        if isinstance(obj, Enrollment) and values == {"status": "cancelled"}:
            holding.set()
            time.sleep(1.5)  # the cancellation starts meanwhile
        return real_update(obj, values, expect)

    monkeypatch.setattr(sessions, "update_row", slow_update)
    results = {}

    def unenrol():
        sessions.unenrol(sessions.get(session["id"]), case["id"], REASON,
                         users.get_by_name("agent"))
        results["unenrol"] = "ok"

    today = api.today()

    def cancel():
        assert holding.wait(10)
        try:
            sessions.cancel(sessions.get(session["id"]),
                            {"on": today, "reason": "effectif insuffisant"},
                            users.get_by_name("agent2"))
            results["cancel"] = "ok"
        except Conflict as exc:
            results["cancel"] = exc.detail

    side_by_side(app, unenrol, cancel)
    assert results == {"unenrol": "ok", "cancel": "ok"}, results
    assert len(_events(api, case["id"], "desinscription")) == 1
    assert _events(api, case["id"], "session_annulee") == []
    assert len(_events(api, other["id"], "session_annulee")) == 1
    assert api.case(case["id"])["status"] == "en_attente_inscription"
    assert api.case(other["id"])["status"] == "en_attente_inscription"


# ---- the pages -----------------------------------------------------------------------------------

@pytest.fixture
def agent(api):
    client = UiClient(api.app)
    client.login("agent")
    return client


def _unenrol_link(session_id, case_id) -> str:
    return f"/ui/sessions/{session_id}/desinscription/{case_id}"


def test_ui_each_enrolled_trainee_has_desinscrire_and_the_confirmation_takes_a_reason(api, agent):
    case, session = _enrolled(api)
    page = agent.get(f"/ui/sessions/{session['id']}")
    assert page.status_code == 200
    assert _unenrol_link(session["id"], case["id"]) in page.get_data(as_text=True)
    assert "Désinscrire" in text(page)
    form = agent.get(_unenrol_link(session["id"], case["id"]))
    assert form.status_code == 200
    body = text(form)
    assert "Désinscrire un stagiaire" in body and NUM in body and 'name="reason"' in \
        form.get_data(as_text=True)
    assert 'name="csrf_token"' in form.get_data(as_text=True)
    # without a reason: the form again, the field's French error, nothing changed
    with unchanged():
        refused = agent.post(_unenrol_link(session["id"], case["id"]), {"reason": "  "})
    assert refused.status_code == 422
    assert field_errors(refused)["reason"]
    # with one: back to the session, the seat free, the case waiting
    done = agent.post(_unenrol_link(session["id"], case["id"]), {"reason": REASON})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/ui/sessions/{session['id']}#stagiaires")
    after = agent.get(f"/ui/sessions/{session['id']}")
    assert "est désinscrit de la session" in text(after)
    assert _unenrol_link(session["id"], case["id"]) not in after.get_data(as_text=True)
    assert api.case(case["id"])["status"] == "en_attente_inscription"
    # the case page's history says it, with the reason
    history = html.unescape(text(agent.get(f"/ui/dossiers/{case['id']}", historique=99)))
    assert "Désinscription d'une session" in history and REASON in history


def test_ui_a_centre_unenrols_its_own_trainee_and_not_another_centres(api):
    case, session = _enrolled(api)
    foreign_case, foreign = _enrolled_elsewhere(api)
    centre = UiClient(api.app)
    centre.login("centre75")
    assert _unenrol_link(session["id"], case["id"]) in centre.get(
        f"/ui/sessions/{session['id']}").get_data(as_text=True)
    with unchanged():
        for path in (_unenrol_link(foreign["id"], foreign_case["id"]),
                     _unenrol_link(UNKNOWN_ID, case["id"])):
            assert centre.get(path).status_code == 403
            assert centre.post(path, {"reason": REASON}).status_code == 403
    resp = centre.post(_unenrol_link(session["id"], case["id"]), {"reason": REASON})
    assert resp.status_code == 302
    (event,) = _events(api, case["id"], "desinscription")
    assert event["actor"] == "centre75"


def _enrolled_elsewhere(api):
    """A trainee of the other centre's session."""
    other = _other_trainee(api)
    session = api.session("12/06/2026", "13/06/2026", centre=OTHER_CENTRE, fill=0)
    api.enroll(other["id"], session["id"])
    return other, session


def test_ui_unknown_or_not_enrolled_is_404_for_a_clerk(api, agent):
    case, session = _enrolled(api)
    other = _other_trainee(api)
    assert agent.get(_unenrol_link(session["id"], case["id"])).status_code == 200  # its trainee
    for path in (_unenrol_link(session["id"], other["id"]),
                 _unenrol_link(session["id"], UNKNOWN_ID),
                 _unenrol_link(UNKNOWN_ID, case["id"])):
        assert agent.get(path).status_code == 404
        with unchanged():
            assert agent.post(path, {"reason": REASON}).status_code == 404


def test_ui_once_the_session_started_no_desinscrire_and_the_page_says_why(api, agent):
    case, session = _enrolled(api)
    api.set_today("05/06/2026")
    page = agent.get(f"/ui/sessions/{session['id']}").get_data(as_text=True)
    assert _unenrol_link(session["id"], case["id"]) not in page
    resp = agent.get(_unenrol_link(session["id"], case["id"]))
    assert resp.status_code == 302
    assert "a commencé le 05/06/2026" in text(agent.get(resp.headers["Location"]))
    with unchanged():
        refused = agent.post(_unenrol_link(session["id"], case["id"]), {"reason": REASON})
    assert refused.status_code == 409
    assert "R34" in text(refused)


def _case_page_link(client, case_id) -> str | None:
    """The case page's « Désinscrire » link (its href), or None."""
    page = client.get(f"/ui/dossiers/{case_id}")
    assert page.status_code == 200, text(page)[:500]
    found = re.search(r'<a [^>]*id="case-unenrol" href="([^"]+)">Désinscrire<',
                      page.get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


def test_ui_the_case_page_offers_desinscrire_while_the_session_page_does(api, agent):
    """Where the case page shows its enrolment, the session page's « Désinscrire » (the same
    route), for a clerk or an admin, while the session has not started (LD16)."""
    case, session = _enrolled(api)
    link = _unenrol_link(session["id"], case["id"]) + "?retour=dossier"
    assert _case_page_link(agent, case["id"]) == link
    admin = UiClient(api.app)
    admin.login("admin")
    assert _case_page_link(admin, case["id"]) == link
    form = agent.get(link)  # the un-enrolment's form, its way back to the case
    assert form.status_code == 200
    assert f'href="/ui/dossiers/{case["id"]}"' in text(form) and "Retour au dossier" in text(form)
    centre = UiClient(api.app)  # a centre opens no case page, and sees no link there
    centre.login("centre75")
    assert centre.get(f"/ui/dossiers/{case['id']}").status_code == 403
    # the session started: neither page offers it
    api.set_today("05/06/2026")
    assert _case_page_link(agent, case["id"]) is None
    assert link not in agent.get(f"/ui/sessions/{session['id']}").get_data(as_text=True)
    # held: the attendance recorded, no link either
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(NUM, "present", "present")])
    assert _case_page_link(agent, case["id"]) is None
    assert _case_page_link(admin, case["id"]) is None


def test_ui_the_case_page_has_no_desinscrire_once_unenrolled_or_cancelled(api, agent):
    case, session = _enrolled(api)
    other = _other_trainee(api)
    api.enroll(other["id"], session["id"])
    from_case = "?retour=dossier"
    assert _case_page_link(agent, other["id"]) == \
        _unenrol_link(session["id"], other["id"]) + from_case
    api.ok(_unenrol(api, session["id"], other["id"]))
    assert _case_page_link(agent, other["id"]) is None  # waiting again: no session shown
    assert _case_page_link(agent, case["id"]) == \
        _unenrol_link(session["id"], case["id"]) + from_case
    api.ok(api.post(f"/api/v1/sessions/{session['id']}/cancel",
                    {"on": "2026-03-10", "reason": "Effectif insuffisant"}))
    assert _case_page_link(agent, case["id"]) is None


def test_ui_an_unenrolment_from_the_case_page_comes_back_to_it(api, agent):
    """The case page's « Désinscrire » brings the clerk back to the case, not to the session;
    a centre (no case page) asking for it is sent back to its session as always."""
    case, session = _enrolled(api)
    link = _case_page_link(agent, case["id"])
    done = agent.post(link, {"reason": REASON})
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/ui/dossiers/{case['id']}")
    assert "est désinscrit de la session" in text(agent.get(done.headers["Location"]))
    other = _other_trainee(api)
    api.enroll(other["id"], session["id"])
    centre = UiClient(api.app)
    centre.login("centre75")
    done = centre.post(_unenrol_link(session["id"], other["id"]) + "?retour=dossier",
                       {"reason": REASON})
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/ui/sessions/{session['id']}#stagiaires")
