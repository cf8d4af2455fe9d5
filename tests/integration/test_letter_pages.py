"""The letters of a draft edited in the browser (issue 15 item 3): a textarea per template,
« Aperçu » (the PDF against the sample case) and « Enregistrer » (a new draft), forms with the
CSRF token, no inline script; other roles 403."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from services.db import db
from services.models import ProcessDraft
from tests.api_errors_support import assert_problem
from tests.designer_support import OBLIGATOIRE, VOLONTAIRE, xml_headers
from tests.ui_support import INLINE_SCRIPT, STYLE_ATTR, UiClient

KEY = "stage_obligatoire"
LETTER = "courriers/signalement_procureur.html"


@pytest.fixture
def draft(api):
    body = api.ok(api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                              raw=OBLIGATOIRE, headers=xml_headers()), 201)
    return body["id"]


def ui(api, who="designer") -> UiClient:
    client = UiClient(api.app)
    client.login(who)
    return client


def letter_text(draft_id: int) -> str:
    return db.session.get(ProcessDraft, draft_id).files[LETTER]


def test_the_draft_page_has_a_textarea_per_letter_without_inline_script(api, draft):
    page = ui(api).get(f"/ui/processus/brouillons/{draft}").get_data(as_text=True)
    assert 'id="texte-signalement_procureur"' in page and 'id="texte-_mise_en_page"' in page
    assert "Aperçu" in page and 'name="csrf_token"' in page
    assert not INLINE_SCRIPT.search(page) and not STYLE_ATTR.search(page)


def test_preview_renders_the_edited_text_against_the_sample_case(api, draft):
    client = ui(api)
    client.get(f"/ui/processus/brouillons/{draft}")
    text = letter_text(draft).replace("Tribunal judiciaire", "Tribunal judiciaire de Bordeaux")
    resp = client.post(f"/ui/processus/brouillons/{draft}/courriers/apercu",
                       {"modele": "signalement_procureur", "texte": text})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = pypdf.PdfReader(io.BytesIO(resp.data))
    content = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Tribunal judiciaire de Bordeaux" in content and "STG-2026-000001" in content
    assert letter_text(draft) != text  # nothing stored


def test_a_bad_preview_is_422_naming_the_line_and_keeps_the_text(api, draft):
    client = ui(api)
    client.get(f"/ui/processus/brouillons/{draft}")
    text = "{% extends \"courriers/_mise_en_page.html\" %}\n{% block corps %}\n{{ ''.__class__ }}" \
           "{% endblock %}"
    resp = client.post(f"/ui/processus/brouillons/{draft}/courriers/apercu",
                       {"modele": "signalement_procureur", "texte": text})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "bac à sable" in page and "(ligne 3)" in page
    assert "__class__" in page  # the designer's text is given back


def test_save_makes_a_new_draft_with_the_letter(api, draft):
    client = ui(api)
    client.get(f"/ui/processus/brouillons/{draft}")
    text = letter_text(draft).replace("Tribunal judiciaire", "Tribunal judiciaire de Pau")
    resp = client.post(f"/ui/processus/brouillons/{draft}/courriers",
                       {"modele": "signalement_procureur", "texte": text})
    assert resp.status_code == 302
    new_id = int(re.search(r"/brouillons/(\d+)", resp.headers["Location"]).group(1))
    assert new_id != draft and letter_text(new_id) == text
    new = db.session.get(ProcessDraft, new_id)
    assert new.valid is True and letter_text(draft) != text  # the old draft unchanged


def saved_letter(api, draft: int, modele: str, texte: str) -> ProcessDraft:
    """The new draft « Enregistrer » makes with the letter `modele` written as `texte`."""
    client = ui(api)
    client.get(f"/ui/processus/brouillons/{draft}")
    resp = client.post(f"/ui/processus/brouillons/{draft}/courriers",
                       {"modele": modele, "texte": texte})
    new_id = int(re.search(r"/brouillons/(\d+)", resp.headers["Location"]).group(1))
    return db.session.get(ProcessDraft, new_id)


def test_a_new_letter_with_an_error_is_saved_with_its_problem(api, draft):
    new = saved_letter(api, draft, "relance", "<p>{{ inconnu }}</p>")
    assert new.valid is False
    assert any(p["element_id"] == "courriers/relance.html" for p in new.problems)


@pytest.mark.parametrize("modele", ["", "../x", "Majuscule", "é", "a" * 81])
def test_a_bad_template_id_is_422(api, draft, modele):
    client = ui(api)
    client.get(f"/ui/processus/brouillons/{draft}")
    for path in ("courriers", "courriers/apercu"):
        resp = client.post(f"/ui/processus/brouillons/{draft}/{path}",
                           {"modele": modele, "texte": "x"})
        assert resp.status_code == 422
        assert "Identifiant de courrier invalide" in resp.get_data(as_text=True)


def test_without_csrf_400_and_unknown_draft_404(api, draft):
    client = ui(api)
    client.get(f"/ui/processus/brouillons/{draft}")
    resp = client.post(f"/ui/processus/brouillons/{draft}/courriers",
                       {"modele": "relance", "texte": "x"}, csrf=False)
    assert resp.status_code == 400
    resp = client.post("/ui/processus/brouillons/999999/courriers/apercu",
                       {"modele": "relance", "texte": "x"})
    assert resp.status_code == 404


@pytest.mark.parametrize("who", ["agent", "centre75"])
def test_other_roles_get_403(api, draft, who):
    client = ui(api, who)
    client.get("/ui/")
    for path in ("courriers", "courriers/apercu"):
        resp = client.post(f"/ui/processus/brouillons/{draft}/{path}",
                           {"modele": "relance", "texte": "x"})
        assert resp.status_code == 403


def _edited_letter_draft(api, draft) -> tuple[int, str]:
    client = ui(api)
    client.get(f"/ui/processus/brouillons/{draft}")
    text = letter_text(draft).replace("Tribunal judiciaire", "Tribunal judiciaire de Pau")
    resp = client.post(f"/ui/processus/brouillons/{draft}/courriers",
                       {"modele": "signalement_procureur", "texte": text})
    return int(re.search(r"/brouillons/(\d+)", resp.headers["Location"]).group(1)), text


def test_the_editor_saving_a_draft_keeps_the_letters_edited_on_it(api, draft):
    """The editor sends the BPMN (and its forms and tables), never the letters: saved from a
    draft whose letter was edited on its page (`from_draft`), the new draft keeps that letter,
    not the version's (a QA finding: the edit was silently lost)."""
    edited, text = _edited_letter_draft(api, draft)
    xml = OBLIGATOIRE.replace(b"Produire le courrier au procureur", b"Courrier au parquet")
    body = api.ok(api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                              raw=xml, headers=xml_headers(), from_draft=edited), 201)
    assert letter_text(body["id"]) == text
    assert body["based_on"] == db.session.get(ProcessDraft, edited).based_on
    # without it, the letters come from the version the draft is based on, as before
    plain = api.ok(api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                               raw=xml, headers=xml_headers()), 201)
    assert letter_text(plain["id"]) == letter_text(draft) != text


@pytest.mark.parametrize("other", ["unknown", "other_process"])
def test_from_draft_must_be_a_draft_of_the_process(api, draft, other):
    if other == "unknown":
        draft_id = 987654
    else:
        draft_id = api.ok(api.request("POST", "/api/v1/processes/stage_volontaire/drafts",
                                      as_="designer", raw=VOLONTAIRE,
                                      headers=xml_headers()), 201)["id"]
    before = db.session.query(ProcessDraft).count()
    assert_problem(api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                               raw=OBLIGATOIRE, headers=xml_headers(), from_draft=draft_id),
                   422, "from_draft")
    assert db.session.query(ProcessDraft).count() == before


def test_previewing_an_empty_letter_says_so_instead_of_a_blank_pdf(api, draft):
    """A QA finding: « Aperçu » of an emptied template downloaded a blank PDF, no word said."""
    client = ui(api)
    client.get(f"/ui/processus/brouillons/{draft}")
    resp = client.post(f"/ui/processus/brouillons/{draft}/courriers/apercu",
                       {"modele": "signalement_procureur", "texte": "  \n"})
    assert resp.status_code == 422 and resp.mimetype == "text/html"
    assert ("Aperçu impossible : courriers/signalement_procureur.html : le modèle de courrier "
            "est vide") in resp.get_data(as_text=True)


def test_an_empty_letter_saved_makes_a_draft_with_its_problem(api, draft):
    new = saved_letter(api, draft, "relance", "")
    assert new.valid is False
    [problem] = [p for p in new.problems if p["element_id"] == "courriers/relance.html"]
    assert problem["message"].startswith("le courrier « courriers/relance.html » ne peut pas "
                                         "être produit : le modèle de courrier est vide")
