"""The case's letters (issue 15 item 3): made from the case's own version's templates, stored
immutable with their SHA-256 and data, listed and downloaded by clerks, checked at deployment."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pypdf
import pytest
from sqlalchemy import select

from services import cases, letters, outbox
from services.db import db, transaction
from services.incidents import IncidentRaised
from services.models import CaseEvent, Letter, OutboxJob
from services.models.letters import ImmutableLetter
from tests.api_errors_support import assert_problem
from tests.designer_support import xml_headers
from tests.threads import in_app_threads

NUM = "120175200777"
VERSIONS = "/api/v1/processes/stage_obligatoire/versions"


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split())
                    for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def open_case(api) -> dict:
    """A mandatory case of the running version, its 48N received on 10/03/2026."""
    api.set_today("20/03/2026")
    api.licence(NUM, obtained="01/09/2025")
    inf = api.infraction(NUM, "01/02/2026")
    return api.mandatory_case(NUM, inf["id"], received="10/03/2026", sent="05/03/2026")


@pytest.fixture
def case(api):
    return open_case(api)


def issue(case_id: int, template: str = "signalement_procureur") -> int:
    with transaction():
        return letters.issue_letter(cases.get(case_id), template, actor="agent")


def made(letter_id: int) -> Letter:
    """The letter once the outbox worker has laid it out (services/outbox.run_due)."""
    db.session.remove()
    outbox.run_due()
    db.session.remove()
    return db.session.get(Letter, letter_id)


def test_the_prosecutor_letter_is_stored_with_its_hash_data_and_history(api, case):
    letter_id = issue(case["id"])
    letter = made(letter_id)
    assert letter.sha256 == hashlib.sha256(letter.pdf).hexdigest()
    assert letter.title == "Signalement au procureur de la République"
    assert letter.template_id == "signalement_procureur" and letter.created_by == "agent"
    assert letter.data["dossier"]["reference"] == case["reference"]
    text = pdf_text(letter.pdf)
    for expected in (case["reference"], "Léa Martin", NUM, "envoyée le 5 mars 2026",
                     "le 10 mars 2026", "Le 20 mars 2026",
                     "expiré le " + letter.data["echeance"]):
        assert expected in text, expected
    assert letter.data["echeance"] == "10 juillet 2026"
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.type == "courrier_genere"))
    assert event.detail["courrier"] == "« Signalement au procureur de la République »"
    assert event.detail["lettre"] == letter_id


def test_the_command_fixes_the_text_and_the_worker_lays_it_out_once(api, case):
    """Issue 17: WeasyPrint is not the clerk's wait. The command stores the letter's text and an
    outbox job; the worker lays the PDF out after the commit, once."""
    letter_id = issue(case["id"])
    db.session.remove()
    letter = db.session.get(Letter, letter_id)
    assert letter.pdf is None and letter.sha256 is None and letter.pdf_made_at is None
    assert case["reference"] in letter.html and "Léa Martin" in letter.html
    job = db.session.scalar(select(OutboxJob))
    assert (job.channel, job.action, job.payload["letter_id"], job.case_id) == \
        ("courrier_pdf", "generer_courrier", letter_id, case["id"])
    assert made(letter_id).pdf.startswith(b"%PDF-")
    first = db.session.get(Letter, letter_id).sha256
    assert db.session.get(OutboxJob, job.id).status == outbox.SENT
    assert letters.make_pdf(letter_id) is False  # laid out already: nothing is redone
    db.session.remove()
    assert db.session.get(Letter, letter_id).sha256 == first


def test_the_first_stored_pdf_wins(api, case):
    """Two layouts at once (two workers, or a worker and a download): the statement fills the
    PDF only where it is empty, so the second changes nothing and is told so."""
    letter_id = issue(case["id"])
    assert letters._store_pdf(letter_id, b"%PDF-premier") is True
    assert letters._store_pdf(letter_id, b"%PDF-second") is False
    db.session.remove()
    letter = db.session.get(Letter, letter_id)
    assert letter.pdf == b"%PDF-premier"
    assert letter.sha256 == hashlib.sha256(b"%PDF-premier").hexdigest()


def test_two_layouts_at_once_store_one_pdf(api, case, monkeypatch):
    """Two workers (their own sessions and connections) lay the same letter out at once: both
    finish WeasyPrint before either stores, exactly one stores, the other is told it did not."""
    import threading

    letter_id = issue(case["id"])
    db.session.remove()
    barrier = threading.Barrier(2, timeout=60)
    real = letters.rendering.laid_out

    def laid_out_together(html, template_id):
        pdf = real(html, template_id)
        barrier.wait()  # both PDFs made: the stores race
        return pdf
    monkeypatch.setattr(letters.rendering, "laid_out", laid_out_together)
    results = in_app_threads(api.app, lambda: letters.make_pdf(letter_id))
    assert sorted(results) == [False, True]
    letter = db.session.get(Letter, letter_id)
    assert letter.sha256 == hashlib.sha256(letter.pdf).hexdigest()


def test_the_letter_is_made_from_the_case_own_version(api, case):
    issue(case["id"])
    letter = db.session.scalar(select(Letter))
    version_id, checksum = db.session.execute(
        select(Letter.version_id, Letter.bundle_checksum)).one()
    from services.models import ProcessInstance, ProcessVersion
    row = db.session.execute(select(ProcessVersion.id, ProcessVersion.checksum).join(
        ProcessInstance, ProcessInstance.version_id == ProcessVersion.id)
        .where(ProcessInstance.case_id == case["id"])).one()
    assert (version_id, checksum) == tuple(row) and letter is not None


def test_a_letter_is_immutable(api, case):
    letter_id = issue(case["id"])
    with pytest.raises(ImmutableLetter), transaction():
        db.session.get(Letter, letter_id).title = "autre"
    with pytest.raises(ImmutableLetter), transaction():
        db.session.delete(db.session.get(Letter, letter_id))
    db.session.remove()
    assert db.session.get(Letter, letter_id).title.startswith("Signalement")


def test_an_unknown_template_at_run_time_is_an_incident_and_nothing_is_stored(api, case):
    with pytest.raises(IncidentRaised) as err:
        issue(case["id"], "inconnu")
    # the template's name is for designers and admins; a clerk reads the incident's number
    assert "inconnu" in err.value.technical_detail and "inconnu" not in str(err.value)
    db.session.remove()
    assert db.session.scalar(select(Letter.id)) is None
    assert db.session.scalar(select(CaseEvent.id).where(
        CaseEvent.type == "courrier_genere")) is None
    from services.models import Incident
    incident = db.session.scalar(select(Incident))
    assert incident.command == "generer_courrier" and incident.case_id == case["id"]
    assert "inconnu" in incident.message


# ---- the API -----------------------------------------------------------------------------------

def test_clerks_list_and_download_the_letters(api, case):
    letter_id = issue(case["id"])
    issue(case["id"], "notification_credit_points")
    body = api.ok(api.get(f"/api/v1/cases/{case['id']}/letters", as_="agent"))
    assert [i["template"] for i in body["items"]] == ["signalement_procureur",
                                                      "notification_credit_points"]
    first = body["items"][0]
    assert set(first) == {"id", "template", "title", "sha256", "pdf_ready", "layout_error",
                          "created_at", "created_by"}
    assert first["sha256"] is None and first["pdf_ready"] is False  # the worker has not run
    assert first["layout_error"] is None  # nor given up
    # downloaded before the worker ran: laid out now, then the same PDF at every download
    resp = api.get(f"/api/v1/cases/{case['id']}/letters/{letter_id}", as_="agent")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert case["reference"] in pdf_text(resp.data)
    first = api.ok(api.get(f"/api/v1/cases/{case['id']}/letters", as_="agent"))["items"][0]
    assert first["pdf_ready"] is True
    assert hashlib.sha256(resp.data).hexdigest() == first["sha256"]
    assert resp.headers["ETag"] == f'"{first["sha256"]}"'
    again = api.get(f"/api/v1/cases/{case['id']}/letters/{letter_id}", as_="agent")
    assert again.data == resp.data
    outbox.run_due()  # the worker's job for that letter finds it laid out: the same PDF stays
    db.session.remove()
    assert db.session.get(Letter, letter_id).sha256 == first["sha256"]
    assert api.get(f"/api/v1/cases/{case['id']}/letters", as_="admin").status_code == 200


def test_a_letter_that_cannot_be_laid_out_is_a_409_and_stays_to_lay_out(api, case,
                                                                          monkeypatch):
    letter_id = issue(case["id"])

    def broken(html):
        raise RuntimeError("mise en page impossible")
    monkeypatch.setattr(letters.rendering, "to_pdf", broken)
    resp = api.get(f"/api/v1/cases/{case['id']}/letters/{letter_id}", as_="agent")
    assert_problem(resp, 409)
    assert "mis en page" in resp.get_json()["detail"]
    assert outbox.run_due() == (0, 1)  # the worker's try fails too, and is retried later
    db.session.remove()
    assert db.session.get(Letter, letter_id).pdf is None
    job = db.session.scalar(select(OutboxJob))
    assert job.status == outbox.PENDING and "mise en page PDF" in job.last_error
    monkeypatch.undo()  # the template mended (here: WeasyPrint back), the download works
    assert api.get(f"/api/v1/cases/{case['id']}/letters/{letter_id}",
                   as_="agent").status_code == 200


@pytest.mark.parametrize("role", ["centre75", "designer"])
def test_other_roles_get_403(api, case, role):
    letter_id = issue(case["id"])
    assert_problem(api.get(f"/api/v1/cases/{case['id']}/letters", as_=role), 403)
    assert_problem(api.get(f"/api/v1/cases/{case['id']}/letters/{letter_id}", as_=role), 403)


def test_without_token_401(api, case):
    assert_problem(api.get(f"/api/v1/cases/{case['id']}/letters", as_=None), 401)


def test_unknown_case_or_letter_or_another_case_letter_is_404(api, case):
    letter_id = issue(case["id"])
    other = api.voluntary_case(NUM)
    assert_problem(api.get("/api/v1/cases/999999/letters", as_="agent"), 404)
    assert_problem(api.get(f"/api/v1/cases/999999/letters/{letter_id}", as_="agent"), 404)
    assert_problem(api.get(f"/api/v1/cases/{case['id']}/letters/999999", as_="agent"), 404)
    assert_problem(api.get(f"/api/v1/cases/{other['id']}/letters/{letter_id}", as_="agent"), 404)
    assert api.get(f"/api/v1/cases/{case['id']}/letters/99999999999999",
                   as_="agent").status_code == 404


def test_history_shows_the_letter(api, case):
    issue(case["id"])
    events = api.ok(api.get(f"/api/v1/cases/{case['id']}/events", per_page=100))["items"]
    assert any(e["type"] == "courrier_genere" for e in events)


# ---- deployment --------------------------------------------------------------------------------

def shipped_bundle(api) -> dict[str, bytes]:
    data = api.get(f"{VERSIONS}/1/bundle", as_="designer").data
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {n: archive.read(n) for n in archive.namelist()}


def zipped(entries: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def deploy_zip(api, entries):
    return api.request("POST", VERSIONS, as_="designer", raw=zipped(entries),
                       headers={"Content-Type": "application/zip"})


def test_the_shipped_bundle_carries_its_letters(api):
    names = shipped_bundle(api)
    assert {"courriers/_mise_en_page.html", "courriers/signalement_procureur.html",
            "courriers/decision_remboursement.html",
            "courriers/notification_credit_points.html"} <= set(names)


@pytest.mark.parametrize(("body", "line", "needle"), [
    ("<p>\n{% if %}</p>", 2, "syntaxe"),
    ("<p>\n\n{{ conducteur.age }}</p>", 3, "inconnu"),
    ("<p>{{ ''.__class__.__mro__ }}</p>", 1, "bac à sable"),
    ('{% include "../../etc/passwd" %}', None, "introuvable"),
])
def test_a_bad_template_is_422_naming_the_file_and_line_and_nothing_is_deployed(
        api, body, line, needle):
    entries = shipped_bundle(api)
    entries["courriers/essai.html"] = body.encode()
    resp = deploy_zip(api, entries)
    problem = assert_problem(resp, 422, "courriers/essai.html")
    message = problem["errors"]["courriers/essai.html"][0]
    assert needle in message and "courriers/essai.html" in message
    if line:
        assert f"(ligne {line})" in message
    assert_problem(api.get(f"{VERSIONS}/2/bundle", as_="designer"), 404)  # nothing deployed


def test_a_letter_not_utf8_is_422(api):
    entries = shipped_bundle(api)
    entries["courriers/essai.html"] = b"\xff\xfe"
    assert_problem(deploy_zip(api, entries), 422, "file")


def test_a_changed_letter_is_deployed_and_shows_in_the_diff(api):
    entries = shipped_bundle(api)
    path = "courriers/signalement_procureur.html"
    entries[path] = entries[path].replace(b"Tribunal judiciaire",
                                          b"Tribunal judiciaire de Bordeaux")
    resp = deploy_zip(api, entries)
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    diff = api.ok(api.get(f"{VERSIONS}/2/diff", as_="designer"))
    change = next(c for c in diff["changed"] if c["id"] == path)
    assert change["type"] == "courrier"
    assert "Bordeaux" in change["changes"][0]["after"]
    assert "Bordeaux" not in (change["changes"][0]["before"] or "")


def test_a_raw_bpmn_keeps_the_letters(api):
    xml = next(v for k, v in shipped_bundle(api).items() if k.endswith(".bpmn"))
    resp = api.request("POST", VERSIONS, as_="designer",
                       raw=xml.replace(b"</bpmn:definitions>",
                                       b"<!-- v2 --></bpmn:definitions>"),
                       headers=xml_headers())
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    data = api.get(f"{VERSIONS}/2/bundle", as_="designer").data
    assert "courriers/signalement_procureur.html" in zipfile.ZipFile(io.BytesIO(data)).namelist()


# ---- the case page -----------------------------------------------------------------------------

def test_the_case_page_lists_the_letters_and_downloads_them(api, case):
    from tests.ui_support import UiClient

    letter_id = issue(case["id"])
    ui = UiClient(api.app)
    ui.login("agent")
    page = ui.get(f"/ui/dossiers/{case['id']}").get_data(as_text=True)
    assert "Courriers" in page and "Signalement au procureur de la République" in page
    assert "Courrier généré" in page  # the history
    href = f"/ui/dossiers/{case['id']}/courriers/{letter_id}"
    assert href in page
    resp = ui.get(href)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert ui.get(f"/ui/dossiers/{case['id']}/courriers/999999").status_code == 404
    other = api.voluntary_case(NUM)
    assert ui.get(f"/ui/dossiers/{other['id']}/courriers/{letter_id}").status_code == 404


def test_a_centre_cannot_download_a_letter_from_the_page(api, case):
    from tests.ui_support import UiClient

    letter_id = issue(case["id"])
    ui = UiClient(api.app)
    ui.login("centre75")
    assert ui.get(f"/ui/dossiers/{case['id']}/courriers/{letter_id}").status_code == 403


# ---- the context -------------------------------------------------------------------------------

def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    return type(value).__name__ if isinstance(value, list) else None


def test_a_real_case_has_the_sample_case_keys(api, case):
    with api.app.test_request_context():
        real = letters.letter_context(cases.get(case["id"]))
    assert _shape(real) == _shape(letters.sample_context())
    assert real["conducteur"]["nom_complet"] == "Léa Martin"
    assert real["lettre_48n"]["envoyee_le"] == "5 mars 2026"
    assert real["issue"]["points_credites"] is None  # nothing credited yet: « — »


def validated(api, case) -> dict:
    """The case's course attended, attested and validated: the run credits its points and makes
    the credit notice and the refund decision."""
    session = api.session("05/06/2026", "06/06/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(NUM, "present", "present")])
    api.set_today("15/06/2026")
    api.attestation(case["id"], "15/06/2026")
    return api.complete(case["id"], "verification_attestation", decision="valider")


def test_credit_notice_and_refund_decision_of_a_credited_case(api, case):
    done = validated(api, case)
    assert done["outcome"]["points_credited"] == 3
    notice = made(issue(case["id"], "notification_credit_points"))
    text = pdf_text(notice.pdf)
    assert "3 points ont été crédités" in text and "avec effet au 7 juin 2026" in text
    assert "solde de votre permis est alors de 6 points." in text
    rules = notice.data["issue"]["regles"]
    assert rules and all(r["texte"] in text for r in rules)  # the credit's rules, worded
    assert [r["regle"] for r in rules] == ["R27", "R26"]  # for the driver (no id, no formula)
    assert not any("R2" in r["texte"] or "min(" in r["texte"] for r in rules)
    refund = pdf_text(made(issue(case["id"], "decision_remboursement")).pdf)
    assert "remplissez les conditions" in refund and "135 €" in refund
    assert "au plus tard le 24 juin 2026" in refund


def test_letters_made_by_the_run_show_the_ledger_as_a_fresh_replay_does(api, case):
    """The run hands its letters the ledger it replayed for the credit (issue 17): what they
    say equals the context read afresh from the committed case."""
    validated(api, case)
    db.session.remove()
    made_by_run = db.session.scalars(select(Letter).where(Letter.case_id == case["id"])
                                     .order_by(Letter.id)).all()
    assert [x.template_id for x in made_by_run] == ["notification_credit_points",
                                                    "decision_remboursement"]
    with api.app.test_request_context():
        from services import audit
        fresh = audit.jsonable(letters.letter_context(cases.get(case["id"])), keep_none=True)
    # the credit notice is made before the refund is decided, the refund decision after it
    assert made_by_run[1].data == fresh
    assert {k: v for k, v in made_by_run[0].data.items() if k != "remboursement"} == \
        {k: v for k, v in fresh.items() if k != "remboursement"}
    assert made_by_run[0].data["issue"]["points_credites"] == 3
    assert made_by_run[0].data["issue"]["solde_apres"] == 6


def test_the_letters_are_in_the_openapi_document(api):
    doc = api.ok(api.get("/api/v1/openapi.json"))
    listing = doc["paths"]["/api/v1/cases/{case_id}/letters"]["get"]
    assert {"200", "401", "403", "404"} <= set(listing["responses"])
    download = doc["paths"]["/api/v1/cases/{case_id}/letters/{letter_id}"]["get"]
    assert "application/pdf" in download["responses"]["200"]["content"]
    assert {"403", "404", "409"} <= set(download["responses"])


@pytest.mark.parametrize("template", ["signalement_procureur", "decision_remboursement",
                                      "notification_credit_points"])
def test_every_shipped_letter_renders_for_a_fresh_voluntary_case(api, template):
    api.set_today("20/03/2026")
    api.licence(NUM, obtained="01/01/2015", probation="none", points=8, on="01/01/2025")
    case = api.voluntary_case(NUM)
    letter = made(issue(case["id"], template))
    text = pdf_text(letter.pdf)
    assert case["reference"] in text and "—" in text  # the facts it lacks: « — »
    assert letter.data["lettre_48n"]["envoyee_le"] is None


def test_a_letter_sent_in_a_multipart_upload_is_part_of_the_bundle(api):
    entries = shipped_bundle(api)
    data = {name.replace("/", "_"): (io.BytesIO(content), name.rsplit("/", 1)[-1])
            for name, content in entries.items()}
    data["extra"] = (io.BytesIO(b"<p>{{ dossier.reference }}</p>"), "relance.html")
    resp = api.http.post(VERSIONS, headers={"Authorization": f"Bearer {api.tokens['designer']}"},
                         data=data, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    names = zipfile.ZipFile(io.BytesIO(api.get(f"{VERSIONS}/2/bundle", as_="designer").data)
                            ).namelist()
    assert "courriers/relance.html" in names


@pytest.mark.parametrize("name", ["courriers/Relance.html", "courriers/.html",
                                  "courriers/é.html"])
def test_a_badly_named_letter_is_422(api, name):
    entries = shipped_bundle(api)
    entries[name] = b"<p>x</p>"
    assert_problem(deploy_zip(api, entries), 422, "file")


def test_the_gherkin_step_finds_a_letter_joined_to_the_case(api, case):
    from tests.bdd.etapes_dossier import courrier_joint
    from tests.bdd.outils import Contexte

    step = getattr(courrier_joint, "__wrapped__", courrier_joint)
    ctx = Contexte(api=api, dossier=case)
    with pytest.raises(AssertionError, match="aucun"):
        step(ctx, "Signalement au procureur de la République")
    issue(case["id"])
    step(ctx, "Signalement au procureur de la République")
    with pytest.raises(AssertionError, match="Courrier attendu"):
        step(ctx, "Autre courrier")


def test_a_multipart_bundle_without_letters_keeps_the_base_versions_letters(api):
    """The modeler sends its BPMN, forms and decision tables, never the letters: the new version
    keeps those of the version it is based on (services/bundles.with_inherited_files)."""
    entries = {n: c.replace(b'name="Dossier clos"', b'name="Dossier clos (v2)"')
               for n, c in shipped_bundle(api).items() if not n.startswith("courriers/")}
    data = {name.replace("/", "_"): (io.BytesIO(content), name.rsplit("/", 1)[-1])
            for name, content in entries.items()}
    resp = api.http.post(VERSIONS, headers={"Authorization": f"Bearer {api.tokens['designer']}"},
                         data=data, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    names = zipfile.ZipFile(io.BytesIO(api.get(f"{VERSIONS}/2/bundle", as_="designer").data)
                            ).namelist()
    assert {"courriers/signalement_procureur.html", "courriers/_mise_en_page.html"} <= set(names)
