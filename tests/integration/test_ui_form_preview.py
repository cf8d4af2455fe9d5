"""« Aperçu côté agent » (docs/designers.md): the form editor posts the form-js document it holds
and gets back the form exactly as a clerk's case page draws it (the same macro and code path:
the HTML is compared with a real case page's), « Essayer » answers with the clerk's French
messages or the values the engine would receive; a document a deployment would refuse gets the
deployment's own French messages, never a 500; nothing is written; designers and admins only."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pytest

from tests.api_errors_support import unchanged
from tests.integration.test_bundles import (
    _refused,
    call_form,
    deploy_call,
    form_bytes,
    shipped_forms,
)
from tests.ui_support import UiClient, field_errors, text

KEY = "stage_volontaire"
URL = f"/ui/processus/{KEY}/formulaire/apercu"
TASK = "appeler_conducteur"
SHIPPED = Path(__file__).resolve().parents[2] / "bpmn" / "forms"


def _ui(api, username: str = "designer") -> UiClient:
    ui = UiClient(api.app)
    ui.login(username)
    return ui


def preview(ui: UiClient, schema: dict | bytes | str | None, task: str = TASK,
            name: str | None = "Appeler le conducteur", essai: bool = False, as_file=True,
            **values):
    """POST as the editor does: the document as a file part, the task and its name, the draft
    or version for the context, « Essayer » with the values typed."""
    if isinstance(schema, dict):
        schema = form_bytes(schema)
    data = {"_apercu_tache": task, "_apercu_nom": name, "_apercu_version": "1", **values}
    if schema is not None:
        raw = schema.encode() if isinstance(schema, str) else schema
        data["_apercu_schema"] = (io.BytesIO(raw), "appel.form") if as_file else raw.decode()
    if essai:
        data["_apercu_essai"] = "1"
    return ui.post(URL, data)


def state(resp) -> str:
    found = re.search(r'data-form-preview="(\w+)"', text(resp))
    return found.group(1) if found else ""


def problems(resp) -> list[str]:
    block = re.search(r'id="apercu-problemes".*?<ul>(.*?)</ul>', text(resp), re.DOTALL)
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", block.group(1))] \
        if block else []


def accepted(resp) -> dict[str, str]:
    rows = re.findall(r'<tr data-key="(\w+)"><td><code>\w+</code></td><td>[^<]*</td>'
                      r"<td><code>(.*?)</code>(.*?)</td></tr>", text(resp))
    return {key: html.unescape(value) + html.unescape(rest) for key, value, rest in rows}


def _task_form_html(page: str, action: str) -> str:
    """The summary of errors and the <form> posting to `action`, as drawn on a page."""
    found = re.search(r'((?:<div class="fr-alert fr-alert--error fr-mb-3w ui-error-summary"'
                      r'(?:(?!</div>).)*</div>\s*)?<form method="post" action="'
                      + re.escape(action) + r'".*?</form>)', page, re.DOTALL)
    assert found, page[:3000]
    return found.group(1)


def _normalised(fragment: str, action: str, prefix: str, submit: str) -> str:
    fragment = fragment.replace(action, "ACTION").replace(prefix, "PREFIX-")
    fragment = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', fragment)
    return fragment.replace(f">{submit}</button>", ">BOUTON</button>")


# ---- the form as the clerk's page draws it ---------------------------------------------------

@pytest.fixture
def waiting(api):
    """The call form deployed on the voluntary process; a case waiting at its task."""
    api.set_today("02/03/2026")
    deploy_call(api)
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    case = api.voluntary_case("120175200123")
    return api, case, api.task(case["id"], TASK)["id"]


@pytest.mark.parametrize("typed", [None, {"appels": "0", "telephone": "12",
                                          "rappel_le": "31/02/2026"}])
def test_the_preview_draws_the_form_exactly_as_the_case_page(waiting, typed):
    """The same form-js document: the case page's task form (fields, help, read-only text,
    errors, summary) and the preview's are the same HTML but for the element ids' prefix, the
    form's action and the button; refused, both show the same French messages."""
    api, case, task_id = waiting
    clerk = UiClient(api.app)
    clerk.login("agent")
    action = f"/ui/dossiers/{case['id']}/taches/{task_id}"
    if typed is None:
        page = clerk.get(f"/ui/dossiers/{case['id']}")
        shown = preview(_ui(api), call_form())
        assert shown.status_code == 200 and state(shown) == "formulaire"
    else:
        page = clerk.post(action, typed)
        assert page.status_code == 422
        shown = preview(_ui(api), call_form(), essai=True, **typed)
        assert shown.status_code == 422 and state(shown) == "refuse"
        messages = {k.removeprefix(f"t{task_id}-"): v for k, v in field_errors(page).items()}
        assert messages == {k.removeprefix("apercu-"): v
                            for k, v in field_errors(shown).items()}
        assert messages == {"joint": ["Champ obligatoire."],
                            "appels": ["Doit être supérieur ou égal à 1."],
                            "rappel_le": ["Date invalide (AAAA-MM-JJ attendu)."],
                            "telephone": ["Format invalide."]}
    clerks = _normalised(_task_form_html(text(page), action), action, f"t{task_id}-",
                         "Enregistrer la décision")
    designers = _normalised(_task_form_html(text(shown), URL), URL, "apercu-", "Essayer")
    assert "Le conducteur a-t-il été joint ?" in designers and 'type="date"' in designers
    assert designers == clerks
    assert "Aperçu, aucun dossier réel" in text(shown) and "Tâche à faire : Appeler le conducteur" \
        in text(shown)


def test_the_preview_says_what_depends_on_a_case_and_leaves_it_out(api):
    shown = text(preview(_ui(api), (SHIPPED / "examen_manuel.form").read_bytes(),
                         task="examen_manuel", name="Examen manuel"))
    assert "Aperçu, aucun dossier réel" in shown and "Rien n'est enregistré" in shown
    assert "l'attribution de la tâche et les boutons « Prendre » et « Rendre », son échéance" \
        in html.unescape(shown)
    assert "le contrôle fait sur le dossier réel" in html.unescape(shown)  # examen_manuel's own
    assert "Prendre</button>" not in shown and "Rendre</button>" not in shown


@pytest.mark.parametrize(("typed", "expected"), [
    ({"decision": "refuser", "motif": "  "}, {"apercu-motif": ["Ne peut pas être vide."]}),
    ({"decision": "peut-etre"},
     {"apercu-decision": ["Valeur non permise ; valeurs possibles : valider, refuser."]}),
    ({"decision": "refuser", "motif": "x" * 2001}, {"apercu-motif": ["Au plus 2000 caractères."]}),
])
def test_essayer_shows_the_clerks_french_messages_on_their_fields(api, typed, expected):
    """The contract's rule too: a refusal needs its motif (the task's JSON Schema)."""
    resp = preview(_ui(api), (SHIPPED / "verification_attestation.form").read_bytes(),
                   task="verification_attestation", name="Vérifier l'attestation",
                   essai=True, **typed)
    assert resp.status_code == 422 and state(resp) == "refuse"
    assert field_errors(resp) == expected
    assert "Le formulaire contient des erreurs" in text(resp)
    assert "seraient acceptées" not in text(resp)


def test_essayer_accepted_shows_what_the_engine_would_receive_with_blanks(api):
    resp = preview(_ui(api), call_form(), essai=True, joint="oui", appels="2,5")
    assert resp.status_code == 200 and state(resp) == "accepte", text(resp)[:2000]
    assert "Les données seraient acceptées" in text(resp)
    assert accepted(resp) == {"joint": '"oui"', "appels": "2.5",
                              "rappel_le": "None (laissé vide)", "message_laisse": "False",
                              "telephone": '"" (laissé vide)'}
    assert not field_errors(resp)
    # the form stays filled in, to try again
    assert 'id="apercu-appels" name="appels" value="2,5"' in text(resp)
    confirmation = preview(_ui(api), {"type": "default", "id": "rien", "components": []},
                           essai=True)
    assert state(confirmation) == "accepte" and accepted(confirmation) == {}
    assert "Cette tâche ne demande aucune donnée" in text(confirmation)


def test_the_document_may_come_as_a_text_field(api):
    resp = preview(_ui(api), call_form(), as_file=False)
    assert resp.status_code == 200 and state(resp) == "formulaire"


# ---- what a deployment would refuse: its own messages, never a 500 ---------------------------

def _bad(change: dict) -> dict:
    return call_form(**change)


def _duplicate() -> dict:
    doc = call_form()
    doc["components"].append({"type": "textfield", "key": "joint", "label": "Encore"})
    return doc


HUGE = form_bytes(call_form(description="x" * 70_000))


@pytest.mark.parametrize(("document", "needle"), [
    (form_bytes(_bad({"type": "signature"})), "type de champ inconnu « signature »"),
    (form_bytes(_duplicate()), "clé de champ en double : « joint »"),
    (form_bytes(_bad({"key": "dossier"})), "clé de champ refusée"),
    (form_bytes(_bad({"values": []})), "une liste de choix doit donner ses valeurs"),
    (form_bytes(_bad({"validate": {"pattern": "(a+)+$"}})), "motif (pattern) refusé"),
    (b"{pas du json", "ce n'est pas du JSON valide"),
    (b"[]", "ce n'est pas un formulaire form-js"),
    (HUGE, "formulaire trop volumineux (maximum 64 Kio)"),
    (b"\xff\xfe{}", "Le formulaire « appel.form » n'est pas un texte UTF-8."),
])
def test_a_document_a_deployment_refuses_gets_the_deployments_messages(api, document, needle):
    resp = preview(_ui(api), document)
    assert resp.status_code == 422, text(resp)[:1000]
    assert state(resp) == "probleme"
    found = problems(resp)
    assert found and any(needle in m for m in found), found
    assert "le déploiement le refuserait" in text(resp)
    # the deployment of a bundle holding it gives these very messages (nothing stored either)
    body = _refused(api, {**shipped_forms(), "appel.form": document})
    deployed = {m for messages in body["errors"].values() for m in messages}
    assert set(found) <= deployed, (found, deployed)


def test_a_contract_tasks_form_gets_the_contracts_rules(api):
    doc = json.loads((SHIPPED / "verification_attestation.form").read_text("utf-8"))
    doc["components"][1]["values"] = [{"value": "oui", "label": "Oui"}]
    del doc["components"][1]["properties"]  # its confirmation names « refuser », gone too
    resp = preview(_ui(api), doc, task="verification_attestation")
    assert resp.status_code == 422
    assert problems(resp) == ["formulaire « verification_attestation » : le champ « decision » "
                              "doit être obligatoire et avoir exactement les valeurs valider, "
                              "refuser"]


def test_a_huge_body_is_a_french_413_and_a_missing_document_a_french_problem(api):
    ui = _ui(api)
    big = preview(ui, "x" * 600_000, as_file=False)  # a text field: the deployment's message
    assert big.status_code == 422
    assert problems(big) == ["formulaire trop volumineux (maximum 64 Kio)"]
    too_big = preview(ui, b"x" * (6 * 2**20))  # past the body limit of every request
    assert too_big.status_code == 413
    assert "Requête trop volumineuse" in text(too_big)
    missing = preview(ui, None)
    assert missing.status_code == 422 and problems(missing) == [
        "Aucun formulaire reçu : ouvrez le formulaire d'une tâche dans l'éditeur puis demandez "
        "l'aperçu."]
    bad_task = preview(ui, call_form(), task="<script>")
    assert bad_task.status_code == 422 and "Identifiant de tâche invalide" in problems(
        bad_task)[0]
    assert "<script>" not in text(bad_task)
    unknown = ui.post("/ui/processus/inconnu/formulaire/apercu",
                      {"_apercu_schema": form_bytes(call_form()).decode(),
                       "_apercu_tache": TASK})
    assert unknown.status_code == 404


# ---- nothing written ----------------------------------------------------------------------------

def test_nothing_is_written_anywhere(api):
    """Opening the preview, a refused and an accepted « Essayer », a refused document, from a
    draft: every row of every table is as it was (no draft, no history, no case)."""
    draft = api.ok(api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                               raw=(SHIPPED.parent / f"{KEY}.bpmn").read_bytes(),
                               headers={"Content-Type": "application/xml"}), 201)
    ui = _ui(api)
    with unchanged():
        answers = [preview(ui, call_form(), _apercu_brouillon=str(draft["id"])),
                   preview(ui, call_form(), essai=True, appels="0"),
                   preview(ui, call_form(), essai=True, joint="non", telephone="0612345678"),
                   preview(ui, form_bytes(_duplicate()))]
    assert [r.status_code for r in answers] == [200, 422, 200, 422]
    assert f"sur la base du brouillon n° {draft['id']}" in text(answers[0])
    assert [state(r) for r in answers] == ["formulaire", "refuse", "accepte", "probleme"]


# ---- who may ------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["designer", "admin"])
def test_designers_and_admins_may(api, username):
    resp = preview(_ui(api, username), call_form())
    assert resp.status_code == 200 and state(resp) == "formulaire"


@pytest.mark.parametrize("username", ["agent", "centre75"])
def test_other_roles_are_refused(api, username):
    resp = preview(_ui(api, username), call_form())
    assert resp.status_code == 403 and "Accès refusé" in text(resp)
    assert "data-form-preview" not in text(resp)


def test_anonymous_is_sent_to_the_login_and_a_post_without_the_token_refused(api):
    anonymous = UiClient(api.app)
    anonymous.get("/ui/connexion")
    resp = anonymous.post(URL, {"_apercu_schema": form_bytes(call_form()).decode()})
    assert resp.status_code == 302 and "/ui/connexion?next=" in resp.headers["Location"]
    designer = _ui(api)
    resp = designer.post(URL, {"_apercu_schema": form_bytes(call_form()).decode(),
                               "_apercu_tache": TASK}, csrf=False)
    assert resp.status_code == 400 and "Jeton CSRF absent ou invalide" in text(resp)
