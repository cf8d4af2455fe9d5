"""A version is a bundle (issue 14, docs/process-bundle.md): the BPMN and its form-js forms, sent
raw, as multipart or as a zip, checked as a whole (422 naming the element or file, nothing
stored), read back by the editor, exported; a designer's task with a form made in the browser
whose answers a gateway reads; an unreadable form never takes a page down."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.api_errors_support import assert_problem
from tests.designer_support import VOLONTAIRE, xml_headers
from tests.ui_support import UiClient, text

CAMUNDA = b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
CALL = (b'<bpmn:userTask id="appeler_conducteur" camunda:formRef="appel_conducteur" '
        b'name="Appeler le conducteur">'
        b'<bpmn:incoming>f_t_01</bpmn:incoming><bpmn:outgoing>f_appel</bpmn:outgoing>'
        b'</bpmn:userTask>'
        b'<bpmn:sequenceFlow id="f_appel" sourceRef="appeler_conducteur" targetRef="gw_joint" />'
        b'<bpmn:exclusiveGateway id="gw_joint" name="Conducteur joint ?">'
        b'<bpmn:incoming>f_appel</bpmn:incoming><bpmn:outgoing>f_oui</bpmn:outgoing>'
        b'<bpmn:outgoing>f_non</bpmn:outgoing></bpmn:exclusiveGateway>'
        b'<bpmn:sequenceFlow id="f_oui" sourceRef="gw_joint" targetRef="parcours_stage">'
        b'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">joint == "oui"'
        b'</bpmn:conditionExpression></bpmn:sequenceFlow>'
        b'<bpmn:sequenceFlow id="f_non" sourceRef="gw_joint" targetRef="relancer_conducteur">'
        b'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">joint == "non"'
        b'</bpmn:conditionExpression></bpmn:sequenceFlow>'
        b'<bpmn:userTask id="relancer_conducteur" name="Relancer le conducteur">'
        b'<bpmn:incoming>f_non</bpmn:incoming><bpmn:outgoing>f_rel</bpmn:outgoing>'
        b'</bpmn:userTask>'
        b'<bpmn:sequenceFlow id="f_rel" sourceRef="relancer_conducteur" '
        b'targetRef="parcours_stage" />')


def call_form(**changes) -> dict:
    joint = {"type": "radio", "key": "joint", "label": "Le conducteur a-t-il été joint ?",
             "description": "Appelez le numéro du dossier.",
             "values": [{"value": "oui", "label": "Oui"}, {"value": "non", "label": "Non"}],
             "validate": {"required": True}}
    joint.update(changes)
    return {"schemaVersion": 16, "id": "appel_conducteur", "type": "default",
            "components": [{"type": "text", "text": "Appelez le conducteur avant le stage."},
                           joint,
                           {"type": "number", "key": "appels", "label": "Nombre d'appels",
                            "validate": {"min": 1, "max": 10}},
                           {"type": "datetime", "subtype": "date", "key": "rappel_le",
                            "label": "Rappeler le"},
                           {"type": "checkbox", "key": "message_laisse",
                            "label": "Message laissé"},
                           {"type": "textfield", "key": "telephone", "label": "Téléphone",
                            "validate": {"pattern": "^0[0-9]{9}$"}}]}


def with_call(xml: bytes = VOLONTAIRE) -> bytes:
    xml = xml.replace(b'xmlns:bpmn=', CAMUNDA + b' xmlns:bpmn=', 1) if CAMUNDA not in xml \
        else xml
    xml = xml.replace(b'<bpmn:sequenceFlow id="f_t_01" sourceRef="demande_stage_volontaire" '
                      b'targetRef="parcours_stage" />',
                      b'<bpmn:sequenceFlow id="f_t_01" sourceRef="demande_stage_volontaire" '
                      b'targetRef="appeler_conducteur" />' + CALL, 1)
    return xml.replace(b"<bpmn:incoming>f_t_01</bpmn:incoming>",
                       b"<bpmn:incoming>f_oui</bpmn:incoming><bpmn:incoming>f_rel"
                       b"</bpmn:incoming>", 1)


def form_bytes(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


def multipart(api, path, xml, forms: dict[str, bytes], as_="designer"):
    data = {"bpmn": (io.BytesIO(xml), "stage_volontaire.bpmn")}
    for n, (name, content) in enumerate(forms.items()):
        data[f"form{n}"] = (io.BytesIO(content), name)
    return api.http.post(path, headers={"Authorization": f"Bearer {api.tokens[as_]}"},
                         data=data, content_type="multipart/form-data")


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def shipped_forms() -> dict[str, bytes]:
    from tests.designer_support import ROOT
    return {p.name: p.read_bytes() for p in (ROOT / "bpmn" / "forms").glob("*.form")
            if p.stem != "signalement_parquet"}


VERSIONS = "/api/v1/processes/stage_volontaire/versions"


def deploy_call(api, form=None):
    forms = {**shipped_forms(), "appel.form": form_bytes(form or call_form())}
    resp = multipart(api, VERSIONS, with_call(), forms)
    assert resp.status_code == 201, resp.get_data(as_text=True)[:1500]
    return resp.get_json()


@pytest.fixture
def waiting(api):
    api.set_today("02/03/2026")
    deploy_call(api)
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    return api, api.voluntary_case("120175200123")


# ---- the designer's task end to end -------------------------------------------------------------

def test_the_task_schema_comes_from_its_form(waiting):
    api, case = waiting
    form = api.task(case["id"], "appeler_conducteur")["form"]
    assert form["required"] == ["joint"] and form["additionalProperties"] is False
    assert form["properties"]["joint"]["enum"] == ["oui", "non"]
    assert form["properties"]["appels"] == {"title": "Nombre d'appels", "type": "number",
                                            "minimum": 1, "maximum": 10}
    assert form["properties"]["rappel_le"]["format"] == "date"
    assert form["properties"]["message_laisse"]["type"] == "boolean"


@pytest.mark.parametrize(("answer", "status", "task"), [
    ("oui", "en_attente_inscription", None), ("non", "relancer_conducteur", "relancer_conducteur")])
def test_a_gateway_reads_the_answer(waiting, answer, status, task):
    api, case = waiting
    task_id = api.task(case["id"], "appeler_conducteur")["id"]
    done = api.ok(api.post(f"/api/v1/tasks/{task_id}/complete",
                           {"data": {"joint": answer, "appels": 2}}, as_="agent"))
    assert done["status"] == status
    if task:
        assert api.task(case["id"], task)["title"] == "Relancer le conducteur"
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events"))["items"]
    done_event = next(e for e in events if e["type"] == "tache_terminee")
    assert done_event["detail"]["joint"] == answer and done_event["detail"]["appels"] == 2


@pytest.mark.parametrize(("data", "field", "message"), [
    ({}, "data.joint", "Champ obligatoire."),
    ({"joint": "peut-etre"}, "data.joint", "Valeur non permise"),
    ({"joint": "oui", "appels": 0}, "data.appels", "supérieur ou égal à 1"),
    ({"joint": "oui", "appels": "deux"}, "data.appels", "Type attendu : nombre."),
    ({"joint": "oui", "rappel_le": "31/02/2026"}, "data.rappel_le", "Date invalide"),
    ({"joint": "oui", "message_laisse": "oui"}, "data.message_laisse", "vrai ou faux"),
    ({"joint": "oui", "inconnu": 1}, "data.inconnu", "Champ inconnu."),
    ({"joint": "oui", "telephone": "12"}, "data.telephone", "Format invalide."),
])
def test_bad_answers_are_refused_per_field_and_nothing_is_stored(waiting, data, field, message):
    api, case = waiting
    task_id = api.task(case["id"], "appeler_conducteur")["id"]
    body = assert_problem(api.post(f"/api/v1/tasks/{task_id}/complete", {"data": data},
                                   as_="agent"), 422, field)
    assert message in body["errors"][field][0]
    assert api.task(case["id"], "appeler_conducteur")["id"] == task_id
    assert api.case(case["id"])["status"] == "appeler_conducteur"  # its id: no statut drawn


def test_the_case_page_renders_the_form_checks_it_and_shows_the_answers(waiting):
    api, case = waiting
    ui = UiClient(api.app)
    ui.login("agent")
    page = ui.get(f"/ui/dossiers/{case['id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Le conducteur a-t-il été joint ?" in html and "Appelez le numéro du dossier." in html
    assert "Appelez le conducteur avant le stage." in html and 'type="date"' in html
    task_id = api.task(case["id"], "appeler_conducteur")["id"]
    url = f"/ui/dossiers/{case['id']}/taches/{task_id}"
    refused = ui.post(url, {"appels": "0"})
    assert refused.status_code == 422
    assert "Champ obligatoire." in text(refused) and "supérieur ou égal à 1" in text(refused)
    assert f't{task_id}-joint-messages' in refused.get_data(as_text=True)
    assert f'aria-describedby="t{task_id}-joint-hint"' in html
    done = ui.post(url, {"joint": "oui", "appels": "3", "rappel_le": "2026-03-10",
                         "message_laisse": "on", "telephone": ""})
    assert done.status_code == 302, text(done)[:800]
    after = ui.get(f"/ui/dossiers/{case['id']}")
    shown = text(after)
    assert "Réponses déjà données" in shown and "Le conducteur a-t-il été joint ? : Oui" in shown
    assert "Rappeler le : 10/03/2026" in shown and "Message laissé : oui" in shown


# ---- intake, read back, export --------------------------------------------------------------

def test_a_raw_bpmn_keeps_the_forms_it_references(api):
    deploy_call(api)
    resp = api.request("POST", VERSIONS, as_="designer", raw=with_call().replace(
        b"Appeler le conducteur", b"Appeler le titulaire"), headers=xml_headers())
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    forms = api.ok(api.get(f"{VERSIONS}/{resp.get_json()['version']}/forms", as_="designer"))
    assert sorted(forms["forms"]) == ["appel_conducteur", "examen_manuel",
                                      "verification_attestation"]


def test_a_zip_bundle_is_deployed_exported_and_read_back(api):
    entries = {"processus/stage_volontaire.bpmn": with_call(),
               **{f"processus/formulaires/{n}": c for n, c in shipped_forms().items()},
               "appel.form": form_bytes(call_form()), "LISEZMOI.txt": b"ignored"}
    resp = api.request("POST", VERSIONS, as_="designer", raw=zipped(entries),
                       headers={"Content-Type": "application/zip"})
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    number = resp.get_json()["version"]
    forms = api.ok(api.get(f"{VERSIONS}/{number}/forms", as_="designer"))["forms"]
    assert forms["appel_conducteur"]["components"][1]["key"] == "joint"
    bundle = api.get(f"{VERSIONS}/{number}/bundle", as_="designer")
    assert bundle.status_code == 200 and bundle.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(bundle.data)).namelist()
    assert "stage_volontaire.bpmn" in names and "forms/appel_conducteur.form" in names
    again = api.request("POST", VERSIONS, as_="designer", raw=bundle.data,
                        headers={"Content-Type": "application/zip"})
    assert again.status_code == 201 and again.get_json()["version"] == number  # unchanged


def test_a_draft_keeps_its_forms_and_its_problems(api):
    resp = multipart(api, "/api/v1/processes/stage_volontaire/drafts", with_call(),
                     {**shipped_forms(), "appel.form": form_bytes(call_form(values=[]))})
    draft = api.ok(resp, 201)
    assert draft["valid"] is False
    assert any("forms/appel_conducteur.form" == p["element_id"] for p in draft["problems"])
    forms = api.ok(api.get(f"/api/v1/drafts/{draft['id']}/forms", as_="designer"))["forms"]
    assert forms["appel_conducteur"]["id"] == "appel_conducteur"
    exported = api.get(f"/api/v1/drafts/{draft['id']}/bundle", as_="designer")
    assert exported.status_code == 200
    assert "forms/appel_conducteur.form" in zipfile.ZipFile(io.BytesIO(exported.data)).namelist()


@pytest.mark.parametrize("path", [
    "/api/v1/drafts/{d}/forms", "/api/v1/drafts/{d}/bundle",
    "/api/v1/processes/stage_volontaire/versions/1/forms",
    "/api/v1/processes/stage_volontaire/versions/1/bundle"])
@pytest.mark.parametrize("role", ["agent", "centre75"])
def test_other_roles_get_403(api, path, role):
    draft = api.ok(api.request("POST", "/api/v1/processes/stage_volontaire/drafts",
                               as_="designer", raw=VOLONTAIRE, headers=xml_headers()), 201)
    assert_problem(api.get(path.format(d=draft["id"]), as_=role), 403)
    assert api.get(path.format(d=draft["id"]), as_="admin").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/drafts/999/forms", "/api/v1/drafts/999/bundle",
                                  "/api/v1/processes/stage_volontaire/versions/99/forms",
                                  "/api/v1/processes/stage_volontaire/versions/99/bundle"])
def test_unknown_draft_or_version_is_404(api, path):
    assert_problem(api.get(path, as_="designer"), 404)


# ---- the bundle checked as a whole ------------------------------------------------------------

def _refused(api, forms, xml=None, where="versions"):
    from tests.api_errors_support import snapshot
    with api.app.app_context():
        before = snapshot()
    resp = multipart(api, f"/api/v1/processes/stage_volontaire/{where}", xml or with_call(),
                     forms)
    body = assert_problem(resp, 422)
    with api.app.app_context():
        assert snapshot() == before
    return body


@pytest.mark.parametrize(("change", "where", "needle"), [
    ({"type": "signature"}, "forms/appel_conducteur.form", "type de champ inconnu"),
    ({"key": None}, "forms/appel_conducteur.form", "champ sans clé"),
    ({"key": "2joint"}, "forms/appel_conducteur.form", "clé de champ refusée"),
    ({"key": "dossier"}, "forms/appel_conducteur.form", "clé de champ refusée"),
    ({"key": "title"}, "forms/appel_conducteur.form", "clé de champ refusée"),
    ({"key": "appels"}, "forms/appel_conducteur.form", "clé de champ en double"),
    ({"values": []}, "forms/appel_conducteur.form", "valeurs"),
    ({"validate": {"pattern": "(a+)+$"}}, "forms/appel_conducteur.form", "motif (pattern)"),
    ({"validate": {"pattern": "[a-"}}, "forms/appel_conducteur.form", "motif (pattern)"),
    ({"validate": {"pattern": "a" * 201}}, "forms/appel_conducteur.form", "trop long"),
    ({"validate": {"minLength": 5, "maxLength": 2}}, "forms/appel_conducteur.form",
     "plus grand"),
    ({"label": "=concat(a)"}, "forms/appel_conducteur.form", "FEEL"),
])
def test_a_bad_field_is_refused_naming_the_file(api, change, where, needle):
    body = _refused(api, {**shipped_forms(), "appel.form": form_bytes(call_form(**change))})
    assert any(needle in m for m in body["errors"][where]), body


def test_a_form_ref_naming_no_form_is_refused_naming_the_task(api):
    body = _refused(api, shipped_forms())
    assert "formulaire introuvable" in body["errors"]["appeler_conducteur"][0]


def test_a_form_no_task_uses_is_refused_naming_the_file(api):
    extra = call_form()
    extra["id"] = "orphelin"
    body = _refused(api, {**shipped_forms(), "appel.form": form_bytes(call_form()),
                          "orphelin.form": form_bytes(extra)})
    assert "aucune tâche" in body["errors"]["forms/orphelin.form"][0]


@pytest.mark.parametrize("content", [b"{pas du json", b'{"id": "x"}', b"[]",
                                     b'{"id": "appel_conducteur", "type": "default", '
                                     b'"components": [' + b'{"type": "text"},' * 100
                                     + b'{"type": "text"}]}'])
def test_a_file_that_is_not_a_form_is_refused(api, content):
    body = _refused(api, {**shipped_forms(), "appel.form": content})
    assert body["errors"], body


def test_a_contract_task_must_keep_its_decisions(api):
    forms = shipped_forms()
    doc = json.loads(forms["verification_attestation.form"])
    doc["components"][1]["values"] = [{"value": "valider", "label": "Valider"}]
    del doc["components"][1]["properties"]  # its confirmation names « refuser », gone too
    forms["verification_attestation.form"] = form_bytes(doc)
    body = _refused(api, {**forms, "appel.form": form_bytes(call_form())})
    assert "valider, refuser" in body["errors"]["verification_attestation"][0]


def test_a_contract_task_without_a_form_is_refused(api):
    xml = with_call().replace(b'camunda:formRef="verification_attestation" ', b"", 1)
    forms = {k: v for k, v in shipped_forms().items() if "verification" not in k}
    body = _refused(api, {**forms, "appel.form": form_bytes(call_form())}, xml)
    assert "doit avoir un formulaire" in body["errors"]["verification_attestation"][0]


@pytest.mark.parametrize(("content", "needle"), [
    (b"not a zip", "pas une archive zip"),
    (zipped({"a.form": b"{}"}), "exactement un fichier .bpmn"),
    (zipped({"a.bpmn": VOLONTAIRE, "b.bpmn": VOLONTAIRE}), "exactement un fichier .bpmn"),
    (zipped({"../evil.bpmn": VOLONTAIRE}), "chemin interdit"),
    (zipped({"/abs.bpmn": VOLONTAIRE}), "chemin interdit"),
    (zipped({f"f{n}.txt": b"" for n in range(201)}), "trop de fichiers"),
    (zipped({"bombe.bpmn": b"\0" * (6 * 1024 * 1024)}), "trop volumineux"),
])
@pytest.mark.parametrize("where", ["versions", "drafts"])
def test_a_bad_zip_is_422_in_french(api, content, needle, where):
    resp = api.request("POST", f"/api/v1/processes/stage_volontaire/{where}", as_="designer",
                       raw=content, headers={"Content-Type": "application/zip"})
    body = assert_problem(resp, 422, "body")
    assert needle in body["errors"]["body"][0]


def test_an_empty_zip_body_is_422(api):
    resp = api.request("POST", VERSIONS, as_="designer", raw=b"",
                       headers={"Content-Type": "application/zip"})
    assert_problem(resp, 422, "body")


# ---- diff and migration ---------------------------------------------------------------------

def test_a_changed_field_shows_in_the_version_diff(api):
    first = deploy_call(api)["version"]
    second = deploy_call(api, call_form(label="Joint ?", validate={"required": False}))
    diff = api.ok(api.get(f"{VERSIONS}/{second['version']}/diff", against=first))
    task = next(c for c in diff["changed"] if c["id"] == "appeler_conducteur")
    change = next(c for c in task["changes"] if c["what"] == "formulaire")
    assert change["before"].startswith("joint : « Le conducteur a-t-il été joint ? »")
    assert "obligatoire" in change["before"] and "obligatoire" not in change["after"]


@pytest.mark.parametrize(("form", "safe"), [
    (call_form(label="Avez-vous joint le conducteur ?"), True),
    (call_form(values=[{"value": "oui", "label": "Oui"}, {"value": "non", "label": "Non"},
                       {"value": "absent", "label": "Absent"}]), False),
])
def test_migration_of_a_case_waiting_at_a_changed_form(waiting, form, safe):
    api, case = waiting
    target = deploy_call(api, form)["version"]
    rows = api.ok(api.get(f"{VERSIONS}/{target}/migrations", as_="designer"))["items"]
    row = next(r for r in rows if r["case"] == case["id"])
    assert row["safe"] is safe, row
    if not safe:
        assert any("formulaire" in r for r in row["reasons"])


# ---- no 5xx for a version whose form cannot be read ---------------------------------------------

def test_an_unreadable_form_shows_a_french_message_never_a_500(waiting):
    api, case = waiting
    from sqlalchemy import update

    from services.db import db
    from services.models import ProcessVersion
    with api.app.app_context():
        db.session.execute(update(ProcessVersion).where(ProcessVersion.version == 2).values(
            files={"forms/appel_conducteur.form": "{pas du json"}, checksum="abimee"))
        db.session.commit()
    items = api.ok(api.get("/api/v1/tasks"))["items"]
    task = next(t for t in items if t["key"] == "appeler_conducteur")
    assert "illisible" in task["form"]["description"]
    refused = assert_problem(api.post(f"/api/v1/tasks/{task['id']}/complete",
                                      {"data": {"joint": "oui"}}, as_="agent"), 422)
    assert "illisible" in refused["detail"]
    ui = UiClient(api.app)
    ui.login("agent")
    page = ui.get(f"/ui/dossiers/{case['id']}")
    assert page.status_code == 200 and "Le formulaire de cette tâche est illisible" in text(page)
    listing = ui.get("/ui/taches")
    assert listing.status_code == 200 and "Formulaire illisible" in text(listing)
    assert api.get(f"{VERSIONS}/2/forms", as_="designer").status_code == 200
    assert api.get(f"{VERSIONS}/2/bundle", as_="designer").status_code == 200
    assert api.get(f"{VERSIONS}/2/diff").status_code == 200
