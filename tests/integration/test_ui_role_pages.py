"""Defects of the centres', designers' and admins' pages found by an exploratory pass: each test
failed before its fix."""

from __future__ import annotations

import html
import re

from tests.ui_support import UiClient, field_errors, text


def client(api, username):
    ui = UiClient(api.app)
    ui.login(username)
    return ui


# ---- a centre's new session past its agrément's end (R23) -------------------------------------

def test_a_centre_sees_its_agrement_ending_before_the_session_under_the_second_day(api):
    """A centre's form has no centre field: the agrément's refusal was put under it anyway, so
    it showed nowhere but in the summary, whose link (#centre) led nowhere; and an agrément still
    running was said to have « expiré »."""
    api.set_today("02/06/2030")  # the demo centres' agréments end on 31/12/2030
    centre = client(api, "centre75")
    resp = centre.post("/ui/sessions/nouvelle",
                       {"day1": "2031-01-13", "day2": "2031-01-14", "capacity": "12"})
    assert resp.status_code == 422
    body = text(resp)
    assert 'href="#centre"' not in body and 'id="centre"' not in body
    errors = field_errors(resp)
    assert list(errors) == ["day2"]
    assert errors["day2"] == ["L'agrément du centre prend fin le 31/12/2030, avant le second "
                              "jour de la session (R23)."]
    assert 'href="#day2"' in body
    assert api.ok(api.get("/api/v1/sessions"))["total"] == 0

    # a clerk picks the centre: the message stays under it
    agent = client(api, "agent")
    resp = agent.post("/ui/sessions/nouvelle", {"centre": "R2407500010", "day1": "2031-01-13",
                                                "day2": "2031-01-14", "capacity": "12"})
    assert list(field_errors(resp)) == ["centre"]
    assert "prend fin le 31/12/2030" in field_errors(resp)["centre"][0]

    api.set_today("06/01/2031")  # now it has expired
    resp = agent.post("/ui/sessions/nouvelle", {"centre": "R2407500010", "day1": "2031-01-13",
                                                "day2": "2031-01-14", "capacity": "12"})
    assert field_errors(resp)["centre"] == ["L'agrément du centre a expiré le 31/12/2030 (R23)."]


# ---- the attendance file's errors ---------------------------------------------------------------

def _advice(resp) -> str:
    found = re.search(r'id="upload-errors">\s*<h4[^>]*>[^<]*</h4>\s*<p[^>]*>([^<]*)</p>',
                      text(resp))
    assert found, text(resp)[:300]
    return found.group(1)


def test_the_attendance_files_advice_names_lines_only_when_lines_are_wrong(api):
    """« Corrigez la ligne signalée » was said of an empty file, a file it cannot decode and of no
    file at all, where no line was signalled."""
    import io

    api.set_today("01/02/2026")
    session = api.session("06/03/2026", "07/03/2026", fill=6)
    api.set_today("09/03/2026")
    centre = client(api, "centre75")
    path = f"/ui/sessions/{session['id']}/presence/fichier"

    def upload(raw: bytes | None):
        form = {} if raw is None else {"fichier": (io.BytesIO(raw), "presence.csv")}
        resp = centre.post(path, form)
        assert resp.status_code == 422
        return _advice(resp)

    for raw in (b"", b"Permis;Jour 1;Jour 2\r\n\x81\x8d;pr\xe9sent;pr\xe9sent\r\n"):
        assert upload(raw) == ("Rien n'a été enregistré. Corrigez le fichier puis envoyez-le de "
                               "nouveau."), raw
    assert upload(None) == "Rien n'a été enregistré."
    one_line = "Permis;Jour 1;Jour 2\r\n999999999999;présent;présent\r\n".encode()
    assert "Corrigez la ligne signalée puis" in upload(one_line)
    assert api.ok(api.get(f"/api/v1/sessions/{session['id']}"))["status"] == "planned"


# ---- roles in French ----------------------------------------------------------------------------

def test_the_refusal_page_and_the_journal_name_roles_in_french(api, app):
    """The 403 page said « Le rôle « designer » ne permet pas… » and the admins' journal
    « rôle : agent → designer »: the API's code, in English, where the header says
    « concepteur »."""
    designer = client(api, "designer")
    resp = designer.get("/ui/sessions")
    assert resp.status_code == 403
    assert "Le rôle « concepteur » ne permet pas d'ouvrir cette page." in html.unescape(text(resp))
    resp = client(api, "centre75").get("/ui/tableau-de-bord")
    assert "Le rôle « centre agréé » ne permet pas d'ouvrir cette page." in html.unescape(
        text(resp))

    runner = app.test_cli_runner()
    for args in (["users", "create", "qaa", "--role", "agent", "--password-stdin"],
                 ["users", "role", "qaa", "--role", "designer"]):
        result = runner.invoke(args=args, input="motdepasse-qa\n")
        assert result.exit_code == 0, result.output
    journal = text(client(api, "admin").get("/ui/journal", type="utilisateur_role"))
    assert "rôle : agent → concepteur" in journal
    assert "designer" not in re.sub(r"utilisateur:\w+", "", journal.split("<main", 1)[1])


# ---- renaming a group ------------------------------------------------------------------------

def test_a_refused_group_name_stays_in_its_row_with_the_reason(api):
    """A refused renaming redirected to the list with a message at the top: the name typed was
    lost and the row showed the old name, with nothing next to it."""
    api.ok(api.post("/api/v1/groups", {"code": "accueil", "name": "Accueil"}), 201)
    api.ok(api.post("/api/v1/groups", {"code": "controle", "name": "Contrôle"}), 201)
    admin = client(api, "admin")
    typed = "Accueil téléphonique " * 6  # 126 characters
    resp = admin.post("/ui/groupes/accueil/nom", {"name": typed})
    assert resp.status_code == 422
    body = text(resp)
    row = re.search(r'<input class="fr-input fr-input--error" type="text" id="(nom-\d)" '
                    r'name="name" value="([^"]*)"[^>]*aria-invalid="true"', body)
    assert row and html.unescape(row.group(2)) == typed
    error = re.search(rf'<p class="fr-error-text" id="{row.group(1)}-error"[^>]*>([^<]+)</p>',
                      body)
    assert error and "120 caractères au plus" in error.group(1)
    assert body.count("fr-input--error") == 1  # the other group's row is untouched
    names = {g["code"]: g["name"] for g in api.ok(api.get("/api/v1/groups"))["items"]}
    assert names == {"accueil": "Accueil", "controle": "Contrôle"}


# ---- the designers' error boxes: « 1 problème », not « 1 problème(s) » ----------------------

DUPLICATE_IDS = (b'<?xml version="1.0" encoding="UTF-8"?>'
                 b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
                 b'id="d" targetNamespace="t"><bpmn:process id="stage_volontaire" '
                 b'isExecutable="true"><bpmn:startEvent id="s"/><bpmn:endEvent id="s"/>'
                 b'</bpmn:process></bpmn:definitions>')


def test_the_designers_refusals_count_one_problem_in_the_singular(api):
    """The drafts page's error box (the API's detail) said « refusé : 1 problème(s) » and « a
    1 problème(s) BPMN : corrigez-les »."""
    def upload(raw: bytes):
        return api.request("POST", "/api/v1/processes/stage_volontaire/drafts", as_="designer",
                           raw=raw, headers={"Content-Type": "application/xml"})

    resp = upload(b"hello")
    assert resp.status_code == 422
    assert resp.get_json()["detail"] == ("Le BPMN du processus « stage_volontaire » est refusé : "
                                         "1 problème.")
    draft = api.ok(upload(DUPLICATE_IDS), 201)
    assert not draft["valid"] and len(draft["problems"]) == 1
    resp = api.post(f"/api/v1/drafts/{draft['id']}/test-runs", {}, as_="designer")
    assert resp.status_code == 422
    assert resp.get_json()["detail"] == (f"Le brouillon n° {draft['id']} a 1 problème BPMN : "
                                         "corrigez-le avant de lancer les scénarios.")


def test_a_new_group_with_two_wrong_fields_is_told_both_at_once(api):
    """With the code and the name both wrong, only the code was flagged: the name's problem came
    after the code was fixed (the API's 422 named one field too)."""
    admin = client(api, "admin")
    def errors_of(resp):
        return dict(re.findall(r'id="group-(code|name)-error">([^<]+)<', text(resp)))

    resp = admin.post("/ui/groupes", {"code": "", "name": "   "})
    assert resp.status_code == 422
    errors = errors_of(resp)
    assert set(errors) == {"code", "name"}, errors
    assert errors["name"] == "Le nom du groupe est obligatoire."
    resp = admin.post("/ui/groupes", {"code": "Pas Un Code", "name": "x" * 121})
    errors = errors_of(resp)
    assert "Code de groupe invalide" in errors["code"]
    assert "120 caractères au plus (121 ici)" in html.unescape(errors["name"])
    assert api.ok(api.get("/api/v1/groups"))["items"] == []


def test_a_cancelled_session_says_whether_trainees_went_back_to_waiting(api):
    """A session cancelled with nobody enrolled said « Les dossiers inscrits sont revenus en
    attente d'inscription »."""
    api.set_today("01/02/2026")
    empty = api.session("06/03/2026", "07/03/2026", fill=0)
    full = api.session("13/03/2026", "14/03/2026", fill=2)
    for session in (empty, full):
        api.ok(api.post(f"/api/v1/sessions/{session['id']}/cancel",
                        {"on": "2026-02-01", "reason": "formateur indisponible"}))
    admin = client(api, "admin")

    def callout(session):
        page = html.unescape(text(admin.get(f"/ui/sessions/{session['id']}")))
        return re.search(r'id="cancellation">(.*?)</div>', page, re.S).group(1)

    assert "Aucun stagiaire n'y était inscrit." in callout(empty)
    assert "revenus en attente" not in callout(empty)
    assert "Les dossiers inscrits sont revenus en attente d'inscription (R36)." in callout(full)
