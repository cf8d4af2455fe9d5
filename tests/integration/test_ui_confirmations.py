"""Irreversible commands of the clerks' and centres' pages ask first (a QA walk of the French
UI): refusing an attestation (its legal consequences: R19, R21, R48) and recording a session's
attendance (the attestations issued, R34) answer a confirmation step, and only the confirmed
POST acts; the API never asks. Also: the 48N form once its case exists, a task another clerk
holds, and the session a case's summary shows after a refused attestation."""

from __future__ import annotations

import html
import io
import json
import re

import pytest

from services.db import db
from tests.api_errors_support import unchanged
from tests.designer_support import OBLIGATOIRE, ROOT
from tests.integration.test_ui_clerk_defects import attested_case
from tests.ui_support import checked, field_errors, flashes, logged_in, summary, text

NUM = "120175200201"


@pytest.fixture
def ui(api):
    return logged_in(api.app, "agent")


def page_text(resp) -> str:
    return html.unescape(text(resp))


def hidden(resp, name: str) -> str | None:
    found = re.search(rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)">',
                      text(resp))
    return html.unescape(found.group(1)) if found else None


def task_state(api, case, key="verification_attestation") -> str:
    """The state of the case's task `key` (one of them)."""
    for state in ("open", "completed"):
        if api.ok(api.get("/api/v1/tasks", case=case["id"], key=key, state=state))["items"]:
            return state
    return "none"


def two_attested(api, between=None) -> tuple[dict, dict]:
    """Two mandatory cases (deadline 10/07/2026) whose course of 05-06/06/2026 was attested:
    each verification task open, the clock on 06/06/2026. `between`: called once the first
    case is open (a new version deployed, say)."""
    cases = []
    for number in (NUM, "120175200202"):
        if cases and between:
            between()
        api.licence(number, obtained="01/09/2025")
        inf = api.infraction(number, "01/02/2026", points=3)
        api.set_today("10/03/2026")
        cases.append(api.mandatory_case(number, inf["id"], "10/03/2026"))
    session = api.session("05/06/2026", "06/06/2026", fill=4)
    for case in cases:
        api.enroll(case["id"], session["id"])
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(NUM, "present", "present"),
                                   ("120175200202", "present", "present")])
    for case in cases:
        api.attestation(case["id"], "06/06/2026")
    return cases[0], cases[1]


def task_path(case, task) -> str:
    return f"/ui/dossiers/{case['id']}/taches/{task['id']}"


REFUSAL = {"decision": "refuser", "motif": "Attestation d'un autre centre"}


def asked_to_confirm(resp) -> bool:
    return 'data-confirm-heading>Confirmer le refus ?</h3>' in text(resp)


# ---- 1. refusing an attestation ----------------------------------------------------------------

def test_a_refusal_asks_first_and_only_the_confirmed_post_completes_the_task(api, ui):
    case = attested_case(api, NUM)  # deadline 10/07/2026, the clock on 06/06/2026
    task = api.task(case["id"], "verification_attestation")
    with unchanged():
        resp = ui.post(task_path(case, task), REFUSAL)
    assert resp.status_code == 200
    assert asked_to_confirm(resp)
    page = page_text(resp)
    assert "<title>Confirmation demandée — Dossier" in page
    assert "Vous avez choisi « Décision : Refuser ». Un refus est définitif" in page
    assert ("le titulaire doit achever un autre stage au plus tard le 10/07/2026, échéance "
            "du délai de quatre mois ; sinon, l'obligation ne sera pas remplie, l'amende ne "
            "sera pas remboursée et le signalement au parquet sera à décider (R21).") in page
    assert "<li>Motif : Attestation d'un autre centre</li>" in page
    assert 'name="etape" value="confirmer">Confirmer le refus</button>' in page
    assert 'name="etape" value="revenir">Revenir</button>' in page
    # the same data, hidden, with the confirmation's token; the task's form is not shown
    assert hidden(resp, "decision") == "refuser"
    assert hidden(resp, "motif") == REFUSAL["motif"]
    token = hidden(resp, "confirmation")
    assert token and len(token) == 64
    assert f'id="t{task["id"]}-decision"' not in page
    assert task_state(api, case) == "open"

    # « Revenir »: the form again, as it was filled in; nothing done
    with unchanged():
        resp = ui.post(task_path(case, task), {**REFUSAL, "confirmation": token,
                                               "etape": "revenir"})
    assert resp.status_code == 200 and not asked_to_confirm(resp)
    assert checked(resp, f"t{task['id']}-decision-refuser")
    assert REFUSAL["motif"].replace("'", "&#39;") in text(resp)
    assert field_errors(resp) == {} and summary(resp) == []

    # confirmed: completed, as the API would have done at once
    resp = ui.post(task_path(case, task), {**REFUSAL, "confirmation": token,
                                           "etape": "confirmer"})
    assert resp.status_code == 302, text(resp)[:2000]
    page = page_text(ui.get(resp.headers["Location"]))
    assert "« Vérifier l'attestation de stage » : tâche terminée." in page
    done = api.case(case["id"])
    assert done["status"] == "en_attente_inscription" and not done["tasks"]
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"]
    assert [e["detail"]["decision"] for e in events if e["type"] == "tache_terminee"] \
        == ["refuser"]
    # the course attended is still the case's session on its summary (not « — »)
    session = re.search(r'<dd id="case-session">(.*?)</dd>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", session) == (
        "n° 1, Centre Paris 11, les 05/06/2026 et 06/06/2026 (stage suivi, attestation "
        "refusée)")


def test_past_the_deadline_the_confirmation_says_the_obligation_fails(api, ui):
    case = attested_case(api, NUM)
    api.set_today("11/07/2026")  # the deadline (10/07) passed, the course awaiting its check
    api.run_timers()
    task = api.task(case["id"], "verification_attestation")
    with unchanged():
        resp = ui.post(task_path(case, task), REFUSAL)
    page = page_text(resp)
    assert asked_to_confirm(resp)
    assert ("L'échéance du délai de quatre mois, le 10/07/2026, est passée : l'obligation de "
            "stage devient non remplie (R19), l'amende ne sera pas remboursée (R48) et le "
            "dossier devient candidat au signalement au parquet, qu'un agent décide (R21).") \
        in page
    assert "suspension du permis de 3 ans au plus (R21)" in page
    # the API never asks: the same refusal is done at once, as the confirmation said
    done = api.ok(api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": REFUSAL},
                           as_="agent"))
    assert done["outcome"]["obligation"] == "not_met"
    assert done["outcome"]["refund"]["eligible"] is False
    assert done["outcome"]["referral"] == "candidate"
    assert [t["key"] for t in done["tasks"]] == ["signalement_parquet"]


def test_a_confirmation_made_for_other_data_a_task_or_a_login_is_not_one(api, ui):
    case, other_case = two_attested(api)
    task = api.task(case["id"], "verification_attestation")
    other = api.task(other_case["id"], "verification_attestation")
    token = hidden(ui.post(task_path(case, task), REFUSAL), "confirmation")
    confirmed = {**REFUSAL, "confirmation": token, "etape": "confirmer"}
    second = logged_in(api.app, "agent2")
    for client, path, form in (
            (ui, task_path(other_case, other), confirmed),  # another task
            (ui, task_path(case, task), {**confirmed, "motif": "Un autre motif"}),  # other data
            (ui, task_path(case, task), {**confirmed, "confirmation": "0" * 64}),  # made up
            (ui, task_path(case, task), {**REFUSAL, "etape": "confirmer"}),  # no token
            (second, task_path(case, task), confirmed)):  # another clerk's login
        with unchanged():
            resp = client.post(path, form)
        assert resp.status_code == 200 and asked_to_confirm(resp), path
        said = "La confirmation reçue ne correspond pas à ces réponses" in page_text(resp)
        assert said == bool(form.get("confirmation")), form
    # a confirmed POST is checked again like any other: data the service refuses, a task done
    with unchanged():
        resp = ui.post(task_path(case, task), {**confirmed, "motif": ""})
    assert resp.status_code == 422
    assert field_errors(resp) == {f"t{task['id']}-motif": ["Ne peut pas être vide."]}
    # validating asks nothing: done at once
    resp = ui.post(task_path(other_case, other), {"decision": "valider", "motif": ""})
    assert resp.status_code == 302 and task_state(api, other_case) == "completed"
    other_token = hidden(ui.post(task_path(case, task), REFUSAL), "confirmation")
    with unchanged():
        resp = ui.post(task_path(other_case, other), {**REFUSAL, "etape": "confirmer",
                                                      "confirmation": other_token})
    assert resp.status_code == 302  # the other task is done: told, nothing changed
    assert "La tâche est déjà terminée." in page_text(ui.get(resp.headers["Location"]))
    # a task another clerk holds: told before any confirmation is asked
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent2"))
    with unchanged():
        resp = ui.post(task_path(case, task), REFUSAL)
    assert resp.status_code == 302
    assert "La tâche est prise par agent2." in page_text(ui.get(resp.headers["Location"]))


def test_a_designer_asks_a_confirmation_with_a_custom_property_of_the_field(api, ui):
    """The confirmation belongs to the form (custom property `confirmer` of its choice): a case
    on a version whose form has none completes a refusal at once; a case on the shipped one
    asks."""
    forms = {p.name: p.read_bytes() for p in (ROOT / "bpmn" / "forms").glob("*.form")}
    doc = json.loads(forms["verification_attestation.form"])
    assert doc["components"][1]["properties"]["confirmer"] == "refuser"
    del doc["components"][1]["properties"]
    forms["verification_attestation.form"] = json.dumps(doc, ensure_ascii=False).encode()

    def deploy_without_confirmation():
        data = {"bpmn": (io.BytesIO(OBLIGATOIRE), "stage_obligatoire.bpmn"),
                **{f"form{n}": (io.BytesIO(content), name)
                   for n, (name, content) in enumerate(forms.items())}}
        resp = api.http.post("/api/v1/processes/stage_obligatoire/versions", data=data,
                             headers={"Authorization": f"Bearer {api.tokens['designer']}"},
                             content_type="multipart/form-data")
        assert resp.status_code == 201, resp.get_data(as_text=True)[:1500]

    shipped, plain = two_attested(api, deploy_without_confirmation)
    assert api.case(plain["id"])["process"]["version"] \
        == api.case(shipped["id"])["process"]["version"] + 1
    task = api.task(shipped["id"], "verification_attestation")
    with unchanged():
        resp = ui.post(task_path(shipped, task), REFUSAL)
    assert resp.status_code == 200 and asked_to_confirm(resp)
    task = api.task(plain["id"], "verification_attestation")
    resp = ui.post(task_path(plain, task), REFUSAL)
    assert resp.status_code == 302
    assert task_state(api, plain) == "completed"


# ---- 2. a session's attendance -------------------------------------------------------------------

@pytest.fixture
def held(api):
    """A session of centre 75 whose two days have passed, a 48N case and 5 others enrolled;
    the clock on 02/03/2026."""
    api.set_today("02/03/2026")
    api.licence(NUM)
    inf = api.infraction(NUM, "01/10/2025")
    case = api.mandatory_case(NUM, inf["id"], "10/01/2026")
    session = api.session("27/02/2026", "28/02/2026", fill=5)
    api.enroll(case["id"], session["id"])
    return session


def grid(resp) -> list[str]:
    """The attendance grid's radio groups, in the page's order (day1-<id>, day2-<id>)."""
    return list(dict.fromkeys(re.findall(r'<input type="radio" id="[^"]+" name="(day[12]-\d+)"',
                                         text(resp))))


def test_the_attendance_is_summed_up_and_recorded_only_once_confirmed(api, held):
    centre = logged_in(api.app, "centre75")
    path = f"/ui/sessions/{held['id']}"
    names = grid(centre.get(path))
    assert len(names) == 12
    with unchanged():  # incomplete: the errors, as before, and no summary
        resp = centre.post(f"{path}/presence", {names[0]: "present"})
    assert resp.status_code == 422 and "Confirmer la présence" not in text(resp)
    sheet = {name: "present" for name in names}
    sheet[names[1]] = "absent"  # the first trainee's second day
    sheet[names[2]] = "late"  # the second one's first day
    with unchanged():
        resp = centre.post(f"{path}/presence", sheet)
    assert resp.status_code == 200
    page = page_text(resp)
    assert "<title>Confirmation demandée — Session" in page
    assert 'data-confirm-heading>Confirmer la présence ?</h3>' in page
    said = re.search(r'<p id="confirmation-resume">(.*?)</p>', page, re.S).group(1)
    assert said == ("Vous allez délivrer 4 attestations de stage ; 2 stagiaires n'auront pas "
                    "d'attestation (absents ou en retard : Léa Martin (jour 2 : absent), "
                    "Léa Martin (jour 1 : en retard)).")
    assert 'name="etape" value="confirmer">Confirmer la présence</button>' in page
    assert 'name="etape" value="revenir">Modifier</button>' in page
    assert all(hidden(resp, name) == value for name, value in sheet.items())
    assert 'type="radio"' not in page  # the grid gives way to the summary
    token = hidden(resp, "confirmation")
    assert api.ok(api.get(f"/api/v1/sessions/{held['id']}"))["status"] == "planned"

    # « Modifier »: the grid again, the choices kept
    with unchanged():
        resp = centre.post(f"{path}/presence", {**sheet, "confirmation": token,
                                                "etape": "revenir"})
    assert resp.status_code == 200 and grid(resp) == names
    assert checked(resp, f"{names[1]}-absent") and checked(resp, f"{names[2]}-late")
    assert checked(resp, f"{names[0]}-present")

    # a token for another sheet, or none: asked again
    for form in ({**sheet, names[0]: "absent", "confirmation": token, "etape": "confirmer"},
                 {**sheet, "etape": "confirmer"}):
        with unchanged():
            resp = centre.post(f"{path}/presence", form)
        assert resp.status_code == 200 and "Confirmer la présence ?" in text(resp)

    resp = centre.post(f"{path}/presence", {**sheet, "confirmation": token,
                                            "etape": "confirmer"})
    assert resp.status_code == 302
    assert "Présence enregistrée" in flashes(centre.get(resp.headers["Location"]))[0]
    view = api.ok(api.get(f"/api/v1/sessions/{held['id']}"))
    assert view["status"] == "held"
    assert sum(1 for e in view["enrollments"] if e["attestation_issued_on"]) == 4
    # recorded: the service's refusal, no summary
    with unchanged():
        resp = centre.post(f"{path}/presence", sheet)
    assert resp.status_code == 409 and "Confirmer la présence" not in text(resp)
    assert "La présence de cette session est déjà enregistrée." in page_text(resp)


def test_the_api_records_the_attendance_at_once_while_the_page_asks(api, held, ui):
    path = f"/ui/sessions/{held['id']}"
    with unchanged():
        resp = ui.post(f"{path}/presence", {name: "present" for name in grid(ui.get(path))})
    assert resp.status_code == 200 and "Confirmer la présence ?" in text(resp)
    view = api.attendance(held["id"], [(NUM, "present", "present")])
    assert view["status"] == "held"


# ---- 3. the 48N form once its case exists -------------------------------------------------------

def test_the_48n_form_links_to_the_case_its_infraction_already_has(api, ui, monkeypatch):
    from web.ui import licence_pages

    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026", points=3)
    api.set_today("02/03/2026")
    path = f"/ui/permis/{NUM}/infractions/{inf['id']}/dossier-48n"
    letter = {"letter_48n.sent_on": "2026-02-25", "letter_48n.receipt": "signed",
              "letter_48n.received_on": "2026-02-27"}
    assert 'id="formulaire"' in text(ui.get(path))
    # opened by another clerk while this one was filling the form in: the 409 links to it
    real = licence_pages.licence_view.cases_by_infraction
    calls = []

    def as_before_it_was_opened(licence):
        calls.append(licence)
        return {} if len(calls) == 1 else real(licence)

    case = api.mandatory_case(NUM, inf["id"], "27/02/2026")
    monkeypatch.setattr(licence_pages.licence_view, "cases_by_infraction",
                        as_before_it_was_opened)
    with unchanged():
        resp = ui.post(path, letter)
    monkeypatch.undo()
    assert resp.status_code == 409
    link = f'<a href="/ui/dossiers/{case["id"]}">{case["reference"]}</a>'
    assert link in text(resp) and 'id="formulaire"' not in text(resp)
    assert summary(resp) == [f"Un dossier existe déjà pour cette infraction : "
                             f"{case['reference']} (En attente d'inscription)"]
    assert "<title>Erreur — Ouvrir le dossier 48N" in page_text(resp)
    # the page itself no longer offers the form: the case's link instead
    resp = ui.get(path)
    assert resp.status_code == 200 and 'id="formulaire"' not in text(resp)
    page = page_text(resp)
    assert f"Un dossier existe déjà pour cette infraction : {link}" in page
    assert "data-error-summary" not in page and "<title>Ouvrir le dossier 48N" in page


def test_the_48n_form_of_an_infraction_without_a_48n_says_why_instead(api, ui):
    """R15: a 2-point retrait gives rise to no 48N; its page offered a form that could only be
    refused, the reason told after the clerk had typed the letter's dates."""
    api.licence(NUM)
    inf = api.infraction(NUM, "01/02/2026", points=2)
    assert inf["triggers_48n"] is False
    api.set_today("02/03/2026")
    path = f"/ui/permis/{NUM}/infractions/{inf['id']}/dossier-48n"
    resp = ui.get(path)
    page = page_text(resp)
    assert resp.status_code == 200 and 'id="formulaire"' not in page
    assert "Cette infraction ne déclenche pas de lettre 48N" in page and "R15" in page
    assert "<title>Ouvrir le dossier 48N" in page
    with unchanged():
        resp = ui.post(path, {"letter_48n.sent_on": "2026-02-25", "letter_48n.receipt": "signed",
                              "letter_48n.received_on": "2026-02-27"})
    assert resp.status_code == 422 and 'id="formulaire"' not in text(resp)
    assert "<title>Erreur — Ouvrir le dossier 48N" in page_text(resp)
    [why] = summary(resp)
    assert why.startswith("Cette infraction ne déclenche pas de lettre 48N")


# ---- 4. a task another clerk holds -----------------------------------------------------------

def test_a_task_another_clerk_holds_shows_who_and_since_when_and_no_form(api, ui):
    case = attested_case(api, NUM)
    task = api.task(case["id"], "verification_attestation")
    api.set_today("08/06/2026")
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent2"))
    db.session.remove()
    action = f'action="{task_path(case, task)}"'
    page = page_text(ui.get(f"/ui/dossiers/{case['id']}"))
    held = re.search(rf'<div [^>]*id="prise-{task["id"]}"><p>(.*?)</p>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", held).startswith(
        "Tâche prise par agent2 depuis le 08/06/2026 00:00 : seul agent2 peut la terminer.")
    assert "Demandez-lui de la rendre" in held
    assert action not in page and "Enregistrer la décision" not in page
    assert f"/ui/taches/{task['id']}/rendre" not in page  # no take-over for a clerk
    # its holder has the form; an admin sees who holds it and may give it back
    holder = logged_in(api.app, "agent2")
    assert action in text(holder.get(f"/ui/dossiers/{case['id']}"))
    admin = logged_in(api.app, "admin")
    page = page_text(admin.get(f"/ui/dossiers/{case['id']}"))
    assert "Tâche prise par <strong>agent2</strong> depuis le 08/06/2026" in page
    assert "Vous pouvez la rendre" in page and f"/ui/taches/{task['id']}/rendre" in page
    assert action not in page
