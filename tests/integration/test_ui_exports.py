"""The lists' CSV and XLSX exports (web/tabular.py, web/exports.py) and a centre's attendance sheet
uploaded as a CSV file (web/ui/attendance_csv.py), through Flask's test client: French headers
and dates, the BOM and the `;` separator, the page's filters and every row, formulas never run,
the same access as the pages; every error of an uploaded sheet shown at its line, nothing
stored until every line is right."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import openpyxl
import pytest

from tests.api_errors_support import CENTRE, OTHER_CENTRE, unchanged
from tests.ui_support import UiClient, flashes, text

NUM = "120175200123"


@pytest.fixture
def ui(api):
    api.set_today("02/03/2026")
    client = UiClient(api.app)
    client.login("agent")
    return client


def as_centre(api, name="centre75") -> UiClient:
    client = UiClient(api.app)
    client.login(name)
    return client


def read_csv(resp) -> list[list[str]]:
    assert resp.status_code == 200, text(resp)[:500]
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"].startswith("attachment; filename=")
    raw = resp.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    assert b"\r\n" in raw
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(resp):
    assert resp.status_code == 200, text(resp)[:500]
    assert resp.headers["Content-Type"] == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in resp.headers["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(resp.get_data())).active


def mandatory(api, number, received="10/11/2025"):
    api.licence(number)
    inf = api.infraction(number, "01/10/2025")
    return api.mandatory_case(number, inf["id"], received)


# ---- the exports ---------------------------------------------------------------------------

def test_task_list_exports_with_its_filters_and_french_dates(api, ui):
    cases = [mandatory(api, f"12017520010{i}") for i in range(3)]
    for case in cases:  # each waits for an enrolment; a 48SI sends it to a manual review (Q8)
        api.ok(api.post(f"/api/v1/licences/{api.case(case['id'])['licence']}/invalidation",
                        {"decision_on": "2026-02-20", "notified_on": "2026-03-01"}), 201)
    mine = api.task(cases[0]["id"], "examen_manuel")
    api.ok(api.post(f"/api/v1/tasks/{mine['id']}/claim", as_="agent"))

    rows = read_csv(ui.get("/ui/taches/export.csv"))
    assert rows[0] == ["Tâche", "Dossier", "Permis", "Titulaire", "Créée le", "Délai",
                       "Attribuée à", "Statut du dossier"]
    assert len(rows) == 4
    assert {r[2] for r in rows[1:]} == {f"12017520010{i}" for i in range(3)}
    assert rows[1][4] == "02/03/2026 00:00"  # JJ/MM/AAAA HH:MM, Paris time
    # the page's filters: mine only
    rows = read_csv(ui.get("/ui/taches/export.csv", filtre="mine"))
    assert [r[1] for r in rows[1:]] == [cases[0]["reference"]] and rows[1][6] == "agent"
    rows = read_csv(ui.get("/ui/taches/export.csv", filtre="unassigned",
                           tache="verification_attestation"))
    assert rows[1:] == []
    sheet = read_xlsx(ui.get("/ui/taches/export.xlsx", filtre="unassigned", tri="-creation"))
    values = list(sheet.values)
    assert values[0][:3] == ("Tâche", "Dossier", "Permis") and len(values) == 3
    created = sheet.cell(row=2, column=5)
    assert created.value == dt.datetime(2026, 3, 2, 0, 0) and created.number_format == \
        "dd/mm/yyyy hh:mm"
    # the links on the page carry the filters, not the page number
    page = text(ui.get("/ui/taches", filtre="unassigned", tache="examen_manuel", page="1"))
    assert 'href="/ui/taches/export.xlsx?filtre=unassigned&amp;tache=examen_manuel"' in page
    assert "Exporter (CSV)" in page


def test_licences_export_every_row_and_never_runs_a_formula(api, ui):
    for i in range(22):  # more than a page (20)
        api.licence(f"1201752002{i:02d}")
    api.ok(api.post("/api/v1/licences", {
        "number": "120175200300", "holder": {"last_name": "=HYPERLINK(\"http://x\")",
                                             "first_name": "@SUM(A1)", "birth_date": "2004-05-02"},
        "obtained_on": "2025-09-01", "probation": "classic"}), 201)
    rows = read_csv(ui.get("/ui/recherche/permis.csv", q="12017520"))
    assert rows[0] == ["Permis", "Nom", "Prénom", "Né(e) le", "Obtenu le",
                       "Période probatoire", "Formation complémentaire"]
    assert len(rows) == 24  # every row, not the page
    evil = next(r for r in rows if r[0] == "120175200300")
    assert evil[1] == "'=HYPERLINK(\"http://x\")" and evil[2] == "'@SUM(A1)"
    assert evil[3] == "02/05/2004" and evil[4] == "01/09/2025" and evil[6] == "non"
    sheet = read_xlsx(ui.get("/ui/recherche/permis.xlsx", q="120175200300"))
    name = sheet.cell(row=2, column=2)
    assert name.value == "=HYPERLINK(\"http://x\")" and name.data_type == "s"
    assert name.quotePrefix  # shown as text, never evaluated
    born = sheet.cell(row=2, column=4)
    assert born.value == dt.datetime(2004, 5, 2) and born.number_format == "dd/mm/yyyy"
    # the search page links to its exports with its query
    assert "/ui/recherche/permis.csv?q=12017520" in text(ui.get("/ui/recherche", q="12017520"))


def test_cases_ledger_and_history_export(api, ui):
    case = mandatory(api, NUM)
    mandatory(api, "120175200124")
    rows = read_csv(ui.get("/ui/recherche/dossiers.csv", q="200123"))
    assert rows[0][:3] == ["Dossier", "Type", "Permis"] and len(rows) == 2
    assert rows[1][:7] == [case["reference"], "Obligatoire (48N)", NUM, "Martin", "Léa",
                           "En attente d'inscription", "10/03/2026"]
    rows = read_csv(ui.get("/ui/recherche/dossiers.csv", licence="120175200124"))
    assert [r[2] for r in rows[1:]] == ["120175200124"]
    assert ui.get("/ui/recherche/dossiers.csv", licence="999").status_code == 404

    rows = read_csv(ui.get(f"/ui/permis/{NUM}/releve.csv"))
    assert rows[0] == ["Date d'effet", "Mouvement", "Points", "Solde ce jour-là",
                       "Explication", "Référence"]
    assert rows[1][:4] == ["01/10/2025", "Retrait", "-3", "3"]  # a number, not escaped
    assert rows[2][:4] == ["01/09/2025", "Solde de départ", "6", "6"]
    sheet = read_xlsx(ui.get(f"/ui/permis/{NUM}/releve.xlsx"))
    assert sheet.cell(row=2, column=3).value == -3

    rows = read_csv(ui.get(f"/ui/dossiers/{case['id']}/historique.csv"))
    assert rows[0] == ["Date", "Par", "Événement", "Détail"]
    assert rows[1][2] == "Dossier ouvert" and "échéance : 10/03/2026" in rows[1][3]
    page = text(ui.get(f"/ui/dossiers/{case['id']}"))
    assert f"/ui/dossiers/{case['id']}/historique.xlsx" in page
    page = text(ui.get(f"/ui/permis/{NUM}"))
    assert f"/ui/permis/{NUM}/releve.csv" in page
    assert f"/ui/recherche/dossiers.xlsx?licence={NUM}" in page


def test_sessions_export_with_filters_and_a_centre_sees_its_own_only(api, ui):
    own = api.session("05/06/2026", "06/06/2026", fill=2)
    later = api.session("12/06/2026", "13/06/2026", fill=0)
    other = api.session("19/06/2026", "20/06/2026", centre=OTHER_CENTRE, fill=0)
    api.ok(api.post(f"/api/v1/sessions/{later['id']}/cancel",
                    {"on": "2026-03-02", "reason": "=cmd|' /C calc'!A0"}))
    rows = read_csv(ui.get("/ui/sessions/export.csv"))
    assert rows[0][:8] == ["Session n°", "Centre", "Agrément", "Jour 1", "Jour 2", "Places",
                           "Inscrits", "Statut"]
    assert [int(r[0]) for r in rows[1:]] == [own["id"], later["id"], other["id"]]
    assert rows[1][3:8] == ["05/06/2026", "06/06/2026", "20", "2", "Planifiée"]
    assert rows[2][7] == "Annulée" and rows[2][10] == "'=cmd|' /C calc'!A0"
    rows = read_csv(ui.get("/ui/sessions/export.csv", statut="cancelled"))
    assert [int(r[0]) for r in rows[1:]] == [later["id"]]
    rows = read_csv(ui.get("/ui/sessions/export.csv", **{"from": "2026-06-10",
                                                         "to": "2026-06-30"}))
    assert [int(r[0]) for r in rows[1:]] == [later["id"], other["id"]]
    rows = read_csv(ui.get("/ui/sessions/export.csv", centre=OTHER_CENTRE))
    assert [int(r[0]) for r in rows[1:]] == [other["id"]]
    resp = ui.get("/ui/sessions/export.csv", **{"from": "pas-une-date"})
    assert resp.status_code == 422 and "Premier jour à partir du" in html.unescape(text(resp))

    centre = as_centre(api)
    for query in ({}, {"centre": OTHER_CENTRE}):  # another centre's: never, whatever is asked
        rows = read_csv(centre.get("/ui/sessions/export.csv", **query))
        assert [int(r[0]) for r in rows[1:]] == [own["id"], later["id"]], query
        assert {r[2] for r in rows[1:]} == {CENTRE}
    sheet = read_xlsx(centre.get("/ui/sessions/export.xlsx"))
    assert [row[0] for row in list(sheet.values)[1:]] == [own["id"], later["id"]]
    assert "/ui/sessions/export.csv" in text(centre.get("/ui/sessions"))


def test_exports_keep_the_pages_access_rules(api, ui):
    case = mandatory(api, NUM)
    centre = as_centre(api)
    for path in ("/ui/taches/export.csv", "/ui/taches/export.xlsx",
                 "/ui/recherche/dossiers.csv?q=1", "/ui/recherche/permis.xlsx?q=1",
                 f"/ui/permis/{NUM}/releve.csv", f"/ui/dossiers/{case['id']}/historique.csv",
                 f"/ui/dossiers/{case['id']}/historique.xlsx"):
        resp = centre.get(path)
        assert resp.status_code == 403 and "Accès refusé" in text(resp), path
    designer = UiClient(api.app)
    designer.login("designer")
    assert designer.get("/ui/sessions/export.csv").status_code == 403
    anonymous = UiClient(api.app)
    resp = anonymous.get("/ui/taches/export.csv")
    assert resp.status_code == 302 and "/ui/connexion" in resp.headers["Location"]
    assert ui.get("/ui/taches/export.pdf").status_code == 404
    assert ui.get("/ui/permis/999999/releve.csv").status_code == 404
    assert ui.get("/ui/dossiers/999999/historique.xlsx").status_code == 404


def test_an_export_past_the_bound_is_refused_in_french(api, ui):
    for i in range(3):
        api.licence(f"1201752004{i:02d}")
    api.app.config["EXPORT_MAX_ROWS"] = 2
    for fmt in ("csv", "xlsx"):
        resp = ui.get(f"/ui/recherche/permis.{fmt}", q="120175200")
        assert resp.status_code == 422
        assert "L'export est limité à 2 lignes et la liste en compte 3" in \
            html.unescape(text(resp))
    api.app.config["EXPORT_MAX_ROWS"] = 3
    assert len(read_csv(ui.get("/ui/recherche/permis.csv", q="120175200"))) == 4


# ---- the attendance sheet as a CSV file ------------------------------------------------------

@pytest.fixture
def held_soon(api, ui):
    """A session of centre 75 whose two days have passed (27 and 28/02/2026), with a 48N case
    and 5 other trainees enrolled, waiting for its attendance."""
    case = mandatory(api, NUM, received="10/01/2026")
    session = api.session("27/02/2026", "28/02/2026", fill=5)
    api.enroll(case["id"], session["id"])
    return session, [NUM, *api.fillers[session["id"]]]


def sheet(numbers, values=("présent", "présent"), sep=";", bom=True, header="Permis;Jour 1;Jour 2"):
    lines = [header.replace(";", sep)] + [sep.join([n, *values]) for n in numbers]
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def upload(client, session_id, data: bytes | None, name="presence.csv"):
    form = {"fichier": (io.BytesIO(data), name)} if data is not None else {}
    return client.post(f"/ui/sessions/{session_id}/presence/fichier", form)


def confirming_form(resp) -> dict[str, str]:
    """The hidden fields of the page's « Confirmer la présence » form (its token with them)."""
    found = re.search(r'<form method="post" action="([^"]+)" class="fr-mt-2w">(.*?)</form>',
                      text(resp), re.S)
    assert found, text(resp)[:3000]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                             found.group(2)))
    fields.pop("csrf_token")
    return {html.unescape(k): html.unescape(v) for k, v in fields.items()}


def upload_confirmed(client, session_id, data: bytes, name="presence.csv"):
    """The file uploaded: the page asks, nothing recorded; then « Confirmer la présence »."""
    with unchanged():
        resp = upload(client, session_id, data, name)
    assert resp.status_code == 200, text(resp)[:3000]
    assert 'data-confirm-heading>Confirmer la présence ?</h3>' in text(resp)
    return client.post(f"/ui/sessions/{session_id}/presence/fichier",
                       {**confirming_form(resp), "etape": "confirmer"})


def errors_shown(resp) -> list[str]:
    page = text(resp)
    block = re.search(r'<ul id="upload-error-list">(.*?)</ul>', page, re.S)
    assert block, page[:3000]
    return [html.unescape(re.sub(r"<[^>]+>", "", li)) for li in
            re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def test_a_sheet_with_errors_shows_each_at_its_line_and_stores_nothing(api, held_soon):
    session, numbers = held_soon
    centre = as_centre(api)
    page = text(centre.get(f"/ui/sessions/{session['id']}"))
    assert 'id="attendance-file"' in page and 'enctype="multipart/form-data"' in page
    good = sheet(numbers).decode("utf-8")
    cases = [
        (None, ["Fichier : Choisissez le fichier CSV de la feuille de présence."]),
        (b"", ["Fichier : Le fichier est vide."]),
        (b"\r\n  \r\n", ["Fichier : Le fichier est vide."]),
        # 0x81 and 0x8D: neither UTF-8 nor Windows-1252
        (b"Permis;Jour 1;Jour 2\r\n\x81\x8d;pr\xe9sent;pr\xe9sent",
         ["Fichier : Le fichier n'est encodé ni en UTF-8 ni en Windows-1252 : enregistrez-le "
          "au format « CSV UTF-8 » puis envoyez-le de nouveau."]),
        (b"x" * (256 * 1024 + 1), ["Fichier : Le fichier dépasse 256 Kio : une feuille de "
                                   "présence tient en quelques lignes."]),
        (b"Permis;Jour 1;Jour 2\r\n", ["Fichier : Le fichier ne contient aucune ligne de "
                                       "présence après les noms des colonnes."]),
        (b"Ville;Jour 1\r\nA;present\r\n", [
            "Ligne 1, colonne « Ville » : Colonne inconnue « Ville ».",
            "Ligne 1 : Colonne(s) manquante(s) : « Permis », « Jour 2 ». La première ligne "
            "doit nommer les colonnes : Permis ; Jour 1 ; Jour 2."]),
        (good.replace(f"{numbers[1]};présent;présent", f"{numbers[1]};présent;malade")
         .encode(), ["Ligne 3, colonne « Jour 2 » : Valeur « malade » non reconnue : indiquez "
                     "présent, absent ou retard."]),
        (good.replace(f"{numbers[2]};présent;présent", f"{numbers[2]};;absent").encode(),
         ["Ligne 4, colonne « Jour 1 » : Valeur manquante : indiquez présent, absent ou "
          "retard."]),
        (good.replace(numbers[3], "999999999999").encode(), [
            "Ligne 5, colonne « Permis » : Le permis « 999999999999 » n'est pas inscrit à "
            "cette session.",
            f"Fichier : Il manque la présence de : {api_name(api, numbers[3])} "
            f"(permis {numbers[3]})."]),
        (good.replace(numbers[4], numbers[0]).encode(), [
            f"Ligne 6, colonne « Permis » : Le permis {numbers[0]} figure déjà ligne 2.",
            f"Fichier : Il manque la présence de : {api_name(api, numbers[4])} "
            f"(permis {numbers[4]})."]),
        (b"Permis;Jour 1;Jour 2\r\n\"" + b"x" * 140_000 + b"\";a;b\r\n",
         ["Fichier : Le fichier n'est pas un CSV lisible : une cellule est trop longue ou "
          "un guillemet n'est pas refermé."]),
        (b"Permis;Jour 1;Jour 2\r\nA\x00;a;b\r\n",
         ["Fichier : Le fichier contient un caractère nul : ce n'est pas un fichier CSV."]),
        ((good + f"{numbers[0]};présent\r\n").encode(),
         ["Ligne 8 : La ligne compte 2 colonnes au lieu de 3."]),
        (sheet(numbers[:-1]), [f"Fichier : Il manque la présence de : "
                               f"{api_name(api, numbers[-1])} (permis {numbers[-1]})."]),
    ]
    with unchanged():
        for data, expected in cases:
            resp = upload(centre, session["id"], data)
            assert resp.status_code == 422, (data, text(resp)[:300])
            assert errors_shown(resp) == expected, data
            assert "Erreur — Session" in text(resp)
            assert 'aria-invalid="true"' in text(resp)
    assert api.ok(api.get(f"/api/v1/sessions/{session['id']}"))["status"] == "planned"


def api_name(api, number) -> str:
    lic = api.ok(api.get(f"/api/v1/licences/{number}"))
    return f"{lic['holder']['first_name']} {lic['holder']['last_name']}"


def test_a_right_sheet_is_recorded_by_the_attendance_service(api, held_soon):
    session, numbers = held_soon
    centre = as_centre(api)
    # `,` separator, no BOM, the API's values, a blank line, spaces, any case, columns reordered
    lines = ["Jour 2,numéro de permis,JOUR 1", f"late, {numbers[0]} ,Present", ""]
    lines += [f"Présent,{n},présent" for n in numbers[1:]]
    resp = upload_confirmed(centre, session["id"], "\n".join(lines).encode("utf-8"))
    assert resp.status_code == 302, text(resp)[:2000]
    assert "Présence importée du fichier « presence.csv »" in flashes(centre.get(
        resp.headers["Location"]))[0]
    view = api.ok(api.get(f"/api/v1/sessions/{session['id']}"))
    assert view["status"] == "held"
    by_licence = {e["licence"]: e for e in view["enrollments"]}
    assert by_licence[NUM]["day1"] == "present" and by_licence[NUM]["day2"] == "late"
    assert by_licence[NUM]["attestation_issued_on"] is None  # late: no attestation (R34)
    assert by_licence[numbers[1]]["attestation_issued_on"] == "2026-02-28"
    # held: a second file is refused, nothing changes
    with unchanged():
        resp = upload(centre, session["id"], sheet(numbers))
    assert resp.status_code == 409
    assert "La présence de cette session est déjà enregistrée." in html.unescape(text(resp))


REFUSED_CONFIRMATION = ("Fichier : La confirmation reçue ne correspond pas au fichier importé, "
                        "ou elle a expiré (nouvelle connexion) : rien n'a été enregistré. "
                        "Envoyez le fichier de nouveau.")


def test_an_uploaded_sheet_is_summed_up_and_recorded_only_once_confirmed(api, held_soon, ui):
    """As the grid: a right file answers who gets an attestation and who does not, by name;
    only « Confirmer la présence » with its token over exactly the records shown records
    them, once."""
    session, numbers = held_soon
    path = f"/ui/sessions/{session['id']}/presence/fichier"
    centre = as_centre(api)
    lines = ["Permis;Jour 1;Jour 2", f"{numbers[0]};présent;retard",
             f"{numbers[1]};absent;présent"] + [f"{n};présent;présent" for n in numbers[2:]]
    with unchanged():
        resp = upload(centre, session["id"], "\r\n".join(lines).encode("utf-8"),
                      name="présence juin.csv")
    assert resp.status_code == 200, text(resp)[:3000]
    page = html.unescape(text(resp))
    assert "<title>Confirmation demandée — Session" in page
    assert 'data-confirm-heading>Confirmer la présence ?</h3>' in page
    said = re.search(r'<p id="confirmation-resume">(.*?)</p>', page, re.S).group(1)
    assert said == (f"Vous allez délivrer 4 attestations de stage ; 2 stagiaires n'auront pas "
                    f"d'attestation (absents ou en retard : {api_name(api, numbers[0])} "
                    f"(jour 2 : en retard), {api_name(api, numbers[1])} (jour 1 : absent)).")
    assert "Feuille importée du fichier « présence juin.csv » : rien n'est encore " \
           "enregistré." in page
    assert f'<form method="post" action="{path}" class="fr-mt-2w">' in page
    assert 'name="etape" value="confirmer">Confirmer la présence</button>' in page
    assert 'name="etape" value="revenir">Annuler</button>' in page
    assert 'id="attendance-file"' not in page and 'type="radio"' not in page
    assert api.ok(api.get(f"/api/v1/sessions/{session['id']}"))["status"] == "planned"
    fields = confirming_form(resp)
    assert fields["nom_fichier"] == "présence juin.csv"
    assert (fields["records.0.licence"], fields["records.0.day2"], fields["records.0.line"]) \
        == (numbers[0], "late", "2")
    confirmed = {**fields, "etape": "confirmer"}

    # records, name or token not those shown, or another login's: refused, nothing recorded
    last = len(numbers) - 1
    fewer = {k: v for k, v in confirmed.items() if not k.startswith(f"records.{last}.")}
    for form in ({**confirmed, "records.0.day2": "present"},
                 {**confirmed, "records.1.licence": numbers[2]},
                 {**confirmed, "nom_fichier": "autre.csv"},
                 {**confirmed, "confirmation": "0" * 64},
                 fewer,
                 {**confirmed, **{f"records.{last + 1}.{k}": v for k, v in (
                     ("licence", numbers[0]), ("day1", "present"), ("day2", "present"),
                     ("line", "9"))}},
                 {k: v for k, v in confirmed.items() if k != "nom_fichier"}):
        with unchanged():
            resp = centre.post(path, form)
        assert resp.status_code == 422, form
        assert errors_shown(resp) == [REFUSED_CONFIRMATION]
        assert "Confirmer la présence" not in text(resp)
    with unchanged():  # the clerk's login: the centre's token is no confirmation of its
        resp = ui.post(path, confirmed)
    assert resp.status_code == 422 and errors_shown(resp) == [REFUSED_CONFIRMATION]

    # « Annuler »: back to the page, nothing recorded
    with unchanged():
        resp = centre.post(path, {**fields, "etape": "revenir"})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/ui/sessions/{session['id']}")
    back = html.unescape(text(centre.get(resp.headers["Location"])))
    assert "Import du fichier annulé : rien n'a été enregistré." in back
    assert 'id="attendance-file"' in back  # the file may be sent again

    resp = centre.post(path, confirmed)
    assert resp.status_code == 302, text(resp)[:3000]
    assert "Présence importée du fichier « présence juin.csv » et enregistrée" in flashes(
        centre.get(resp.headers["Location"]))[0]
    view = api.ok(api.get(f"/api/v1/sessions/{session['id']}"))
    assert view["status"] == "held"
    by_licence = {e["licence"]: e for e in view["enrollments"]}
    assert (by_licence[numbers[0]]["day2"], by_licence[numbers[1]]["day1"]) == ("late", "absent")
    assert [n for n in numbers if by_licence[n]["attestation_issued_on"]] == numbers[2:]
    # the same confirmation again: the service's refusal, nothing recorded twice
    with unchanged():
        resp = centre.post(path, confirmed)
    assert resp.status_code == 409
    assert "La présence de cette session est déjà enregistrée." in html.unescape(text(resp))


def test_a_confirmation_is_checked_again_when_it_comes(api, held_soon):
    """The attendance recorded meanwhile (by the API, say): the confirmed file is refused
    with the usual message, nothing recorded twice."""
    session, numbers = held_soon
    centre = as_centre(api)
    with unchanged():
        resp = upload(centre, session["id"], sheet(numbers, ("présent", "absent")))
    assert resp.status_code == 200 and "Confirmer la présence ?" in text(resp)
    confirmed = {**confirming_form(resp), "etape": "confirmer"}
    api.attendance(session["id"], [(NUM, "present", "present")])
    with unchanged():
        resp = centre.post(f"/ui/sessions/{session['id']}/presence/fichier", confirmed)
    assert resp.status_code == 409
    assert "La présence de cette session est déjà enregistrée." in html.unescape(text(resp))
    view = api.ok(api.get(f"/api/v1/sessions/{session['id']}"))
    assert {e["day2"] for e in view["enrollments"]} == {"present"}  # the API's, kept


def test_the_confirmation_has_the_uploads_access(api, held_soon, ui):
    session, numbers = held_soon
    other = api.session("27/02/2026", "28/02/2026", centre=OTHER_CENTRE, fill=1)
    own = api.session("27/02/2026", "28/02/2026", fill=1)
    centre = as_centre(api)
    resp = upload(centre, session["id"], sheet(numbers))
    confirmed = {**confirming_form(resp), "etape": "confirmer"}
    designer = UiClient(api.app)
    designer.login("designer")
    with unchanged():
        for session_id in (other["id"], 987654):  # another centre's session, or none
            resp = centre.post(f"/ui/sessions/{session_id}/presence/fichier", confirmed)
            assert resp.status_code == 403, session_id
        resp = ui.post("/ui/sessions/987654/presence/fichier", confirmed)
        assert resp.status_code == 404
        resp = designer.post(f"/ui/sessions/{session['id']}/presence/fichier", confirmed)
        assert resp.status_code == 403
        # made for one session, it confirms no other one of the centre
        resp = centre.post(f"/ui/sessions/{own['id']}/presence/fichier", confirmed)
        assert resp.status_code == 422 and errors_shown(resp) == [REFUSED_CONFIRMATION]
        # no CSRF token: refused
        resp = centre.post(f"/ui/sessions/{session['id']}/presence/fichier", confirmed,
                           csrf=False)
        assert resp.status_code == 400
    assert centre.post(f"/ui/sessions/{session['id']}/presence/fichier",
                       confirmed).status_code == 302


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_a_sheet_saved_by_french_excel_is_read_in_its_encoding(api, held_soon, encoding):
    """French Excel's « CSV (séparateur : point-virgule) » is Windows-1252, not UTF-8: a
    centre's sheet saved that way (accents in its header, values and names) is read as it is;
    so is a UTF-16 file with its byte-order mark."""
    session, numbers = held_soon
    centre = as_centre(api)
    lines = ["Stagiaire;N° de permis;Jour 1;Jour 2"]
    lines += [f"Hélène Œuvray;{n};Présent;Présent" for n in numbers]
    resp = upload_confirmed(centre, session["id"], "\r\n".join(lines).encode(encoding))
    assert resp.status_code == 302, text(resp)[:2000]
    view = api.ok(api.get(f"/api/v1/sessions/{session['id']}"))
    assert view["status"] == "held"
    assert {e["day1"] for e in view["enrollments"]} == {"present"}


def test_the_upload_has_the_attendance_forms_access(api, held_soon, ui):
    session, numbers = held_soon
    other = api.session("27/02/2026", "28/02/2026", centre=OTHER_CENTRE, fill=1)
    centre = as_centre(api)
    with unchanged():
        for session_id in (other["id"], 987654):
            resp = upload(centre, session_id, sheet(api.fillers[other["id"]]))
            assert resp.status_code == 403, session_id
    designer = UiClient(api.app)
    designer.login("designer")
    assert upload(designer, session["id"], sheet(numbers)).status_code == 403
    # no CSRF token: refused before the file is read
    resp = centre.http.post(f"/ui/sessions/{session['id']}/presence/fichier",
                            data={"fichier": (io.BytesIO(sheet(numbers)), "p.csv")})
    assert resp.status_code == 400
    # before day 2: not yet
    early = api.session("06/03/2026", "07/03/2026", fill=1)
    resp = upload(ui, early["id"], sheet(api.fillers[early["id"]]))
    assert resp.status_code == 409
    assert "à partir du second jour (07/03/2026)" in html.unescape(text(resp))
    # a clerk may upload it too
    resp = upload_confirmed(ui, session["id"], sheet(numbers))
    assert resp.status_code == 302
    assert api.ok(api.get(f"/api/v1/sessions/{session['id']}"))["status"] == "held"


# ---- the same exports in the API -------------------------------------------------------------

def test_api_exports_with_the_lists_filters_and_roles(api, ui):
    case = mandatory(api, NUM)
    mandatory(api, "120175200124")
    own = api.session("05/06/2026", "06/06/2026", fill=0)
    other = api.session("12/06/2026", "13/06/2026", centre=OTHER_CENTRE, fill=0)
    rows = read_csv(api.get("/api/v1/cases/export", q="200124", as_="agent"))
    assert [r[2] for r in rows[1:]] == ["120175200124"]
    sheet = read_xlsx(api.get("/api/v1/cases/export", format="xlsx", licence=NUM))
    assert [r[0] for r in list(sheet.values)[1:]] == [case["reference"]]
    rows = read_csv(api.get("/api/v1/tasks/export", state="open", as_="agent"))
    assert rows[0][0] == "Tâche" and rows[1:] == []
    rows = read_csv(api.get("/api/v1/sessions/export", as_="centre75"))
    assert [int(r[0]) for r in rows[1:]] == [own["id"]]
    rows = read_csv(api.get("/api/v1/sessions/export", **{"from": "2026-06-10"}))
    assert [int(r[0]) for r in rows[1:]] == [other["id"]]
    rows = read_csv(api.get(f"/api/v1/cases/{case['id']}/events/export"))
    assert rows[1][2] == "Dossier ouvert"
    rows = read_csv(api.get(f"/api/v1/licences/{NUM}/movements/export"))
    assert rows[1][:3] == ["01/10/2025", "Retrait", "-3"]

    for path in ("/api/v1/tasks/export", "/api/v1/cases/export",
                 f"/api/v1/cases/{case['id']}/events/export",
                 f"/api/v1/licences/{NUM}/movements/export"):
        assert api.get(path, as_="centre75").status_code == 403, path
    assert api.get("/api/v1/sessions/export", as_="designer").status_code == 403
    resp = api.get("/api/v1/tasks/export", format="pdf")
    assert resp.status_code == 422 and "format" in resp.get_json()["errors"]
    assert api.get("/api/v1/tasks/export", page="2").status_code == 422  # every row, no page
    assert api.get("/api/v1/cases/999999/events/export").status_code == 404
    api.app.config["EXPORT_MAX_ROWS"] = 1
    resp = api.get("/api/v1/cases/export")
    assert resp.status_code == 422 and "L'export est limité à 1 ligne et" in \
        resp.get_json()["detail"]
    doc = api.ok(api.get("/api/v1/openapi.json"))
    assert "text/csv" in doc["paths"]["/api/v1/tasks/export"]["get"]["responses"]["200"][
        "content"]


def test_exports_read_the_same_number_of_statements_for_more_rows(api):
    from tests.integration.test_ui_queries import World
    from tests.query_count import counted

    api.set_today("02/03/2026")
    world = World(api)
    clients = {name: as_centre(api, name) for name in ("agent", "centre75")}
    paths = [("agent", "/ui/taches/export.csv"), ("agent", "/ui/taches/export.xlsx"),
             ("agent", "/ui/sessions/export.csv"), ("centre75", "/ui/sessions/export.xlsx"),
             ("agent", "/ui/recherche/dossiers.csv?q=1201753"),
             ("agent", "/ui/recherche/permis.xlsx?q=1201753"),
             ("agent", "/api/v1/tasks/export"), ("agent", "/api/v1/cases/export")]

    def measure():
        out, sizes = {}, {}
        for who, path in paths:
            with counted() as seen:
                if path.startswith("/api/"):
                    resp = api.get(path, as_=who)
                else:
                    resp = clients[who].get(path)
                sizes[path] = len(resp.get_data())
            assert resp.status_code == 200, (who, path)
            out[path] = seen
        return out, sizes

    world.grow(2)
    before, small = measure()
    world.grow(3)
    after, big = measure()
    grown = {path: {sql[:120]: (before[path][sql], n) for sql, n in seen.items()
                    if n > before[path][sql]} for path, seen in after.items()}
    assert not {path: sqls for path, sqls in grown.items() if sqls}
    assert all(big[p] > small[p] for _, p in paths)  # more rows written


def test_the_services_refusal_is_shown_at_the_files_lines():
    """When the trainees change between the check and the command (another clerk enrolled one
    meanwhile), the attendance service's errors come back at the file's lines."""
    from services.errors import Invalid
    from web.ui.attendance_csv import LineError
    from web.ui.attendance_upload import line_errors

    exc = Invalid("La feuille de présence ne correspond pas aux inscrits.", {
        "records.1.licence": ["Ce permis n'est pas inscrit à la session."],
        "records": ["Il manque la présence de : 120175200999."]})
    assert line_errors(exc, [2, 4]) == [
        LineError(4, "Permis", "Ce permis n'est pas inscrit à la session."),
        LineError(None, "", "Il manque la présence de : 120175200999.")]


def test_the_template_lists_the_trainees_and_comes_back_filled_in(api, held_soon):
    session, numbers = held_soon
    centre = as_centre(api)
    rows = read_csv(centre.get(f"/ui/sessions/{session['id']}/presence/modele.csv"))
    assert rows[0] == ["Permis", "Stagiaire", "Jour 1", "Jour 2"]
    assert sorted(r[0] for r in rows[1:]) == sorted(numbers) and all(
        r[2:] == ["", ""] for r in rows[1:])
    assert f"/ui/sessions/{session['id']}/presence/modele.csv" in text(
        centre.get(f"/ui/sessions/{session['id']}"))
    other = api.session("27/02/2026", "28/02/2026", centre=OTHER_CENTRE, fill=1)
    assert centre.get(f"/ui/sessions/{other['id']}/presence/modele.csv").status_code == 403
    filled = "\r\n".join(";".join([*r[:2], "présent", "absent"]) for r in rows)
    filled = filled.replace("présent;absent", "Jour 1;Jour 2", 1)  # the header line
    resp = upload_confirmed(centre, session["id"], ("\ufeff" + filled).encode("utf-8"))
    assert resp.status_code == 302, text(resp)[:3000]
    view = api.ok(api.get(f"/api/v1/sessions/{session['id']}"))
    assert view["status"] == "held" and {e["day2"] for e in view["enrollments"]} == {"absent"}
