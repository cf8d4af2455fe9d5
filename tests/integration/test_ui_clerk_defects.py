"""Defects a clerk's working day found on the agents' pages (exploratory QA pass): each test names
what was wrong."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tests.designer_support import xml_headers
from tests.integration.test_designer_user_tasks import with_a_call_first
from tests.ui_support import UiClient, field_errors, selected, summary, text


@pytest.fixture
def ui(api):
    client = UiClient(api.app)
    client.login("agent")
    return client


def attested_case(api, number: str = "120175200201") -> dict:
    """A mandatory case whose attestation was received: its verification task is open."""
    api.licence(number, obtained="01/09/2025")
    inf = api.infraction(number, "01/02/2026", points=3)
    api.set_today("10/03/2026")
    case = api.mandatory_case(number, inf["id"], "10/03/2026")
    session = api.session("05/06/2026", "06/06/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(number, "present", "present")])
    api.attestation(case["id"], "06/06/2026")
    return case


@pytest.mark.parametrize("key", ["verification_attestation", "signalement_parquet"])
def test_a_decision_left_unchosen_is_told_once_and_the_motif_is_not_asked_for(api, ui, key):
    """A clerk who sends a contract decision task's form without choosing was told « Décision :
    Champ obligatoire. » twice, and « Motif : Ne peut pas être vide. » as if refusing (the
    schema's « motif when refusing » clause applied when no decision was given)."""
    case = attested_case(api) if key == "verification_attestation" \
        else api.case_at_referral("120175200202")
    task = api.task(case["id"], key)
    resp = ui.post(f"/ui/dossiers/{case['id']}/taches/{task['id']}", {"motif": ""})
    assert resp.status_code == 422
    prefix = f"t{task['id']}"
    assert field_errors(resp) == {f"{prefix}-decision": ["Champ obligatoire."]}
    assert summary(resp) == ["Décision : Champ obligatoire."]
    # the API answers the same (one message, under data.decision only)
    body = api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, as_="agent")
    assert body.status_code == 422
    assert body.get_json()["errors"] == {"data.decision": ["Champ obligatoire."]}
    # refusing still needs the motif
    resp = ui.post(f"/ui/dossiers/{case['id']}/taches/{task['id']}",
                   {"decision": "refuser" if key == "verification_attestation"
                    else "ne_pas_signaler", "motif": ""})
    assert field_errors(resp) == {f"{prefix}-motif": ["Ne peut pas être vide."]}


def test_an_unknown_task_type_is_said_ignored_not_an_empty_list(api, ui):
    """« tache » of an edited or old URL that no task has: the list was empty (« 0 tâche
    ouverte ») while the select said « Tous les types »; now the filter is said ignored, as the
    list's other filters, and its export leaves it out too."""
    case = attested_case(api)
    # a known type filters, and says nothing (first: the test's app context keeps flask.g)
    resp = ui.get("/ui/taches", tache="signalement_parquet")
    assert "ui-ignored-filter" not in text(resp) and "0 tâche ouverte." in text(resp)
    assert selected(resp, "tache") == "signalement_parquet"
    resp = ui.get("/ui/taches", tache="verification")
    page = text(resp).replace("&#39;", "'")
    assert resp.status_code == 200
    assert "Filtre « Type de tâche » ignoré : « verification », valeur inconnue" in page
    assert "1 tâche ouverte." in page and case["reference"] in page
    assert selected(resp, "tache") is None  # « Tous les types », the first option
    rows = ui.get("/ui/taches/export.csv", tache="verification").get_data(as_text=True)
    assert case["reference"] in rows


def test_a_task_a_designer_drew_is_a_task_type_of_the_list(api, ui):
    """The « Type de tâche » choices were the contract's three tasks only: a clerk could not
    filter on a task a designer drew, though it is listed (its key in the URL gave the list,
    with the select saying « Tous les types »)."""
    api.set_today("02/03/2026")
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_="designer",
                       raw=with_a_call_first(), headers=xml_headers())
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    case = api.voluntary_case("120175200123")
    resp = ui.get("/ui/taches")
    assert '<option value="appeler_conducteur" >Appeler le conducteur</option>' in text(resp)
    resp = ui.get("/ui/taches", tache="appeler_conducteur")
    assert "ui-ignored-filter" not in text(resp)
    assert selected(resp, "tache") == "appeler_conducteur"
    assert "1 tâche ouverte." in text(resp) and case["reference"] in text(resp)


def test_one_point_is_singular_where_a_clerk_reads_it(api, ui):
    """« 1 points »: the 48N explanation of a 1-point infraction (the flash after recording it),
    a licence's imported FNPC balance of 1 point, a case's 1-point infraction."""
    api.licence("120175200301", obtained="01/09/2025")
    api.set_today("10/02/2026")
    ui.get("/ui/permis/120175200301/infraction")
    resp = ui.post("/ui/permis/120175200301/infraction", {
        "label": "Excès de vitesse inférieur à 20 km/h", "offence_class": "C4", "points": "1",
        "committed_on": "2026-02-01", "established_on": "2026-02-01",
        "decision_on": "2026-02-05"})
    assert resp.status_code == 302
    page = text(ui.http.get(resp.headers["Location"])).replace("&lt;", "<")
    assert "R15 : retrait de 1 point < 3 : pas de lettre 48N" in page, page[:3000]
    assert "1 points" not in page

    api.licence("120175200302", obtained="01/01/2010", probation="none", points=1,
                on="01/02/2026")
    page = text(ui.get("/ui/permis/120175200302"))
    assert "<dd>1 point au 01/02/2026</dd>" in page and "1 points" not in page

    # simultaneous infractions of 1 and 2 points open a 48N case (CFG_SIMULTANEOUS_CUMUL=true)
    before = api.app.config["RULES"]
    api.app.config["RULES"] = dataclasses.replace(before, simultaneous_cumul=True)
    try:
        api.licence("120175200303", obtained="01/09/2025")
        api.infraction("120175200303", "01/02/2026", points=2)
        one = api.infraction("120175200303", "01/02/2026", points=1)
        assert one["triggers_48n"]
        case = api.mandatory_case("120175200303", one["id"], "10/02/2026")
        page = text(ui.get(f"/ui/dossiers/{case['id']}"))
        assert "(1 point, commise le 01/02/2026)" in page and "1 points" not in page
    finally:
        api.app.config["RULES"] = before



def test_a_balance_of_one_point_after_the_credit_is_singular(api, ui):
    """« Solde après crédit : 1 points. »: a course crediting 4 points to a balance of -3,
    confirmed at the manual review (R24)."""
    number = "120175200304"
    api.licence(number, obtained="01/01/2010", probation="none", points=-3, on="01/02/2026")
    api.set_today("01/03/2026")
    case = api.voluntary_case(number)
    session = api.session("03/06/2026", "04/06/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("04/06/2026")
    api.attendance(session["id"], [(number, "present", "present")])
    api.attestation(case["id"], "04/06/2026")
    api.complete(case["id"], "verification_attestation", decision="valider")
    api.complete(case["id"], "examen_manuel", decision="crediter")
    page = text(ui.get(f"/ui/dossiers/{case['id']}"))
    assert "<p>Solde après crédit : 1 point.</p>" in page


def test_the_unassigned_tasks_have_their_quick_filter(api, ui):
    """The dashboard's « tâches non attribuées » tile leads to the list filtered on them, where
    none of the quick filters (Toutes, Mes tâches, Mes groupes) was marked as the current one."""
    resp = ui.get("/ui/taches", filtre="unassigned")
    nav = re.search(r'<nav class="fr-mb-2w" aria-label="Listes de tâches">(.*?)</nav>',
                    text(resp), re.S).group(1)
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', nav)
    assert current == ["Non attribuées"]
    assert 'href="/ui/taches?filtre=unassigned"' in nav
