"""Issue 14, item 10: the whole designer journey in a real browser (Chromium headless,
axe-checked), then the clerks who meet what the designer drew.

The designer opens the modeler on the voluntary process, adds a lane under the existing flow, a
user task « Appeler le conducteur » in that lane, an exclusive gateway on its answer and a second
task « Écrire au conducteur » for the « non » branch. The shapes and flows are created through
the bpmn-js API (`modeling.addLane`, `createShape`, `connect`, `reconnectEnd` in
`page.evaluate`): palette drag and drop onto a lane is too brittle to drive. Everything the
engine reads is then set through the real inputs of the properties panel: the task's id and
name, the lane's `groupe`, the tasks' `statut`, the conditions of the gateway's flows. The
task's form is built in form-js's editor as a designer does: a radio group dragged from its
palette with the mouse, then its label, key, options and `required` typed and ticked in
form-js's own properties panel. The draft is saved, its scenarios run and it is deployed
through the UI buttons.

Then the clerk of the lane's group finds the task under « Mes groupes », submits the form empty
(the French error under the field), then answers « Non »: the case takes the « non » branch and
shows the designer's status label. A clerk of another group sees the task reserved, without
the button to take it, and a claim posted anyway is refused with the French message.

With DOCS_SCREENSHOTS=1 the test also writes docs/img/designer-*.png (the worked example of
docs/designers.md); CI leaves them alone."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from tests.browser.conftest import (
    PASSWORD,
    TODAY,
    accessible,
    fresh_app,
    login,
    serve,
    tick,
)
from tests.browser.conftest import doc_shot as conftest_doc_shot

KEY = "stage_volontaire"
FEATURE = "concepteurs"  # the designers' own feature: two short scenarios
RUN_TIMEOUT = 240_000  # ms: the sandbox is a pytest process of its own
DOCS_VIEWPORT = {"width": 1280, "height": 800}
EXTENSIONS = "[data-group-id='group-CamundaPlatform__ExtensionProperties']"


def _seed(app):
    from services import groups, processes, users
    from services.clock import PARIS, clock
    from services.db import transaction

    with app.app_context():
        with transaction():
            clock().set(dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=PARIS))
            processes.deploy_shipped("tests")
            for username, role in (("conceptrice", "designer"), ("agent", "agent"),
                                   ("agent2", "agent"), ("admin", "admin")):
                users.create(username, role, PASSWORD)
        groups.create("accueil", "Accueil")
        groups.create("controle", "Contrôle")
        groups.set_user_groups("agent", ["accueil"])
        groups.set_user_groups("agent2", ["controle"])


def _open_case(app) -> int:
    """A voluntary case opened after the deployment: it starts on the designer's version."""
    from services import cases, licences
    from services.db import transaction

    with app.app_context():
        with transaction():
            lic = licences.create({"number": "120175200777", "holder": {
                "last_name": "Appel", "first_name": "Zoé", "birth_date": dt.date(1990, 5, 2)},
                "obtained_on": TODAY - dt.timedelta(days=3000), "probation": "classic",
                "formation_complementaire": False,
                "balance": {"points": 8, "on": TODAY - dt.timedelta(days=200)}}, "tests")
            case = cases.create({"kind": "volontaire", "licence": lic.number}, "tests")
            return case.id


def _open_task(app, case_id: int) -> int:
    from sqlalchemy import select

    from services.db import db
    from services.models import HumanTask

    with app.app_context():
        return db.session.scalar(select(HumanTask.id).where(
            HumanTask.case_id == case_id, HumanTask.state == "open"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = fresh_app(tmp_path_factory, "parcours")
    _seed(app)
    yield from serve(app)


def doc_shot(page, name: str, locator=None) -> None:
    conftest_doc_shot(page, f"parcours-{name}", f"designer-{name}", locator)


FRAME = """ids => {
  const m = window.DesignerEditor.modeler, r = m.get('elementRegistry');
  const lane = r.get(ids.lane), start = r.get('demande_stage_volontaire');
  m.get('canvas').viewbox({x: start.x - 80, y: lane.y - 160, width: 760,
                           height: lane.height + 200});
}"""


def _modeler_shot(page, ids: dict, name: str) -> None:
    """The canvas framed on the designer's lane, with the panel beside it."""
    page.evaluate(FRAME, ids)
    row = page.locator(".fr-grid-row", has=page.locator("#canvas"))
    row.scroll_into_view_if_needed()
    doc_shot(page, name, row)


def _drag(page, source, target) -> None:
    """Drag and drop with the mouse, in small steps: form-js's palette is dragula, which
    starts a drag only after the pointer moved with the button down."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + 30, start["y"] + 30, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 30, steps=10)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 35, steps=3)
    page.mouse.up()


def _form_has(page, predicate: str) -> None:
    """Wait until a component of the form being edited satisfies `predicate` (JavaScript)."""
    page.wait_for_function(f"() => window.DesignerEditor.formEditor().saveSchema().components"
                           f".some({predicate})", polling=200)


def _select(page, element_id: str) -> None:
    page.evaluate("id => window.DesignerEditor.focusElement(id)", element_id)


def _open_group(page, group: str, panel: str = "#properties") -> None:
    """Unfold a group of a properties panel (`group-<id>`) unless it is open."""
    header = page.locator(f"{panel} [data-group-id='group-{group}'] "
                          ".bio-properties-panel-group-header")
    header.wait_for()
    if "open" not in (header.get_attribute("class") or "").split():
        header.click()


def _panel_input(page, entry: str):
    """The panel's input of an entry (bpmn-js-properties-panel ids its inputs
    `bio-properties-panel-<entry id>`)."""
    return page.locator(f"#properties #bio-properties-panel-{entry}")


def _wait_xml(page, text: str) -> None:
    page.wait_for_function(  # the panel's fields are debounced: wait for the model to have it
        "async t => (await window.DesignerEditor.modeler.saveXML()).xml.includes(t)",
        arg=text, polling=200)


def _add_property(page, name: str, value: str) -> None:
    """One more extension property of the selected element, typed in the panel."""
    group = page.locator(f"#properties {EXTENSIONS}")
    group.wait_for()
    badge = group.locator(".bio-properties-panel-list-badge")
    before = int(badge.inner_text()) if badge.count() else 0
    group.locator(".bio-properties-panel-add-entry").click()
    group.locator(f"input[id$='extensionProperty-{before}-name']").fill(name)
    value_input = group.locator(f"input[id$='extensionProperty-{before}-value']")
    value_input.fill(value)
    value_input.press("Tab")
    _wait_xml(page, value)


def _set_condition(page, flow_id: str, expression: str) -> None:
    _select(page, flow_id)
    _open_group(page, "CamundaPlatform__Condition")
    kind = _panel_input(page, "conditionType")
    kind.wait_for()
    kind.select_option("expression")
    field = _panel_input(page, "conditionExpression")
    field.fill(expression)
    field.press("Tab")
    _wait_xml(page, expression.replace('"', "&#34;"))


DRAW = """() => {
  const m = window.DesignerEditor.modeler, registry = m.get('elementRegistry'),
    modeling = m.get('modeling'), factory = m.get('elementFactory');
  const pool = registry.get('participant_stage_volontaire');
  // room for the new lane: the pool below moves down first
  modeling.moveElements([registry.get('participant_examen_manuel_processus')], {x: 0, y: 300});
  const lane = modeling.addLane(pool, 'bottom');
  const y = lane.y + lane.height / 2, start = registry.get('demande_stage_volontaire');
  const course = registry.get('parcours_stage');
  const task = modeling.createShape(factory.createShape({type: 'bpmn:UserTask'}),
                                    {x: start.x + 160, y: y}, pool);
  const gateway = modeling.createShape(factory.createShape({type: 'bpmn:ExclusiveGateway'}),
                                       {x: start.x + 320, y: y}, pool);
  const letter = modeling.createShape(factory.createShape({type: 'bpmn:UserTask'}),
                                      {x: start.x + 480, y: y}, pool);
  modeling.updateProperties(gateway, {name: 'Conducteur joint ?'});
  modeling.updateProperties(letter, {name: 'Écrire au conducteur'});
  modeling.reconnectEnd(registry.get('f_t_01'), task,
                        {x: task.x + task.width / 2, y: task.y + task.height / 2});
  modeling.connect(task, gateway);
  const yes = modeling.connect(gateway, course), no = modeling.connect(gateway, letter);
  modeling.connect(letter, course);
  modeling.updateProperties(yes, {name: 'oui'});
  modeling.updateProperties(no, {name: 'non'});
  return {lane: lane.id, task: task.id, gateway: gateway.id, letter: letter.id,
          yes: yes.id, no: no.id};
}"""


def test_a_designer_draws_a_task_and_its_clerks_complete_it(browser, open_page, server):
    page = open_page(DOCS_VIEWPORT)
    login(page, "conceptrice")
    page.goto(f"/ui/processus/{KEY}/editeur")
    page.wait_for_selector("#canvas[data-ready='true']")

    ids = page.evaluate(DRAW)
    _select(page, ids["task"])
    _modeler_shot(page, ids, "01-tache-ajoutee")
    # -- the new task: its id, name and status label in the panel
    _select(page, ids["task"])
    _open_group(page, "general")
    _panel_input(page, "id").fill("appeler_conducteur")
    _panel_input(page, "id").press("Tab")
    _wait_xml(page, 'id="appeler_conducteur"')
    _panel_input(page, "name").fill("Appeler le conducteur")
    _panel_input(page, "name").press("Tab")
    _wait_xml(page, 'name="Appeler le conducteur"')
    _add_property(page, "statut", "Conducteur à appeler")
    _add_property(page, "code_statut", "a_appeler")
    # the panel speaks French, its header and its list buttons included (web/ui/static/bpmn-fr.js)
    assert page.locator("#properties .bio-properties-panel-header-type").text_content() == \
        "Tâche utilisateur"
    assert page.locator(f"#properties {EXTENSIONS} .bio-properties-panel-add-entry"
                        ).get_attribute("title") == "Ajouter un élément à la liste"
    accessible(page, "panneau d'une tâche utilisateur")
    # -- the lane: its name and its group
    _select(page, ids["lane"])
    _open_group(page, "general")
    _panel_input(page, "name").fill("Accueil")
    _panel_input(page, "name").press("Tab")
    _add_property(page, "groupe", "accueil")
    _modeler_shot(page, ids, "02-couloir-groupe")
    # -- the « non » branch's task: its status label
    _select(page, ids["letter"])
    _add_property(page, "statut", "Courrier au conducteur à envoyer")
    # -- the gateway's conditions
    _set_condition(page, ids["yes"], 'joint == "oui"')
    _set_condition(page, ids["no"], 'joint == "non"')
    _modeler_shot(page, ids, "03-condition")
    accessible(page, "panneau d'un flux conditionnel")

    # -- the form, in form-js's editor: a radio group dragged from its palette, set in its panel
    _select(page, "appeler_conducteur")
    page.get_by_role("button", name="Formulaire de la tâche").click()
    editor = page.locator("#form-editor-panel")
    editor.locator(".fjs-palette").wait_for(state="visible")
    _drag(page, editor.locator(".fjs-palette-field[data-field-type='radio']"),
          editor.locator(".fjs-drop-container-vertical").last)
    _form_has(page, "c => c.type === 'radio'")
    panel = "#form-editor-panel .fjs-properties-panel"
    _open_group(page, "general", panel)
    editor.locator("#bio-properties-panel-label").fill("Le conducteur a-t-il été joint ?")
    _form_has(page, "c => c.label === 'Le conducteur a-t-il été joint ?'")
    editor.locator("#bio-properties-panel-key").fill("joint")
    _form_has(page, "c => c.key === 'joint'")
    _open_group(page, "staticOptions", panel)
    for n, (label, value) in enumerate((("Oui", "oui"), ("Non", "non"))):
        if n:
            page.locator(f"{panel} [data-group-id='group-staticOptions'] "
                           ".bio-properties-panel-add-entry").click()
        item = page.locator(f"{panel} [data-entry-id='staticOptions-{n}']")
        if not item.locator(".bio-properties-panel-collapsible-entry-entries.open").count():
            item.locator(".bio-properties-panel-collapsible-entry-header-title").click()
        editor.locator(f"#bio-properties-panel-staticOptions-{n}-label").fill(label)
        editor.locator(f"#bio-properties-panel-staticOptions-{n}-value").fill(value)
        _form_has(page, f"c => c.values && c.values.length > {n} && "
                        f"c.values[{n}].value === '{value}' && c.values[{n}].label === '{label}'")
    _open_group(page, "validation", panel)
    required = editor.locator("#bio-properties-panel-required")
    required.check()
    _form_has(page, "c => c.key === 'joint' && c.validate && c.validate.required")
    accessible(page, "éditeur de formulaires")
    doc_shot(page, "04-formulaire", editor)
    page.get_by_role("button", name="Enregistrer le formulaire").click()
    assert editor.is_hidden()

    # -- save the draft: valid
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_function("() => document.getElementById('canvas').dataset.draft")
    draft = int(page.locator("#canvas").get_attribute("data-draft"))
    problems = page.locator("#problems").inner_text()
    assert page.locator("#no-problem").is_visible(), problems
    page.locator("#designer-status").scroll_into_view_if_needed()
    doc_shot(page, "05-brouillon-enregistre")

    # -- its scenarios, then its deployment
    page.get_by_role("link", name=f"Tester et déployer le brouillon n° {draft}").click()
    page.wait_for_selector("#draft-body:not([hidden])")
    assert page.locator("#draft-valid").is_visible()
    page.get_by_role("button", name="Tout décocher").click()
    page.locator(f"label[for='feature-{FEATURE}']").click()
    page.get_by_role("button", name="Lancer les scénarios").click()
    page.wait_for_selector("#h-run")
    page.wait_for_function("() => { const b = document.querySelector('#h-run .fr-badge');"
                           " return b && !/en attente|en cours/i.test(b.textContent); }",
                           timeout=RUN_TIMEOUT)
    assert page.locator("#h-run .fr-badge").inner_text().lower() == "réussi", \
        page.locator("#test-run").inner_text()
    page.wait_for_function("() => !document.getElementById('deploy').disabled")
    page.get_by_role("button", name="Déployer ce brouillon").click()
    page.locator("#deploy-result .fr-alert--success").wait_for()
    assert "déployée" in page.locator("#deploy-result").inner_text()
    accessible(page, "brouillon déployé")
    doc_shot(page, "06-deploye")

    # -- the clerk of the lane's group
    case_id = _open_case(server.app)
    clerk = open_page(DOCS_VIEWPORT)
    login(clerk, "agent")
    clerk.goto("/ui/taches")
    clerk.get_by_role("link", name="Mes groupes").click()
    clerk.wait_for_load_state()
    row = clerk.locator("#task-table tbody tr", has_text="Appeler le conducteur")
    assert row.count() == 1
    assert "Accueil" in row.inner_text()
    accessible(clerk, "mes groupes")
    doc_shot(clerk, "07-mes-groupes")

    clerk.goto(f"/ui/dossiers/{case_id}")
    assert "conducteur à appeler" in clerk.locator("main").inner_text().lower()  # badge in capitals
    task = clerk.locator("section.ui-task", has_text="Appeler le conducteur")
    task.get_by_role("button", name="Enregistrer la décision").click()
    clerk.wait_for_load_state()
    task = clerk.locator("section.ui-task", has_text="Appeler le conducteur")
    fieldset = task.locator("fieldset", has_text="Le conducteur a-t-il été joint ?")
    assert fieldset.locator(".fr-message--error").inner_text() == "Champ obligatoire."
    accessible(clerk, "formulaire refusé")
    doc_shot(clerk, "08-champ-obligatoire", task)
    tick(fieldset.get_by_label("Non"))
    task.get_by_role("button", name="Enregistrer la décision").click()
    clerk.wait_for_load_state()
    main = clerk.locator("main").inner_text()
    # the « non » branch, and the status label the designer gave its task
    assert "courrier au conducteur à envoyer" in main.lower()
    assert "Tâche à faire : Écrire au conducteur" in main
    answers = clerk.locator("#reponses").inner_text()  # the answers already given
    assert "Le conducteur a-t-il été joint ?" in answers and "Non" in answers
    accessible(clerk, "dossier après la tâche")
    doc_shot(clerk, "09-branche-non")

    # -- a clerk of another group: reserved, no button to take it
    other = open_page(DOCS_VIEWPORT)
    login(other, "agent2")
    other.goto("/ui/taches")
    row = other.locator("#task-table tbody tr", has_text="Écrire au conducteur")
    assert "réservée au groupe « accueil »" in row.inner_text().lower()
    assert row.get_by_role("button", name="Prendre").count() == 0
    other.goto(f"/ui/dossiers/{case_id}")
    task = other.locator("section.ui-task", has_text="Écrire au conducteur")
    assert task.get_by_role("button", name="Prendre").count() == 0
    accessible(other, "tâche réservée à un autre groupe")
    # the claim posted anyway (a forged form): refused, with the French message
    token = other.locator("input[name='csrf_token']").first.get_attribute("value")
    refused = other.request.post(f"/ui/taches/{_open_task(server.app, case_id)}/prendre",
                                 form={"csrf_token": token, "next": f"/ui/dossiers/{case_id}"})
    assert "proposée au groupe « Accueil » ; vous n'en faites pas partie" in html.unescape(
        refused.text())
