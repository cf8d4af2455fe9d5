"""A clerk's and a centre's working day in Chromium (issue 18): the filtered task list exported to
XLSX and read back, and a centre's attendance uploaded as a CSV file, first with a bad line (the
error shown at its line, nothing stored), then right (summed up, then stored once confirmed, the
session held). axe-core checks each page on a desktop and on a phone (390 px)."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests.browser.conftest import axe_violations, login, shot
from tests.browser.test_ui import accessible, flash, submit

PHONE = {"width": 390, "height": 844}


def accessible_on_phone(page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name} : violations d'accessibilité graves ou critiques {violations}"


def download(page, link_name: str):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return info.value


def test_the_filtered_task_list_exports_to_xlsx_and_csv(open_page, server):
    for viewport in (None, PHONE):
        page = open_page(viewport)
        login(page, "agent")
        page.goto("/ui/taches")
        page.get_by_label("Attribution").select_option("unassigned")
        page.get_by_label("Type de tâche").select_option("verification_attestation")
        submit(page, "Appliquer")
        shown = page.locator("#task-table tbody tr")
        assert shown.count() >= 1
        accessible(page, f"liste des tâches filtrée avec ses exports ({viewport or 'bureau'})")
        if viewport:
            shot(page, "30-exports-taches-mobile")
            continue
        shot(page, "30-exports-taches")
        references = sorted(shown.locator("td:nth-child(2)").all_inner_texts())

        xlsx = download(page, "Exporter (XLSX)")
        assert xlsx.suggested_filename.startswith("taches-") and \
            xlsx.suggested_filename.endswith(".xlsx")
        with open(xlsx.path(), "rb") as f:  # the saved file has no extension: read its bytes
            sheet = openpyxl.load_workbook(io.BytesIO(f.read())).active
        rows = list(sheet.values)
        assert rows[0] == ("Tâche", "Dossier", "Permis", "Titulaire", "Créée le", "Délai",
                           "Attribuée à", "Statut du dossier")
        assert sorted(r[1] for r in rows[1:]) == references  # the filtered rows, all of them
        assert {r[0] for r in rows[1:]} == {"Vérifier l'attestation de stage"}
        assert all(r[6] is None for r in rows[1:])  # unassigned
        assert sheet.cell(row=2, column=5).number_format == "dd/mm/yyyy hh:mm"

        raw = download(page, "Exporter (CSV)")
        with open(raw.path(), "rb") as f:
            data = f.read()
        assert data.startswith(b"\xef\xbb\xbf")
        lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        assert sorted(r[1] for r in lines[1:]) == references

        # past the export's bound: a French page says why, no file is saved
        server.app.config["EXPORT_MAX_ROWS"] = 0
        try:
            page.get_by_role("link", name="Exporter (XLSX)").click()
            page.wait_for_load_state()
            assert page.get_by_role("heading", name="Données invalides").is_visible()
            assert page.get_by_text("L'export est limité à 0 ligne").is_visible()
            accessible(page, "export refusé")
        finally:
            server.app.config.pop("EXPORT_MAX_ROWS")


def sheet_csv(lines: list[str]) -> bytes:
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def test_a_centre_uploads_its_attendance_a_bad_line_then_a_right_file(open_page, server):
    phone = open_page(PHONE)
    page = open_page()
    login(page, "centre75")
    login(phone, "centre75")
    session_url = f"/ui/sessions/{server.data.last}"
    page.goto(session_url)
    numbers = page.locator("#attendance tbody tr td:first-of-type").all_inner_texts()
    assert len(numbers) >= 6 and server.data.martin_licence in numbers
    accessible(page, "page de session avec l'import du fichier de présence")

    # one bad value on the third line: shown there, nothing stored
    lines = ["Permis;Jour 1;Jour 2"] + [f"{n};présent;présent" for n in numbers]
    lines[2] = f"{numbers[1]};présent;malade"
    page.set_input_files("#attendance-file", files=[{
        "name": "presence.csv", "mimeType": "text/csv", "buffer": sheet_csv(lines)}])
    submit(page, "Importer le fichier")
    errors = page.locator("#upload-error-list li")
    assert errors.all_inner_texts() == [
        "Ligne 3, colonne « Jour 2 » : Valeur « malade » non reconnue : indiquez présent, "
        "absent ou retard."]
    assert page.title().startswith("Erreur — Session")
    assert page.evaluate("document.activeElement.id") == "upload-errors"  # focused, announced
    assert page.locator("#attendance-file").get_attribute("aria-invalid") == "true"
    assert page.locator("#session-status").text_content().strip() == "Planifiée"
    accessible(page, "fichier de présence refusé")
    shot(page, "31-presence-fichier-refuse")
    phone.goto(session_url)
    phone.set_input_files("#attendance-file", files=[{
        "name": "presence.csv", "mimeType": "text/csv", "buffer": sheet_csv(lines)}])
    submit(phone, "Importer le fichier")
    assert phone.locator("#upload-error-list li").count() == 1
    accessible_on_phone(phone, "fichier de présence refusé (téléphone)")
    shot(phone, "32-presence-fichier-refuse-mobile")

    # the right file, from the sheet to fill in that the page offers: stored through the
    # attendance service, the session held
    template = download(page, "Télécharger la feuille à remplir (CSV, un stagiaire par ligne)")
    with open(template.path(), "rb") as f:
        rows = list(csv.reader(io.StringIO(f.read().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Permis", "Stagiaire", "Jour 1", "Jour 2"]
    assert sorted(r[0] for r in rows[1:]) == sorted(numbers)
    filled = [";".join(rows[0])] + [";".join([*r[:2], "présent", "présent"]) for r in rows[1:]]
    page.set_input_files("#attendance-file", files=[{
        "name": "presence.csv", "mimeType": "text/csv", "buffer": sheet_csv(filled)}])
    submit(page, "Importer le fichier")
    # asked first, as the grid: who gets an attestation; nothing stored yet
    assert page.title().startswith("Confirmation demandée — Session")
    assert page.locator("#confirmation-resume").inner_text().startswith(
        f"Vous allez délivrer {len(numbers)} attestations de stage ; tous les stagiaires")
    assert "« presence.csv »" in page.locator("#confirmation-fichier").inner_text()
    assert page.locator("#session-status").text_content().strip() == "Planifiée"
    accessible(page, "confirmation de l'import du fichier de présence")
    shot(page, "32b-presence-fichier-confirmation")
    submit(page, "Confirmer la présence")
    assert "Présence importée du fichier « presence.csv »" in flash(page)
    assert page.locator("#session-status").text_content().strip() == "Tenue"
    assert page.locator("#attendance-file").count() == 0  # nothing more to record
    rows = page.locator("#enrollments tbody tr", has_text=server.data.martin_licence)
    assert rows.first.locator("td").nth(4).inner_text() == "Présent"
    accessible(page, "session tenue après l'import")
    shot(page, "33-presence-fichier-enregistre")
