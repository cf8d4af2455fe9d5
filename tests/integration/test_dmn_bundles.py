"""DMN decision tables in the bundle (issue 15 item 1): zip, multipart and drafts carry
`decisions/*.dmn`; a table with an error is a 422 naming the table, the rule and the column,
nothing stored; the version diff shows a changed rule; a case's decisions are in its history in
French; a decision broken at run time is an incident on the case, never a 5xx."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from services.db import db
from services.models import Incident, ProcessVersion
from tests.api_errors_support import assert_problem
from tests.designer_support import ROOT
from tests.ui_support import UiClient, text

KEY = "stage_obligatoire"
VERSIONS = f"/api/v1/processes/{KEY}/versions"
DRAFTS = f"/api/v1/processes/{KEY}/drafts"
BPMN = (ROOT / "bpmn" / f"{KEY}.bpmn").read_bytes()
DMN_PATH = "decisions/delai_relance_signalement.dmn"
DMN = (ROOT / "bpmn" / DMN_PATH).read_text("utf-8")
FORMS = {p.name: p.read_bytes() for p in (ROOT / "bpmn" / "forms").glob("*.form")}
NUM = "120175200123"
TABLE = ("table de décision « Délai de relance du signalement » (delai_relance_signalement, "
         "decisions/delai_relance_signalement.dmn)")


def upload(api, path, dmn: str | None, as_="designer"):
    files = [(io.BytesIO(BPMN), f"{KEY}.bpmn")]
    files += [(io.BytesIO(c), n) for n, c in FORMS.items()]
    if dmn is not None:
        files.append((io.BytesIO(dmn.encode()), "delai.dmn"))
    return api.http.post(path, headers={"Authorization": f"Bearer {api.tokens[as_]}"},
                         data={"fichier": files}, content_type="multipart/form-data")


def versions() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(ProcessVersion.id)))


def mandatory_case_at_referral(api):
    return api.case_at_referral(NUM)


def test_a_zip_bundle_with_a_table_is_deployed_exported_and_read_back(api):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"processus/{KEY}.bpmn", BPMN)
        for name, content in FORMS.items():
            z.writestr(f"processus/forms/{name}", content)
        z.writestr("tables/delai.dmn", DMN.replace('"P7D"', '"P3D"'))
    resp = api.request("POST", VERSIONS, as_="designer", raw=archive.getvalue(),
                       headers={"Content-Type": "application/zip"})
    assert resp.status_code == 201, resp.get_data(as_text=True)[:1500]
    number = resp.get_json()["version"]
    bundle = api.get(f"{VERSIONS}/{number}/bundle", as_="designer")
    exported = zipfile.ZipFile(io.BytesIO(bundle.data))
    assert DMN_PATH in exported.namelist()
    assert '"P3D"' in exported.read(DMN_PATH).decode()
    again = api.request("POST", VERSIONS, as_="designer", raw=bundle.data,
                        headers={"Content-Type": "application/zip"})
    assert again.status_code == 201 and again.get_json()["version"] == number  # unchanged


@pytest.mark.parametrize(("change", "needle"), [
    (('<text>False</text>', "<text>__import__('os')</text>"),
     f"{TABLE} : règle 1 (« sans_attestation »), colonne « Attestation délivrée » : cellule "
     "« __import__('os') » refusée"),
    (('dossier["attestation_delivree"]', "age_conducteur"),
     f"{TABLE} : colonne d'entrée « Attestation délivrée » : nom inconnu « age_conducteur »"),
    (('hitPolicy="UNIQUE"', 'hitPolicy="OUTPUT ORDER"'),
     f"{TABLE} : politique de résultat inconnue « OUTPUT ORDER »"),
    (('<text>True</text>', "<text>False</text>"),
     "règle 1 (« sans_attestation ») et règle 2 (« avec_attestation ») : elles peuvent "
     "s'appliquer toutes deux"),
    (('expressionLanguage="python"', 'expressionLanguage="feel"'),
     "langage d'expression « feel » refusé"),
])
def test_a_table_with_an_error_is_422_naming_table_rule_and_column(api, change, needle):
    before = versions()
    resp = upload(api, VERSIONS, DMN.replace(*change))
    body = assert_problem(resp, 422, DMN_PATH)
    assert any(needle in m for m in body["errors"][DMN_PATH]), body["errors"]
    assert versions() == before


def test_a_decision_ref_naming_no_table_is_422_on_the_task(api):
    resp = upload(api, VERSIONS, DMN.replace('id="delai_relance_signalement"', 'id="autre"'))
    body = assert_problem(resp, 422, "fixer_delai_relance_signalement")
    assert "table de décision introuvable : « delai_relance_signalement »" in str(body)
    assert "utilisée par aucune tâche de règle métier" in str(body["errors"]["decisions/autre.dmn"])


def test_a_draft_keeps_its_table_and_its_diff_shows_the_changed_rule(api):
    draft = api.ok(upload(api, DRAFTS, DMN.replace('"P7D"', '"P3D"')), 201)
    assert draft["valid"] is True, draft["problems"]
    exported = api.get(f"/api/v1/drafts/{draft['id']}/bundle", as_="designer")
    assert DMN_PATH in zipfile.ZipFile(io.BytesIO(exported.data)).namelist()
    diff = api.ok(api.get(f"/api/v1/drafts/{draft['id']}/diff", as_="designer"))
    [task] = [c for c in diff["changed"] if c["id"] == "fixer_delai_relance_signalement"]
    assert [(c["what"], c["before"], c["after"]) for c in task["changes"]] == [
        ("table de décision",
         'règle 1 (sans_attestation) : Attestation délivrée False → delai_relance = "P7D"',
         'règle 1 (sans_attestation) : Attestation délivrée False → delai_relance = "P3D"')]


def test_a_draft_with_a_broken_table_is_kept_with_its_problems(api):
    draft = api.ok(upload(api, DRAFTS, DMN.replace("<text>False</text>", "<text>[1..3]</text>")),
                   201)
    assert draft["valid"] is False
    assert any(p["element_id"] == DMN_PATH and "règle 1" in p["message"]
               for p in draft["problems"])
    assert_problem(api.post(f"/api/v1/drafts/{draft['id']}/test-runs", {}, as_="designer"), 422)


def test_the_decision_is_in_the_case_history_in_french(api):
    case = mandatory_case_at_referral(api)
    assert api.task(case["id"], "signalement_parquet")
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events", per_page=100))["items"]
    [made] = [e for e in events if e["type"] == "decision_table"]
    assert made["detail"]["message"] == (
        "Décision « Délai de relance du signalement » : règle 1 retenue (entrées : Attestation "
        "délivrée = non) → Délai de relance = « P7D »")
    assert made["detail"]["sorties"] == {"delai_relance": "P7D"}
    assert made["detail"]["libelles_sorties"] == {"delai_relance": "Délai de relance"}
    ui = UiClient(api.app)
    ui.login("agent")
    page = text(ui.get(f"/ui/dossiers/{case['id']}"))
    assert "Décision d&#39;une table (DMN)" in page or "Décision d'une table (DMN)" in page
    assert "Décision « Délai de relance du signalement » : règle 1 retenue" in page


def test_the_reminder_fires_after_the_delay_the_table_chose(api):
    case = mandatory_case_at_referral(api)
    api.set_today("17/07/2026")
    api.run_timers()
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events", per_page=100))["items"]
    assert "relance" not in [e["type"] for e in events]
    api.set_today("19/07/2026")  # opened on 11/07 at midnight + P7D: due just after 18/07 0 h
    api.run_timers()
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events", per_page=100))["items"]
    assert "relance" in [e["type"] for e in events]


def test_an_overlap_at_run_time_is_an_incident_on_the_case_never_a_5xx(api):
    # cells that differ in text (not seen at deployment) but both hold for False
    overlapping = DMN.replace("<text>True</text>", "<text>? in (True, False)</text>")
    resp = upload(api, VERSIONS, overlapping)
    assert resp.status_code == 201, resp.get_data(as_text=True)[:1500]
    case = mandatory_case_at_referral(api)
    db.session.rollback()
    [incident] = db.session.scalars(select(Incident)).all()
    assert (incident.case_id, incident.element_id) == (case["id"],
                                                      "fixer_delai_relance_signalement")
    assert "plusieurs règles s'appliquent (1, 2)" in incident.message
    assert api.case(case["id"])["status"] != "signalement_parquet"


@pytest.mark.parametrize("role", ["agent", "centre75"])
def test_other_roles_cannot_upload_a_table(api, role):
    before = versions()
    assert_problem(upload(api, VERSIONS, DMN, as_=role), 403)
    assert versions() == before


def test_a_bundle_sent_without_its_table_keeps_the_one_of_the_version_it_is_based_on(api):
    """The editor may send the BPMN and its forms only: the referenced tables are kept."""
    draft = api.ok(upload(api, DRAFTS, None), 201)
    assert draft["valid"] is True, draft["problems"]
    exported = zipfile.ZipFile(io.BytesIO(
        api.get(f"/api/v1/drafts/{draft['id']}/bundle", as_="designer").data))
    assert exported.read(DMN_PATH).decode() == DMN


def test_the_editor_reads_the_tables_of_a_version_and_of_a_draft(api):
    shipped = api.ok(api.get(f"{VERSIONS}/1/decisions", as_="designer"))
    assert shipped == {"decisions": {"delai_relance_signalement": DMN}}
    draft = api.ok(upload(api, DRAFTS, DMN.replace('"P7D"', '"P3D"')), 201)
    tables = api.ok(api.get(f"/api/v1/drafts/{draft['id']}/decisions", as_="designer"))
    assert '"P3D"' in tables["decisions"]["delai_relance_signalement"]


@pytest.mark.parametrize("role", ["agent", "centre75"])
def test_other_roles_cannot_read_the_tables(api, role):
    draft = api.ok(upload(api, DRAFTS, None), 201)
    for path in (f"{VERSIONS}/1/decisions", f"/api/v1/drafts/{draft['id']}/decisions"):
        assert_problem(api.get(path, as_=role), 403)


def test_unknown_draft_or_version_tables_are_404(api):
    for path in (f"{VERSIONS}/99/decisions", "/api/v1/drafts/999/decisions",
                 "/api/v1/processes/inconnu/versions/1/decisions"):
        assert_problem(api.get(path, as_="designer"), 404)
