"""The process designers' workspace (issue #6) in a real browser (Chromium headless): the bpmn-js
editor saves drafts (never live versions) whose problems are marked on the diagram, a draft runs
an acceptance feature in the sandbox, passes, is deployed; running cases stay on their version
and migrate from the UI. axe-core checks every page, the modeler's canvas included."""

from __future__ import annotations

import re

from tests.browser.conftest import SHOTS, axe_violations, login, shot
from tests.designer_support import renamed_volontaire

KEY = "stage_obligatoire"
FEATURE = "remboursement"  # 5 short scenarios of the mandatory journey: keeps the run fast
RUN_TIMEOUT = 240_000  # ms: the sandbox is a pytest process of its own


def _no_serious_violations(page, name: str) -> None:
    violations = axe_violations(page)  # the whole page, the modeler's canvas included
    assert violations == [], f"{name} : violations d'accessibilité graves ou critiques {violations}"


def _status(page) -> str:
    return page.locator("#designer-status").inner_text()


def _open_editor(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#canvas[data-ready='true']")


def _save_draft(page) -> int:
    before = page.locator("#canvas").get_attribute("data-draft")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_function("before => { const c = document.getElementById('canvas'); "
                           "return c.dataset.draft && c.dataset.draft !== before; }",
                           arg=before or "")
    return int(page.locator("#canvas").get_attribute("data-draft"))


def _version_row(page, number: int):
    return page.locator(f"#versions-{KEY} tbody tr[data-version='{number}']")


def _versions_loaded(page) -> None:
    page.goto("/ui/processus")
    page.wait_for_selector(f"#versions-{KEY}")


def test_designer_lands_on_the_versions_and_reads_a_version(page, server):
    login(page, "conceptrice")
    assert page.url.endswith("/ui/processus")
    page.wait_for_selector(f"#versions-{KEY}")
    nav = page.locator("#navigation-principale")
    assert nav.get_by_role("link", name="Processus", exact=True).get_attribute(
        "aria-current") == "page"
    row = _version_row(page, 1)
    assert int(row.locator(".ui-running").inner_text()) >= 1  # the seeded mandatory cases
    assert "tests" in row.inner_text()
    _no_serious_violations(page, "versions")
    shot(page, "20-processus-versions")

    row.get_by_role("link", name="XML de la version 1").click()
    page.wait_for_function("() => document.getElementById('xml').textContent.length > 0")
    assert "<bpmn:definitions" in page.locator("#xml").inner_text()
    download = page.get_by_role("link", name="Télécharger le XML")
    assert download.get_attribute("download") == f"{KEY}-v1.bpmn"
    _no_serious_violations(page, "XML d'une version")


def test_the_designer_pages_are_refused_to_a_clerk(page, server):
    login(page, "agent")
    assert page.locator("#navigation-principale").get_by_role("link", name="Processus").count() == 0
    response = page.goto("/ui/processus")
    assert response.status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()


def test_edit_save_validate_test_deploy_and_migrate(page, server):
    login(page, "conceptrice")
    _versions_loaded(page)
    running_v1 = int(_version_row(page, 1).locator(".ui-running").inner_text())
    assert running_v1 >= 1

    # -- the editor opens the current version, in French
    page.get_by_role("link", name="Modifier dans l'éditeur").first.click()
    page.wait_for_selector("#canvas[data-ready='true']")
    assert page.locator(".djs-palette .entry[aria-label='Créer une tâche']").count() == 1
    _no_serious_violations(page, "éditeur")

    # -- rename a task's label by direct editing (double-click, type, click away)
    page.locator(".djs-element[data-element-id='verification_attestation']").dblclick()
    editor = page.locator(".djs-direct-editing-parent")
    editor.wait_for(state="visible")
    page.keyboard.press("Control+A")
    page.keyboard.type("Contrôler l'attestation de stage")
    box = page.locator("#canvas").bounding_box()  # an empty spot: below the pools
    page.locator("#canvas").click(position={"x": box["width"] - 250, "y": box["height"] - 40})
    assert page.evaluate("() => DesignerEditor.modeler.get('elementRegistry')"
                         ".get('verification_attestation').businessObject.name") \
        == "Contrôler l'attestation de stage"
    assert page.locator("#dirty").is_visible()

    # -- save as a draft: valid, no version created
    draft = _save_draft(page)
    assert f"Brouillon n° {draft} enregistré" in _status(page)
    assert page.locator("#no-problem").is_visible()
    assert page.url.endswith(f"/editeur?brouillon={draft}")
    shot(page, "21-editeur-brouillon-enregistre")

    # -- a broken draft: a script that imports; the element is marked on the diagram
    page.evaluate("""() => {
        const m = DesignerEditor.modeler, el = m.get('elementRegistry').get('crediter_sans_examen');
        m.get('modeling').updateProperties(el, {script: "__import__('os').system('id')"});
    }""")
    broken = _save_draft(page)
    assert broken != draft
    marked = page.locator(".djs-element.probleme-bpmn[data-element-id='crediter_sans_examen']")
    assert marked.count() == 1
    assert page.locator(".ui-probleme-overlay").first.is_visible()
    item = page.locator("#problem-list li[data-element-id='crediter_sans_examen']")
    assert item.count() >= 1
    assert "problème" in page.locator("#problems-count").inner_text()
    item.first.get_by_role("button").click()  # selects and scrolls to the element
    assert page.locator(".djs-element.selected[data-element-id='crediter_sans_examen']")\
        .count() == 1
    _no_serious_violations(page, "éditeur avec problèmes")
    shot(page, "22-editeur-probleme-marque")
    page.locator("#canvas").screenshot(path=str(SHOTS / "22b-diagramme-probleme.png"))

    # the broken draft cannot run the features nor be deployed
    page.goto(f"/ui/processus/brouillons/{broken}")
    page.wait_for_selector("#draft-body:not([hidden])")
    assert page.locator("#draft-problems-list li[data-element-id='crediter_sans_examen']").count()
    assert page.get_by_role("button", name="Déployer ce brouillon").is_disabled()
    assert page.get_by_role("button", name="Lancer les scénarios").is_disabled()

    # -- the valid draft: its diff, then one feature in the sandbox
    page.goto(f"/ui/processus/brouillons/{draft}")
    page.wait_for_selector("#draft-body:not([hidden])")
    assert page.locator("#draft-valid").is_visible()
    page.wait_for_selector("#diff-changed, #diff-empty, #diff .fr-alert")
    changed = page.locator("#diff-changed tr[data-element-id='verification_attestation']")
    assert changed.count() >= 1 and changed.first.locator(".ui-what").inner_text() == "nom"
    assert "Contrôler l'attestation de stage" in changed.first.inner_text()
    # bpmn-js left out the attributes equal to their BPMN default (cancelActivity="true"): the
    # rename is the only change
    rows = page.locator("#diff-changed tr[data-element-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.elementId)")
    assert set(rows) == {"verification_attestation"}, rows
    deploy = page.get_by_role("button", name="Déployer ce brouillon")
    assert deploy.is_disabled()  # not tested yet
    boxes = page.locator("#test-form input[name=features]")
    assert boxes.count() >= 5 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.get_by_role("button", name="Tout décocher").click()
    page.get_by_role("button", name="Lancer les scénarios").click()
    assert page.locator("#features-error").inner_text() == "Cochez au moins une fonctionnalité."
    page.locator(f"label[for='feature-{FEATURE}']").click()
    assert page.locator(f"#feature-{FEATURE}").is_checked()
    _no_serious_violations(page, "brouillon avant test")
    page.get_by_role("button", name="Lancer les scénarios").click()
    page.wait_for_selector("#h-run")
    page.wait_for_function("() => { const b = document.querySelector('#h-run .fr-badge');"
                           " return b && !/en attente|en cours/i.test(b.textContent); }",
                           timeout=RUN_TIMEOUT)
    assert page.locator("#h-run .fr-badge").inner_text().lower() == "réussi", \
        page.locator("#test-run").inner_text()
    rows = page.locator("#scenarios tbody tr")
    assert rows.count() >= 1
    assert rows.count() == page.locator("#scenarios tbody tr[data-status='passed']").count()
    assert ", 0 échoué sur" in page.locator("#run-summary").inner_text()
    _no_serious_violations(page, "résultat des scénarios")
    shot(page, "23-scenarios-reussis")

    # -- deploy: a new version, the running cases stay pinned on theirs
    page.wait_for_function("() => !document.getElementById('deploy').disabled")
    deploy.click()
    result = page.locator("#deploy-result .fr-alert--success")
    result.wait_for()
    new = int(re.search(r"Version (\d+) déployée", result.inner_text()).group(1))
    assert new >= 2
    shot(page, "24-brouillon-deploye")

    _versions_loaded(page)
    row = _version_row(page, new)
    assert "en service" in row.inner_text().lower()
    assert row.locator(".ui-running").inner_text() == "0"
    assert row.get_by_role("link", name=f"brouillon n° {draft}").count() == 1
    assert int(_version_row(page, 1).locator(".ui-running").inner_text()) == running_v1
    shot(page, "25-versions-apres-deploiement")

    # -- the diff between the two versions, and the drafts list
    row.get_by_role("link", name=f"Différences entre les versions {new - 1} et {new}").click()
    page.wait_for_selector("#diff-changed")
    changed = page.locator("#diff-changed tr[data-element-id='verification_attestation']")
    assert changed.locator(".ui-what").first.inner_text() == "nom"
    assert page.locator("#de").input_value() == str(new - 1)
    assert page.locator("#a").input_value() == str(new)
    _no_serious_violations(page, "différences entre versions")
    shot(page, "25b-differences")
    page.goto(f"/ui/processus/{KEY}/brouillons")
    page.wait_for_selector("#drafts-table")
    assert f"version {new}" in page.locator(f"#drafts-table tr[data-draft='{draft}']").inner_text()
    assert "problème" in page.locator(f"#drafts-table tr[data-draft='{broken}']").text_content()
    _no_serious_violations(page, "brouillons")

    # -- the process history tells the story
    page.goto(f"/ui/processus/{KEY}/historique")
    page.wait_for_selector("#history-table")
    types = page.locator("#history-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.type)")
    assert {"brouillon_enregistre", "scenarios_testes", "version_deployee"} <= set(types)
    _no_serious_violations(page, "historique")
    shot(page, "25c-historique")

    # -- migrate one running case from the UI
    page.goto(f"/ui/processus/{KEY}/versions/{new}/migrations")
    page.wait_for_selector("#migration-table, #designer-status:has-text('Aucun dossier')")
    _no_serious_violations(page, "migration")
    shot(page, "26-migration")
    safe = page.locator("#migration-table tbody tr[data-safe='true']")
    assert safe.count() >= 1, page.locator("#migrations").inner_text()
    case_id = safe.first.get_attribute("data-case")
    safe.first.get_by_role("button", name=re.compile("^Migrer le dossier")).click()
    page.locator("#one-result .fr-alert--success").wait_for()
    page.wait_for_function(
        "id => !document.querySelector(`#migration-table tr[data-case='${id}']`)", arg=case_id)
    _versions_loaded(page)
    assert int(_version_row(page, 1).locator(".ui-running").inner_text()) == running_v1 - 1
    assert _version_row(page, new).locator(".ui-running").inner_text() == "1"

    # -- the bulk move asks first; cancelled, nothing moves; confirmed, its summary has no
    # stray « null » (a QA finding: printed under the box when nothing was refused)
    page.goto(f"/ui/processus/{KEY}/versions/{new}/migrations")
    page.wait_for_selector("#migration-table")
    before = page.locator("#migration-table tbody tr").count()
    page.get_by_role("button", name=f"Migrer tous les dossiers sûrs vers la version {new}").click()
    dialog = page.get_by_role("alertdialog", name="Confirmer la migration")
    # one sentence: « Migrer les 2 dossiers sûrs de toutes les autres versions vers la version 3 ? »
    # (a QA finding: « Migrer vers la version 3 2 dossiers sûrs… »)
    assert re.search(r"Migrer (le dossier sûr|les \d+ dossiers sûrs) de toutes les autres "
                     rf"versions vers la version {new} \?", dialog.inner_text()), \
        dialog.inner_text()
    dialog.get_by_role("button", name="Annuler").click()
    assert page.locator("#bulk-result").inner_text().strip() == ""
    assert page.locator("#migration-table tbody tr").count() == before
    page.get_by_role("button", name=f"Migrer tous les dossiers sûrs vers la version {new}").click()
    page.get_by_role("button", name="Confirmer la migration").click()
    page.locator("#bulk-result .fr-alert[role='status']").wait_for()
    summary = page.locator("#bulk-result").inner_text()
    assert "null" not in summary, summary
    _no_serious_violations(page, "migration groupée")


def test_admin_forces_a_deploy_with_a_reason(page, server):
    login(page, "admin")
    _open_editor(page, f"/ui/processus/{KEY}/editeur")
    # the start event, completed by every running case: no case can move to this version
    page.evaluate("""() => {
        const m = DesignerEditor.modeler, el = m.get('elementRegistry').get('lettre_48n_recue');
        m.get('modeling').updateLabel(el, 'Lettre 48N reçue (version forcée)');
    }""")
    draft = _save_draft(page)
    page.get_by_role("link", name=f"Tester et déployer le brouillon n° {draft}").click()
    page.wait_for_selector("#draft-body:not([hidden])")
    assert page.get_by_role("button", name="Déployer ce brouillon").is_disabled()
    form = page.locator("#force-form")
    assert form.is_visible()
    page.get_by_role("button", name="Forcer le déploiement").click()  # no reason: refused
    error = page.locator("#reason-error")
    assert error.is_visible() and "motif" in error.inner_text()
    assert page.locator("#reason").get_attribute("aria-invalid") == "true"
    _no_serious_violations(page, "forçage sans motif")
    page.get_by_label("Motif du forçage").fill("Correction urgente du libellé, scénarios à rejouer")
    page.get_by_role("button", name="Forcer le déploiement").click()
    result = page.locator("#deploy-result .fr-alert--success")
    result.wait_for()
    forced = int(re.search(r"Version (\d+) déployée", result.inner_text()).group(1))
    _versions_loaded(page)
    row = _version_row(page, forced)
    text = row.text_content()  # the DOM's text: the badge is uppercased by CSS only
    assert "forcé par admin : Correction urgente" in text, text
    page.goto(f"/ui/processus/{KEY}/historique")
    page.wait_for_selector("#history-table")
    assert page.locator("#history-table tbody tr[data-type='deploiement_force']").count() >= 1

    # its migration page: every running case refused, with the reasons, by the bulk move too
    page.goto(f"/ui/processus/{KEY}/versions/{forced}/migrations")
    page.wait_for_selector("#migration-table")
    rows = page.locator("#migration-table tbody tr")
    assert rows.count() >= 1
    assert page.locator("#migration-table tbody tr[data-safe='true']").count() == 0
    assert rows.first.locator(".ui-reasons li").count() >= 1
    page.get_by_role("button", name=f"Migrer tous les dossiers sûrs vers la version {forced}")\
        .click()
    page.get_by_role("button", name="Confirmer la migration").click()  # it asks first
    page.locator("#bulk-result .fr-alert[role='status']").wait_for()
    assert "Aucun dossier migré" in page.locator("#bulk-result .fr-alert").inner_text()
    refused = page.locator("#refused-table tbody tr")
    assert refused.count() == rows.count()
    assert refused.first.locator(".ui-reasons li").count() >= 1
    _no_serious_violations(page, "migration refusée")
    shot(page, "27-migration-refusee")


def test_opening_a_drafts_xml_never_runs_what_it_carries(page, server):
    """A draft may carry an XHTML <script> in its extensionElements (any namespace is allowed
    there, and a draft is stored even with problems): opening its XML saves a file, it runs
    nothing at the application's origin."""
    login(page, "conceptrice")
    _versions_loaded(page)
    draft = page.evaluate("""async key => {
        const xml = await (await fetch(`/api/v1/processes/${key}/versions/1`)).text();
        const script = '<bpmn:extensionElements><h:script xmlns:h="http://www.w3.org/1999/xhtml">'
          + 'window.pwned = 42</h:script>'
          + '</bpmn:extensionElements>';
        const at = xml.indexOf('<bpmn:startEvent');
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const resp = await fetch(`/api/v1/processes/${key}/drafts`, {method: 'POST',
          headers: {'Content-Type': 'application/xml', 'X-CSRF-Token': token},
          body: xml.slice(0, at) + script + xml.slice(at)});
        const body = await resp.json();
        return body.id === undefined ? JSON.stringify([resp.status, body]) : body.id;
    }""", KEY)
    assert isinstance(draft, int), draft
    with page.expect_download() as download:
        page.evaluate("url => { window.location.href = url; }", f"/api/v1/drafts/{draft}/xml")
    assert download.value.suggested_filename == f"brouillon-{draft}.bpmn"
    assert "h:script" in download.value.path().read_text(encoding="utf-8")
    assert page.evaluate("() => window.pwned") is None


def test_a_letter_edited_on_a_draft_survives_the_editor_and_leaving_with_edits_asks(page,
                                                                                 server):
    """A QA finding: the editor sends the BPMN, forms and tables, never the letters, and a
    letter edited on a draft's page was silently replaced by the version's when that draft was
    saved again from the editor. And the editor let the designer leave with edits unsent."""
    login(page, "conceptrice")
    _versions_loaded(page)
    draft = page.evaluate("""async key => {
        const xml = await (await fetch(`/api/v1/processes/${key}/versions/1`)).text();
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const resp = await fetch(`/api/v1/processes/${key}/drafts`, {method: 'POST',
          headers: {'Content-Type': 'application/xml', 'X-CSRF-Token': token}, body: xml});
        return (await resp.json()).id;
    }""", KEY)
    page.goto(f"/ui/processus/brouillons/{draft}")
    area = page.locator("#texte-signalement_procureur")
    edited = area.input_value().replace("Tribunal judiciaire", "Tribunal judiciaire de Pau")
    area.fill(edited)
    page.locator("#courrier-signalement_procureur").get_by_role("button", name="Enregistrer")\
        .click()
    page.wait_for_url(re.compile(rf"/brouillons/(?!{draft}\b)\d+"))
    with_letter = int(re.search(r"/brouillons/(\d+)", page.url).group(1))

    _open_editor(page, f"/ui/processus/{KEY}/editeur?brouillon={with_letter}")
    page.evaluate("""() => {
        const m = DesignerEditor.modeler, el = m.get('elementRegistry').get('courrier_procureur');
        m.get('modeling').updateProperties(el, {name: 'Courrier au parquet'});
    }""")
    assert page.locator("#dirty").is_visible()
    # leaving now asks first (the browser's own dialog); dismissed, the page stays
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.locator("#canvas").click(position={"x": 5, "y": 5})  # a gesture: Chromium asks then
    page.get_by_role("link", name="Processus").first.click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and "/editeur" in page.url

    saved = _save_draft(page)
    page.goto(f"/ui/processus/brouillons/{saved}")
    assert page.locator("#texte-signalement_procureur").input_value() == edited
    # once sent, leaving asks nothing
    _open_editor(page, f"/ui/processus/{KEY}/editeur?brouillon={saved}")
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Processus").first.click()
    page.wait_for_url(re.compile(r"/ui/processus$"))
    assert dialogs == ["beforeunload"]


XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
       b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
       b'&x;</bpmn:definitions>')


def test_a_file_from_another_tool_is_imported_as_a_draft_or_refused_in_french(page, server,
                                                                            tmp_path):
    def drafts_listed() -> int:
        page.wait_for_function("() => !document.getElementById('designer-status')"
                               ".textContent.startsWith('Chargement')")
        return page.locator("#drafts-table tbody tr").count()

    login(page, "conceptrice")
    page.goto(f"/ui/processus/{KEY}/brouillons")
    drafts_before = drafts_listed()
    submit = page.get_by_role("button", name="Importer le fichier")

    submit.click()  # no file chosen
    assert page.locator("#import-file-messages").inner_text() == "Choisissez un fichier BPMN."
    assert page.locator("#import-file").get_attribute("aria-invalid") == "true"

    huge = tmp_path / "trop-gros.bpmn"
    huge.write_bytes(b"<" + b"x" * (5 * 1024 * 1024))  # past MAX_CONTENT_LENGTH: not even sent
    page.set_input_files("#import-file", str(huge))
    submit.click()
    assert page.locator("#import-file-messages").inner_text() == \
        "Le fichier dépasse 5 Mo : il n'a pas été envoyé."

    hostile = tmp_path / "entite.bpmn"
    hostile.write_bytes(XXE)
    page.set_input_files("#import-file", str(hostile))
    submit.click()
    alert = page.locator("#import-result .fr-alert--error")
    alert.wait_for()
    assert "n'a pas été importé" in alert.inner_text()
    assert "DOCTYPE" in page.locator("#import-file-messages").inner_text()  # the file's problem
    assert "DOCTYPE" in alert.inner_text()
    assert "root:" not in page.content()
    _no_serious_violations(page, "import refusé")
    shot(page, "29-import-refuse")
    page.reload()
    assert drafts_listed() == drafts_before  # nothing stored

    xml = page.evaluate("async key => (await fetch(`/api/v1/processes/${key}/versions/1`)).text()",
                        KEY)
    mine = tmp_path / "depuis-camunda.bpmn"
    mine.write_text(xml.replace('name="Vérifier l\'attestation', 'name="Vérifier (importé)', 1),
                    encoding="utf-8")
    page.set_input_files("#import-file", str(mine))
    submit.click()
    page.wait_for_url(re.compile(r"/ui/processus/brouillons/\d+$"))
    draft = int(page.url.rsplit("/", 1)[1])
    page.goto(f"/ui/processus/{KEY}/brouillons")
    assert drafts_listed() == drafts_before + 1
    assert page.locator(f"#drafts-table tr[data-draft='{draft}']").count() == 1


def test_the_bundle_a_version_page_gives_is_imported_back_with_its_letters(page, server,
                                                                           tmp_path):
    """A QA finding: the import took every file as XML, so the app's own zip export was refused
    as « XML mal formé ». The version page now offers the bundle, and its import keeps the
    letters and forms (an empty file's problem is said without the request's field name)."""
    login(page, "conceptrice")
    page.goto(f"/ui/processus/{KEY}/versions/1")
    with page.expect_download() as download:
        page.locator("#download-bundle").click()
    bundle = tmp_path / download.value.suggested_filename
    download.value.save_as(bundle)
    assert bundle.suffix == ".zip" and bundle.read_bytes()[:4] == b"PK\x03\x04"

    page.goto(f"/ui/processus/{KEY}/brouillons")
    empty = tmp_path / "vide.bpmn"
    empty.write_bytes(b"")
    page.set_input_files("#import-file", str(empty))
    page.get_by_role("button", name="Importer le fichier").click()
    alert = page.locator("#import-result .fr-alert--error")
    alert.wait_for()
    assert "body" not in alert.inner_text() and "XML BPMN" in alert.inner_text()

    page.set_input_files("#import-file", str(bundle))
    page.get_by_role("button", name="Importer le fichier").click()
    page.wait_for_url(re.compile(r"/ui/processus/brouillons/\d+$"))
    assert page.locator("#texte-signalement_procureur").count() == 1  # its letters came along
    draft = int(page.url.rsplit("/", 1)[1])
    view = page.evaluate("async id => (await fetch(`/api/v1/drafts/${id}`)).json()", draft)
    assert view["valid"] is True and view["problems"] == []


def test_a_draft_identical_to_the_live_version_offers_no_deploy(page, server):
    """A QA finding: the page of a draft identical to the live version said it could be
    deployed, and only the deployment answered 409 « identique ». It says so up front now, with
    no deploy button nor forcing form; its scenarios may still run (they play the live one)."""
    key = "stage_volontaire"
    login(page, "admin")
    _versions_loaded(page)
    draft, live = page.evaluate("""async key => {
        const all = (await (await fetch('/api/v1/processes?per_page=200')).json()).items;
        const live = Math.max(...all.filter(v => v.key === key).map(v => v.version));
        const zip = await (await fetch(`/api/v1/processes/${key}/versions/${live}/bundle`)).blob();
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const resp = await fetch(`/api/v1/processes/${key}/drafts`, {method: 'POST',
          headers: {'Content-Type': 'application/zip', 'X-CSRF-Token': token}, body: zip});
        const body = await resp.json();
        return [body.id === undefined ? JSON.stringify([resp.status, body]) : body.id, live];
    }""", key)
    assert isinstance(draft, int), draft
    page.goto(f"/ui/processus/brouillons/{draft}")
    page.wait_for_selector("#draft-body:not([hidden])")
    state = page.locator("#deploy-state").inner_text()
    assert f"identique à la version {live} déjà déployée" in state, state
    assert page.get_by_role("button", name="Lancer les scénarios").is_enabled()
    _offers_no_deploy(page, key, draft, f"identique à la version {live}", "brouillon identique")


def _offers_no_deploy(page, key: str, draft: int, listed: str, shot_name: str) -> None:
    """The draft's page offers neither the deployment nor the forcing form, passes axe, and
    the drafts' list says why (`listed`) in the draft's row."""
    assert not page.locator("#deploy").is_visible()
    assert not page.locator("#force-form").is_visible()
    _no_serious_violations(page, shot_name)
    page.goto(f"/ui/processus/{key}/brouillons")
    row = page.locator(f"#drafts-table tr[data-draft='{draft}']")
    row.wait_for()
    assert listed in row.inner_text()


def test_a_draft_whose_base_was_superseded_offers_no_deploy(page, server):
    """The sibling of the case above: a version deployed since the draft's base makes its
    deployment a 409 « … a été déployée depuis ». The page says so up front and names the
    version to start again from, with no deploy button nor forcing form."""
    key = "stage_volontaire"
    login(page, "admin")
    _versions_loaded(page)
    old, new = page.evaluate("""async ([key, changed]) => {
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const post = async (path, body, type) => {
          const resp = await fetch(path, {method: 'POST', body,
            headers: {'Content-Type': type, 'X-CSRF-Token': token}});
          return [resp.status, await resp.json()];
        };
        const all = (await (await fetch('/api/v1/processes?per_page=200')).json()).items;
        const live = Math.max(...all.filter(v => v.key === key).map(v => v.version));
        const zip = await (await fetch(`/api/v1/processes/${key}/versions/${live}/bundle`)).blob();
        const [, old] = await post(`/api/v1/processes/${key}/drafts`, zip, 'application/zip');
        const [, draft] = await post(`/api/v1/processes/${key}/drafts`, changed, 'application/xml');
        const [status, deployed] = await post(`/api/v1/drafts/${draft.id}/deploy`,
          JSON.stringify({override: true, reason: 'libellé corrigé'}), 'application/json');
        return [old.id, status === 201 ? deployed.version : JSON.stringify([status, deployed])];
    }""", [key, renamed_volontaire("Vérifier l'attestation reçue").decode()])
    assert isinstance(new, int), new
    page.goto(f"/ui/processus/brouillons/{old}")
    page.wait_for_selector("#draft-body:not([hidden])")
    state = page.locator("#deploy-state").inner_text()
    assert f"La version {new} a été déployée depuis la version {new - 1}" in state, state
    assert f"Ouvrez la version {new} dans l'éditeur" in state, state
    _offers_no_deploy(page, key, old, f"la version {new} a été déployée depuis",
                      "brouillon dépassé")


def test_a_refused_deploy_draws_the_draft_as_it_is_now(page, server):
    """A version deployed by someone else while the draft's page was open: the forced deploy is
    refused (409), and the deploy section is drawn again from the draft re-read, which now
    says which version superseded its base, with no forcing form left to try again."""
    key = "stage_volontaire"
    login(page, "admin")
    _versions_loaded(page)
    post = """async ([path, body, type]) => {
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const resp = await fetch(path, {method: 'POST', body,
          headers: {'Content-Type': type, 'X-CSRF-Token': token}});
        return [resp.status, await resp.json()];
    }"""
    status, draft = page.evaluate(post, [f"/api/v1/processes/{key}/drafts",
                                         renamed_volontaire("Attestation à vérifier").decode(),
                                         "application/xml"])
    assert status == 201, draft
    page.goto(f"/ui/processus/brouillons/{draft['id']}")
    page.wait_for_selector("#draft-body:not([hidden])")
    assert page.locator("#force-form").is_visible()
    # meanwhile, another draft is deployed
    status, other = page.evaluate(post, [f"/api/v1/processes/{key}/drafts",
                                         renamed_volontaire("Attestation reçue").decode(),
                                         "application/xml"])
    assert status == 201, other
    status, version = page.evaluate(post, [f"/api/v1/drafts/{other['id']}/deploy",
                                           '{"override": true, "reason": "autre correction"}',
                                           "application/json"])
    assert status == 201, version
    page.get_by_label("Motif du forçage").fill("Libellé corrigé")
    page.get_by_role("button", name="Forcer le déploiement").click()
    refusal = page.locator("#deploy-result .fr-alert--error")
    refusal.wait_for()
    assert "a été déployée depuis" in refusal.inner_text()
    state = page.locator("#deploy-state")
    state.filter(has_text=f"La version {version['version']} a été déployée").wait_for()
    assert not page.locator("#force-form").is_visible()
    assert not page.locator("#deploy").is_visible()


def test_a_deploy_refused_for_a_letter_past_the_layout_limits_names_it(page, server):
    """A letter of the draft that cannot be laid out within the layout's limits: the deploy is
    refused in the page as the other deployment checks are (422, the letter's file and the limit
    reached), before anything is live."""
    from services import bundles, processes
    from services.design import drafts
    from services.letters import layout

    long_letter = ('{% extends "courriers/_mise_en_page.html" %}'
                   "{% block titre %}Relevé trop long{% endblock %}"
                   "{% block corps %}{% for i in range(6) %}"
                   '<p style="break-after: page">{{ i }}</p>{% endfor %}{% endblock %}')
    with server.app.app_context():
        live = processes.latest_version(KEY)
        number, files = live.version, bundles.decode_files(live.files)
        draft = drafts.save(KEY, live.xml, number, "conceptrice",
                            files={**files, "courriers/releve.html": long_letter}).id
    server.app.config["LETTER_LAYOUT_MAX_PAGES"] = 3
    try:
        login(page, "admin")
        page.goto(f"/ui/processus/brouillons/{draft}")
        page.wait_for_selector("#draft-body:not([hidden])")
        page.get_by_label("Motif du forçage").fill("Nouveau relevé")
        page.get_by_role("button", name="Forcer le déploiement").click()
        refusal = page.locator("#deploy-result .fr-alert--error")
        refusal.wait_for()
        text = refusal.inner_text()
        assert "Le déploiement a été refusé" in text and "1 problème" in text
        assert ("courriers/releve.html : le courrier « courriers/releve.html » ne peut pas être "
                "mis en page : le courrier dépasse 3 pages") in text
        with server.app.app_context():
            assert processes.latest_version(KEY).version == number  # nothing deployed
        _no_serious_violations(page, "déploiement refusé pour un courrier")
        shot(page, "30-deploiement-refuse-courrier")
    finally:
        server.app.config["LETTER_LAYOUT_MAX_PAGES"] = layout.DEFAULT_MAX_PAGES
