"""Issue 15's acceptance in a real browser (Chromium headless, axe-checked): a designer changes a
DMN decision table in a draft, the case takes the other path once the draft is deployed, and
the clerk downloads the prosecutor letter a catalogue service task made.

The module's server starts on the example bundle `features/exemples/signalement_par_groupe/`
(the shipped mandatory process with, before the referral task, the table « Groupe du
signalement » and the service task `affecter_groupe` that offers the task to the group it
chose; after a « signaler » decision, the service task `generer_courrier` that makes
« Signalement au procureur de la République »). Two groups: « Signalements » (agent) and
« Contrôle » (agent2). The table sends a driver who did not attend a course to « Signalements ».

The designer opens the modeler on that version, opens the table in dmn-js from the
business-rule task, types « "controle" » into the output cell of the rule such a case matches,
saves the table and the draft, runs the scenarios and deploys through the UI.

Scenarios chosen for the gate, and why they stay green after the change:
- `signalement_par_groupe`: the designers' own feature; it deploys the example as it is
  written (the group « Signalements »), so the draft's edit does not concern it;
- `presence_et_attestation`: runs the draft's mandatory process itself on the course path,
  which the edit does not touch.
`signalement` is left out on purpose: it runs the draft's referral in a sandbox whose database
has no clerks' group « controle » (only the groups that lanes name are created there), so the
`affecter_groupe` action would be an incident, which is what a real deployment without that
group would do too.

Then a mandatory case opened on the new version is brought past its four-month deadline (the
manual clock and the timer service, as the other tests do): its referral task is offered to
« Contrôle »; the clerk of « Signalements » sees it reserved. The clerk of « Contrôle » decides
« Signaler au parquet » in the browser; the case page lists the letter under « Courriers »; the
downloaded PDF's text (pypdf) holds the case's reference, the driver's name, the 48N's dates
and the deadline.

With DOCS_SCREENSHOTS=1 the test also writes docs/img/decisions-*.png (docs/designers.md)."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest

from tests.browser.conftest import (
    PASSWORD,
    ROOT,
    TODAY,
    accessible,
    fresh_app,
    login,
    serve,
    tick,
)
from tests.browser.conftest import doc_shot as conftest_doc_shot

KEY = "stage_obligatoire"
EXAMPLE = ROOT / "features" / "exemples" / "signalement_par_groupe"
RULE_TASK = "choisir_groupe_signalement"
TABLE = "groupe_signalement"
CELL = "sans_stage_out"  # the rule « Attestation délivrée = False » : a driver without a course
FEATURES = ("signalement_par_groupe", "presence_et_attestation")
RUN_TIMEOUT = 300_000  # ms: the sandbox is a pytest process of its own
VIEWPORT = {"width": 1280, "height": 800}
RECEIVED, SENT = TODAY, TODAY - dt.timedelta(days=4)  # the 48N: 16 and 12 March 2026
DEADLINE = dt.date(2026, 7, 16)  # four months after the receipt (D1)


FRAME = """() => {  // the canvas on the referral: the table's task, the two service tasks
  window.DesignerEditor.focusElement('confier_signalement');
  const m = window.DesignerEditor.modeler, r = m.get('elementRegistry');
  const from = r.get('constater_non_conformite'), to = r.get('fusion_fin_surveillance');
  m.get('canvas').viewbox({x: from.x - 220, y: from.y - 80, width: to.x + 300 - from.x,
                           height: 360});
  m.get('contextPad').close();
}"""


def _seed(app):
    from services import groups, processes, users
    from services.clock import PARIS, clock
    from services.db import transaction

    with app.app_context():
        with transaction():
            clock().set(dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=PARIS))
            processes.deploy_shipped("tests")
            for username, role in (("conceptrice", "designer"), ("agent", "agent"),
                                   ("agent2", "agent")):
                users.create(username, role, PASSWORD)
        groups.create("signalements", "Signalements")
        groups.create("controle", "Contrôle")
        groups.set_user_groups("agent", ["signalements"])
        groups.set_user_groups("agent2", ["controle"])
        # the example as a designer would have deployed it (its forms and letters: the shipped
        # version's, inherited)
        files = {f"decisions/{p.name}": p.read_text(encoding="utf-8")
                 for p in sorted(EXAMPLE.glob("*.dmn"))}
        with transaction():
            version, created = processes.deploy(KEY, (EXAMPLE / f"{KEY}.bpmn").read_bytes(),
                                                "conceptrice", files=files)
        assert created and version.version == 2


def _open_mandatory_case(app) -> tuple[int, str]:
    """A mandatory case opened after the deployment (it runs the designer's version)."""
    from services import cases, licences
    from services.db import transaction
    from services.demo import speeding

    with app.app_context():
        with transaction():
            lic = licences.create({"number": "120175200915", "holder": {
                "last_name": "Lefèvre", "first_name": "Camille", "birth_date": dt.date(2002, 4, 9)},
                "obtained_on": TODAY - dt.timedelta(days=500), "probation": "classic",
                "formation_complementaire": False, "balance": None}, "tests")
            inf = licences.add_infraction(lic, speeding(TODAY - dt.timedelta(days=60)), "tests")
            case = cases.create({"kind": "obligatoire", "licence": lic.number,
                                 "infraction": inf.id,
                                 "letter_48n": {"sent_on": SENT, "receipt": "signed",
                                                "received_on": RECEIVED}}, "tests")
            assert case.deadline == DEADLINE
            return case.id, case.reference


def _past_the_deadline(app) -> None:
    """The day after the deadline: the timer fires, the referral task opens."""
    from services import timers
    from services.clock import PARIS, clock
    from services.db import transaction

    with app.app_context():
        with transaction():
            clock().set(dt.datetime.combine(DEADLINE + dt.timedelta(days=1), dt.time(9, 0),
                                            tzinfo=PARIS))
        assert timers.run_due("tests") >= 1


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = fresh_app(tmp_path_factory, "decisions")
    _seed(app)
    yield from serve(app)


def doc_shot(page, name: str, locator=None) -> None:
    conftest_doc_shot(page, f"decisions-{name}", f"decisions-{name}", locator)


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split())
                    for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _edit_the_table(page) -> None:
    """Open the business-rule task's table in dmn-js and type the other group into the output
    cell of the rule the case will match, as a designer does (click, select, type)."""
    page.evaluate("id => window.DesignerEditor.focusElement(id)", RULE_TASK)
    page.get_by_role("button", name="Table de décision de la tâche").click()
    panel = page.locator("#decision-editor-panel")
    panel.locator(".tjs-table").wait_for(state="visible")
    assert panel.get_by_text("Groupe du signalement").count() >= 1
    cell = panel.locator(f"td[data-element-id='{CELL}'] [contenteditable]").first
    if not cell.count():
        cell = panel.locator(f"td[data-element-id='{CELL}']")
    assert cell.inner_text().strip() == '"signalements"'
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type('"controle"')
    page.wait_for_function(  # dmn-js applies a cell's text through its command stack
        "() => { const v = window.DesignerEditor.dmn().getActiveViewer(); const e = "
        f"v.get('elementRegistry').get('{CELL}'); return e && "
        "e.businessObject.text === '\"controle\"'; }", polling=200)
    accessible(page, "éditeur de tables de décision")
    doc_shot(page, "01-table", panel)
    page.get_by_role("button", name="Enregistrer la table").click()
    assert panel.is_hidden()
    assert '"controle"' in page.evaluate(f"() => window.DesignerEditor.decisions['{TABLE}']")


def _run_and_deploy(page, draft: int) -> None:
    page.get_by_role("link", name=f"Tester et déployer le brouillon n° {draft}").click()
    page.wait_for_selector("#draft-body:not([hidden])")
    assert page.locator("#draft-valid").is_visible()
    page.get_by_role("button", name="Tout décocher").click()
    for feature in FEATURES:
        page.locator(f"label[for='feature-{feature}']").click()
    page.get_by_role("button", name="Lancer les scénarios").click()
    page.wait_for_selector("#h-run")
    page.wait_for_function("() => { const b = document.querySelector('#h-run .fr-badge');"
                           " return b && !/en attente|en cours/i.test(b.textContent); }",
                           timeout=RUN_TIMEOUT)
    assert page.locator("#h-run .fr-badge").inner_text().lower() == "réussi", \
        page.locator("#test-run").inner_text()
    results = page.locator("#test-run").inner_text()
    assert all(feature in results for feature in FEATURES), results  # both features ran
    accessible(page, "scénarios du brouillon")
    doc_shot(page, "04-scenarios")
    page.wait_for_function("() => !document.getElementById('deploy').disabled")
    page.get_by_role("button", name="Déployer ce brouillon").click()
    page.locator("#deploy-result .fr-alert--success").wait_for()
    assert "déployée" in page.locator("#deploy-result").inner_text()
    accessible(page, "brouillon déployé")


def test_a_decision_table_edited_in_a_draft_routes_the_referral_and_the_letter_downloads(
        open_page, server):
    # -- the designer: the table edited in a draft, tested, deployed
    designer = open_page(VIEWPORT)
    login(designer, "conceptrice")
    designer.goto(f"/ui/processus/{KEY}/editeur")
    designer.wait_for_selector("#canvas[data-ready='true']")
    accessible(designer, "modeleur")
    _edit_the_table(designer)
    designer.get_by_role("button", name="Enregistrer le brouillon").click()
    designer.wait_for_function("() => document.getElementById('canvas').dataset.draft")
    draft = int(designer.locator("#canvas").get_attribute("data-draft"))
    assert designer.locator("#no-problem").is_visible(), designer.locator("#problems").inner_text()
    designer.evaluate(FRAME)
    row = designer.locator(".fr-grid-row", has=designer.locator("#canvas"))
    row.scroll_into_view_if_needed()
    doc_shot(designer, "02-brouillon", row)
    # the service task's action and parameters, as the catalogue's section shows them
    section = designer.locator("#catalogue-action")
    section.wait_for(state="visible")
    assert designer.get_by_label("Action", exact=True).input_value() == "affecter_groupe"
    values = section.locator("input").evaluate_all("l => l.map(i => i.value)")
    assert "signalement_parquet" in values and "=groupe_signalement" in values, values
    accessible(designer, "action du catalogue")
    doc_shot(designer, "03-action", section)
    _run_and_deploy(designer, draft)

    # -- a case on the new version, brought to the referral
    case_id, reference = _open_mandatory_case(server.app)
    _past_the_deadline(server.app)

    # the clerk of « Signalements » (the table's group before the edit): reserved to the other
    outsider = open_page(VIEWPORT)
    login(outsider, "agent")
    outsider.goto("/ui/taches")
    row = outsider.locator("#task-table tbody tr", has_text="Décider du signalement au parquet")
    assert row.count() == 1
    assert "réservée au groupe « contrôle »" in row.inner_text().lower()  # badge in capitals
    assert row.get_by_role("button", name="Prendre").count() == 0
    accessible(outsider, "tâches d'un agent hors du groupe")
    doc_shot(outsider, "05-reservee", outsider.locator("#task-table"))

    # -- the clerk of « Contrôle » refers the case to the prosecutor
    clerk = open_page(VIEWPORT)
    login(clerk, "agent2")
    clerk.goto(f"/ui/dossiers/{case_id}")
    task = clerk.locator("section.ui-task", has_text="Décider du signalement au parquet")
    # the decision, in French in the case's history
    assert "Décision « Groupe du signalement »" in clerk.locator("main").inner_text()
    accessible(clerk, "dossier à signaler")
    tick(task.get_by_label("Signaler au parquet"))
    task.get_by_role("button", name="Enregistrer la décision").click()
    clerk.wait_for_load_state()
    letters = clerk.locator("#courriers")
    link = letters.get_by_role("link", name="Signalement au procureur de la République")
    assert link.count() == 1, letters.inner_text()
    accessible(clerk, "dossier signalé, courrier joint")
    letters.scroll_into_view_if_needed()
    doc_shot(clerk, "06-courriers", letters)

    with clerk.expect_download() as info:
        link.click()
    download = info.value
    pdf = open(download.path(), "rb").read()  # noqa: SIM115 - a file Playwright owns
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (reference, "Camille Lefèvre", "120175200915",
                     "envoyée le 12 mars 2026", "le 16 mars 2026",  # the 48N's dates
                     "expiré le 16 juillet 2026"):  # the deadline
        assert expected in text, f"« {expected} » absent du courrier : {text[:2000]}"
