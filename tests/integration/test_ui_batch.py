"""The attestations to verify, validated by batch from the UI (services.batch): agents only, CSRF,
each case its own command and transaction with its own history event; a case refused (another
clerk's task, already completed) is reported with its French reason and the others go through."""

from __future__ import annotations

import pytest

from services.db import db
from services.models import CaseEvent
from tests.ui_support import UiClient, text

PATH = "/ui/taches/attestations"


def attested(api, k: int) -> list[dict]:
    """k mandatory cases whose attestation was received: each has a verification task."""
    api.set_today("01/02/2026")
    session = api.session("06/03/2026", "07/03/2026", fill=6 - min(k, 6) if k < 6 else 0)
    out = []
    for i in range(k):
        number = f"12017520{i:04d}"
        api.licence(number)
        inf = api.infraction(number, "01/12/2025")
        case = api.mandatory_case(number, inf["id"], "10/01/2026")
        api.enroll(case["id"], session["id"])
        out.append(case)
    api.set_today("09/03/2026")
    recs = [(api.case(c["id"])["licence"], "present", "present") for c in out]
    api.attendance(session["id"], recs)
    for c in out:
        api.attestation(c["id"], "09/03/2026")
    return [dict(api.case(c["id"]), task=api.task(c["id"], "verification_attestation"))
            for c in out]


def events(case_id: int, kind: str) -> int:
    n = db.session.query(CaseEvent).filter_by(case_id=case_id, type=kind).count()
    db.session.remove()
    return n


@pytest.fixture
def ui(api):
    client = UiClient(api.app)
    client.login("agent")
    return client


def test_batch_validates_each_case_and_reports_the_refused_one(api, ui):
    cases = attested(api, 3)
    # agent2 claims the second one meanwhile: it is refused with its reason, not the others
    api.ok(api.post(f"/api/v1/tasks/{cases[1]['task']['id']}/claim", as_="agent2"))
    page = ui.get(PATH)
    assert page.status_code == 200
    body = text(page)
    assert "3 attestations à vérifier." in body
    for c in cases:
        assert c["reference"] in body
    assert f'id="task-{cases[1]["task"]["id"]}"' not in body  # another's: no box to tick
    assert "Prise par agent2" in body
    resp = ui.http.post(PATH, data={"task": [str(c["task"]["id"]) for c in cases],
                                    "csrf_token": ui.csrf()})
    db.session.remove()
    assert resp.status_code == 200
    body = text(resp)
    assert "2 attestations validées, 1 non validée" in body
    assert f"Dossier {cases[1]['reference']}</a> : La tâche est prise par agent2." in body
    for i, c in enumerate(cases):
        after = api.case(c["id"])
        validated = i != 1
        assert (after["outcome"]["points_credited"] is not None) == validated, after
        assert any(t["key"] == "verification_attestation" for t in after["tasks"]) \
            == (not validated)
        # one history event per case validated, none for the refused one
        assert events(c["id"], "tache_terminee") == (1 if validated else 0)
    assert "1 attestation à vérifier." in text(ui.get(PATH))


def test_each_case_is_its_own_transaction(api, ui, monkeypatch):
    """A failure inside the second case's command rolls back that case only."""
    from services import tasks
    from services.db import command

    cases = attested(api, 3)
    real = tasks.complete.__wrapped__  # the command's body, inside its transaction
    second = cases[1]["task"]["id"]

    def failing(task_id, data, user):
        case = real(task_id, data, user)
        if task_id == second:  # after its writes, before its commit
            from services.errors import Conflict
            raise Conflict("Modification concurrente : recommencez.")
        return case

    monkeypatch.setattr(tasks, "complete", command(failing))
    resp = ui.post(PATH, {"task": [str(c["task"]["id"]) for c in cases]})
    assert resp.status_code == 200
    assert "Modification concurrente : recommencez." in text(resp)
    states = [api.case(c["id"]) for c in cases]
    assert [s["outcome"]["points_credited"] is not None for s in states] == [True, False, True]
    assert [events(c["id"], "tache_terminee") for c in cases] == [1, 0, 1]
    assert events(cases[1]["id"], "points_credites") == 0


def test_already_completed_unknown_and_other_tasks_are_refused_per_case(api, ui):
    cases = attested(api, 2)
    api.complete(cases[0]["id"], "verification_attestation", decision="valider")
    resp = ui.http.post(PATH, data={"task": [str(cases[0]["task"]["id"]), "987654",
                                             str(cases[1]["task"]["id"])],
                                    "csrf_token": ui.csrf()})
    db.session.remove()
    body = text(resp)
    assert resp.status_code == 200
    assert "1 attestation validée, 2 non validées" in body
    assert "La tâche est déjà terminée." in body
    assert "Aucune tâche n° 987654." in body
    assert events(cases[0]["id"], "tache_terminee") == 1  # not twice


def test_reviews_and_referrals_stay_one_by_one(api, ui):
    api.set_today("02/03/2026")
    api.licence("120175200777")
    inf = api.infraction("120175200777", "01/10/2025")
    case = api.mandatory_case("120175200777", inf["id"], "10/11/2025")
    api.ok(api.post("/api/v1/licences/120175200777/invalidation",
                    {"decision_on": "2026-02-20", "notified_on": "2026-03-01"}), 201)
    task = api.task(case["id"], "examen_manuel")
    assert task["key"] not in text(ui.get(PATH))
    resp = ui.post(PATH, {"task": str(task["id"])})
    assert resp.status_code == 409
    assert "elle se traite une à une" in text(resp)
    assert api.task(case["id"], "examen_manuel")["id"] == task["id"]  # still open


def test_only_agents_and_with_the_csrf_token(api):
    cases = attested(api, 1)
    task_id = str(cases[0]["task"]["id"])
    for username in ("centre75", "designer"):
        client = UiClient(api.app)
        client.login(username)
        assert client.get(PATH).status_code == 403, username
        assert client.post(PATH, {"task": task_id}).status_code == 403, username
    client = UiClient(api.app)
    assert client.get(PATH).status_code == 302  # logged out: to the login form
    client.login("agent")
    resp = client.post(PATH, {"task": task_id}, csrf=False)
    assert resp.status_code == 400 and "Jeton CSRF" in text(resp)
    assert api.task(cases[0]["id"], "verification_attestation")  # still open
    assert events(cases[0]["id"], "tache_terminee") == 0


def test_a_bad_selection_is_refused_in_french(api, ui):
    cases = attested(api, 1)
    for data, message in (({}, "Cochez au moins une attestation à valider."),
                          ({"task": "abc"}, "La sélection envoyée est invalide"),
                          ({"task": "9" * 40}, "La sélection envoyée est invalide"),
                          ({"task": "99999999999"}, "La sélection envoyée est invalide"),
                          ({"task": "2147483648"}, "La sélection envoyée est invalide"),
                          ({"task": "²"}, "La sélection envoyée est invalide"),
                          ({"task": "-3"}, "La sélection envoyée est invalide")):
        resp = ui.post(PATH, data)
        assert resp.status_code == 422 and message in text(resp), data
    resp = ui.http.post(PATH, data={"task": [str(i) for i in range(1, 60)],
                                    "csrf_token": ui.csrf()})
    db.session.remove()
    assert resp.status_code == 422 and "Au plus 50 attestations à la fois." in text(resp)
    assert api.task(cases[0]["id"], "verification_attestation")


def test_the_list_reads_the_same_statements_for_more_rows(api, ui):
    """No query per row: the facts (course, session, centre, holder, assignee) come with the
    page."""
    from tests.query_count import counted

    attested(api, 2)
    with counted() as before:
        assert ui.get(PATH).status_code == 200
    more = attested_more(api, 3)
    api.ok(api.post(f"/api/v1/tasks/{more[0]['task']['id']}/claim", as_="agent2"))
    with counted() as after:
        body = text(ui.get(PATH))
    assert "5 attestations à vérifier." in body
    assert sum(after.values()) == sum(before.values()), (before, after)


def attested_more(api, k: int) -> list[dict]:
    """k more attestations, on another session a week later."""
    api.set_today("09/03/2026")
    session = api.session("13/03/2026", "14/03/2026", fill=6 - k)
    out = []
    for i in range(k):
        number = f"12017521{i:04d}"
        api.licence(number)
        inf = api.infraction(number, "01/12/2025")
        case = api.mandatory_case(number, inf["id"], "10/01/2026")
        api.enroll(case["id"], session["id"])
        out.append(case)
    api.set_today("16/03/2026")
    api.attendance(session["id"], [(api.case(c["id"])["licence"], "present", "present")
                                   for c in out])
    for c in out:
        api.attestation(c["id"], "16/03/2026")
    return [dict(api.case(c["id"]), task=api.task(c["id"], "verification_attestation"))
            for c in out]
