"""Service tasks from the catalogue (issue 15 item 2), through the API: the catalogue for
designers, a deployed version calling its actions (a note, a flag set then lifted, a task
offered to a group, the centre notified by email through a local SMTP server), the deployment
refusing an unknown action or bad parameters on every path, and a failing action becoming an
incident on the case (409, nothing changed), never a 5xx."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from services import outbox, processes
from services.db import db, transaction
from services.errors import Invalid
from services.models import Centre, OutboxJob
from tests import smtp_support
from tests.actions_support import insert_on, service_task
from tests.api_errors_support import assert_problem
from tests.designer_support import VOLONTAIRE, xml_headers
from tests.helpers import CENTRE
from tests.integration.test_designer_user_tasks import with_a_call_first

KEY = "stage_volontaire"
smtp_server = smtp_support.smtp_server  # the fixture, for this module's tests


def upload(api, xml: bytes, as_: str = "designer"):
    return api.request("POST", f"/api/v1/processes/{KEY}/versions", as_=as_, raw=xml,
                       headers=xml_headers())


def deployed(api, xml: bytes) -> None:
    resp = upload(api, xml)
    assert resp.status_code == 201, resp.get_data(as_text=True)[:1500]


def events(api, case_id: int) -> list[dict]:
    return api.ok(api.get(f"/api/v1/cases/{case_id}/events"))["items"]


def make_group(api, code: str = "controle") -> None:
    api.ok(api.post("/api/v1/groups", {"code": code, "name": "Contrôle"}), 201)


# ---- the catalogue ----------------------------------------------------------------------------

def test_designers_and_admins_read_the_catalogue(api):
    for role in ("designer", "admin"):
        items = api.ok(api.get("/api/v1/actions", as_=role))["items"]
        by_name = {a["name"]: a for a in items}
        assert {"notifier_centre", "ajouter_note", "poser_drapeau", "lever_drapeau",
                "affecter_groupe"} <= set(by_name)
        assert by_name["notifier_centre"]["job"] is True
        assert not any(a["job"] for a in items if a["name"] != "notifier_centre")
        note = by_name["ajouter_note"]
        assert note["label"] == "Ajouter une note au dossier"
        assert note["parameters"]["required"] == ["texte"]


@pytest.mark.parametrize("role", ["agent", "centre75"])
def test_others_may_not_read_the_catalogue(api, role):
    assert_problem(api.get("/api/v1/actions", as_=role), 403)


# ---- deployment refuses what the catalogue does not accept -----------------------------------

BAD = {
    "action inconnue": (service_task("svc", "envoyer_fax", texte="x"),
                        "action inconnue « envoyer_fax »"),
    "paramètre manquant": (service_task("svc", "ajouter_note"),
                           "paramètre obligatoire manquant : « texte »"),
    "paramètre inconnu": (service_task("svc", "ajouter_note", texte="x", couleur="rouge"),
                          "paramètre inconnu « couleur »"),
    "paramètre mal formé": (service_task("svc", "poser_drapeau", code="pas de blanc",
                                         libelle="x"), "paramètre « code » : format"),
    "paramètre trop long": (service_task("svc", "ajouter_note", texte="x" * 2001),
                            "paramètre « texte » : au plus 2000 caractères"),
    "tâche inconnue": (service_task("svc", "affecter_groupe", tache="nulle_part",
                                    groupe="controle"),
                       "« nulle_part » n'est pas une tâche utilisateur"),
    "groupe inconnu": (service_task("svc", "affecter_groupe", tache="verification_attestation",
                                    groupe="inconnu"), "le groupe « inconnu » n'existe pas"),
    "sans action": (service_task("svc", ""), "tâche de service sans action"),
    "modèle de courrier absent": (service_task("svc", "generer_courrier", modele="inconnu"),
                                  "le modèle de courrier « inconnu » n'est pas dans le paquet"),
    "modèle de courrier mal nommé": (service_task("svc", "generer_courrier",
                                                  modele="_mise_en_page"),
                                     "paramètre « modele » : format"),
    "expression refusée": (service_task("svc", "ajouter_note", texte="=__import__('os')"),
                           "expression refusée"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_an_upload_with_a_bad_service_task_is_refused_on_its_element(api, case):
    make_group(api)
    task, message = BAD[case]
    resp = upload(api, insert_on(VOLONTAIRE, "f_t_01", task))
    body = assert_problem(resp, 422)
    assert list(body["errors"]) == ["svc"], body["errors"]  # the messages, if it fails
    assert any(message in m for m in body["errors"]["svc"]), body["errors"]
    assert_problem(api.get(f"/api/v1/processes/{KEY}/versions/2"), 404)  # nothing stored


def test_a_draft_keeps_the_problem_and_the_cli_deploy_refuses_it(api):
    xml = insert_on(VOLONTAIRE, "f_t_01", service_task("svc", "envoyer_fax"))
    draft = api.ok(api.request("POST", f"/api/v1/processes/{KEY}/drafts", as_="designer",
                               raw=xml, headers=xml_headers()), 201)
    assert draft["valid"] is False
    assert any(p["element_id"] == "svc" and "action inconnue" in p["message"]
               for p in draft["problems"])
    with pytest.raises(Invalid) as refused:
        with transaction():
            processes.deploy(KEY, xml, "cli", origin="cli")
    assert "svc" in refused.value.errors


# ---- the actions, run by a deployed version ----------------------------------------------------

def with_actions_first(*tasks: bytes) -> bytes:
    """The voluntary process with "Appeler le conducteur" first, `tasks` run before it."""
    return insert_on(with_a_call_first(), "f_t_01", *tasks)


def test_a_note_a_flag_and_a_group_when_the_case_opens(api):
    api.set_today("02/03/2026")
    make_group(api)
    deployed(api, with_actions_first(
        service_task("noter", "ajouter_note", texte="Dossier ouvert par le processus"),
        service_task("signaler", "poser_drapeau", code="P1", libelle="Conducteur à rappeler"),
        service_task("affecter", "affecter_groupe", tache="appeler_conducteur",
                     groupe='="contr" + "ole"')))
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    case = api.voluntary_case("120175200123")
    history = events(api, case["id"])
    note = next(e for e in history if e["type"] == "note_ajoutee")
    assert note["detail"]["texte"] == "Dossier ouvert par le processus"
    assert note["detail"]["element"] == "noter"
    assert any(e["type"] == "drapeau_pose" for e in history)
    assert {"rule": "P1", "message": "Conducteur à rappeler"} in api.case(case["id"])["flags"]
    task = api.task(case["id"], "appeler_conducteur")
    assert task["group"] == "controle"  # the lane names none: the action chose it


def test_a_letter_of_the_bundle_is_made_and_joined_to_the_case(api):
    """generer_courrier: the template of the case's own version, a PDF listed on the case."""
    api.set_today("02/03/2026")
    deployed(api, with_actions_first(
        service_task("courrier", "generer_courrier", modele="notification_credit_points")))
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    case = api.voluntary_case("120175200123")
    letters = api.ok(api.get(f"/api/v1/cases/{case['id']}/letters"))["items"]
    assert [item["template"] for item in letters] == ["notification_credit_points"]
    pdf = api.get(f"/api/v1/cases/{case['id']}/letters/{letters[0]['id']}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert any(e["type"] == "courrier_genere" for e in events(api, case["id"]))


def test_a_flag_is_lifted_by_a_later_task(api):
    api.set_today("02/03/2026")
    xml = with_actions_first(service_task("signaler", "poser_drapeau", code="P1",
                                          libelle="À rappeler"))
    deployed(api, insert_on(xml, "f_appel", service_task("lever", "lever_drapeau", code="P1")))
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    case = api.voluntary_case("120175200123")
    assert {"rule": "P1", "message": "À rappeler"} in api.case(case["id"])["flags"]
    task = api.task(case["id"], "appeler_conducteur")
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent"))
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, as_="agent"))
    assert not any(f["rule"] == "P1" for f in api.case(case["id"])["flags"])
    lifted = next(e for e in events(api, case["id"]) if e["type"] == "drapeau_leve")
    assert lifted["detail"]["removed"] == 1


def test_a_failing_action_is_an_incident_and_changes_nothing(api):
    api.set_today("02/03/2026")
    deployed(api, insert_on(with_a_call_first(), "f_appel", service_task(
        "affecter", "affecter_groupe", tache="verification_attestation", groupe='="inconnu"')))
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    case = api.voluntary_case("120175200123")
    task = api.task(case["id"], "appeler_conducteur")
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent"))
    resp = api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}, as_="agent")
    body = assert_problem(resp, 409)
    # the clerk reads the incident's number; the designer's error is for designers and admins
    assert f"Incident n° {body['incident']}" in body["detail"]
    assert "inconnu" not in body["detail"]
    assert api.task(case["id"], "appeler_conducteur")["state"] == "open"
    incidents = api.ok(api.get("/api/v1/incidents", as_="designer"))["items"]
    assert [(i["case_id"], i["element"]) for i in incidents] == [(case["id"], "affecter")]
    assert "le groupe « inconnu » n'existe pas" in incidents[0]["message"]


def test_a_parameter_of_the_wrong_type_at_run_time_is_an_incident(api):
    api.set_today("02/03/2026")
    deployed(api, with_actions_first(service_task("noter", "ajouter_note", texte="=42")))
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    resp = api.post("/api/v1/cases", {"kind": "volontaire", "licence": "120175200123"},
                    as_="agent")
    body = assert_problem(resp, 409)
    assert f"Incident n° {body['incident']}" in body["detail"]  # the clerk's French sentence
    [incident] = api.ok(api.get("/api/v1/incidents", as_="designer"))["items"]
    assert "paramètre « texte » : doit être un texte" in incident["message"]


# ---- the centre notified by email: an outbox job ------------------------------------------------

def notifying() -> bytes:
    return insert_on(VOLONTAIRE, "f_a_02", service_task(
        "prevenir", "notifier_centre", objet="Nouvel inscrit",
        message='="Un stagiaire est inscrit : dossier " + str(dossier["attestation_delivree"])'))


def enrolled_case(api):
    api.set_today("02/03/2026")
    deployed(api, notifying())
    with transaction():
        db.session.scalar(select(Centre).where(Centre.agrement == CENTRE)).email = \
            "centre75@example.test"
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    case = api.voluntary_case("120175200123")
    session = api.session("16/03/2026", "17/03/2026", fill=0)
    api.enroll(case["id"], session["id"])
    return case


def jobs() -> list[SimpleNamespace]:
    """The outbox's rows as they are stored (copies: nothing is read after the transaction)."""
    with transaction():
        rows = db.session.scalars(select(OutboxJob).order_by(OutboxJob.id))
        return [SimpleNamespace(**{c.key: getattr(j, c.key) for c in OutboxJob.__table__.c})
                for j in rows]


def test_the_centre_is_notified_once_through_smtp(api, smtp_server):
    case = enrolled_case(api)
    notified = next(e for e in events(api, case["id"]) if e["type"] == "centre_notifie")
    assert notified["detail"]["canal"] == "email"
    [job] = jobs()
    assert job.status == "en_attente" and job.payload["to"] == "centre75@example.test"
    assert smtp_server.messages == []  # nothing sent inside the command
    assert outbox.run_due() == (1, 0)
    [(rcpt, msg)] = smtp_server.messages
    assert rcpt == ["centre75@example.test"] and msg["Subject"] == "Nouvel inscrit"
    assert msg["Message-ID"] == job.key
    assert "Un stagiaire est inscrit : dossier False" in msg.get_payload()
    assert outbox.run_due() == (0, 0)  # sent: never again
    assert len(smtp_server.messages) == 1
    listed = api.ok(api.get("/api/v1/outbox"))["items"]
    assert [(j["status"], j["attempts"], j["case_id"]) for j in listed] == [
        ("envoye", 1, case["id"])]


def test_an_unreachable_server_is_retried_with_back_off_then_sent(api, app, smtp_server):
    enrolled_case(api)
    port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = 1  # nothing listens there
    assert outbox.run_due() == (0, 1)
    [job] = jobs()
    assert job.status == "en_attente" and job.attempts == 1 and job.last_error
    assert outbox.run_due() == (0, 0)  # not due before its back-off
    api.set_today("03/03/2026")
    app.config["SMTP_PORT"] = port
    assert outbox.run_due() == (1, 0)
    assert len(smtp_server.messages) == 1
    [job] = jobs()
    assert job.status == "envoye" and job.attempts == 2 and job.last_error is None


def test_a_rolled_back_command_leaves_no_job(api, smtp_server):
    enrolled_case(api)
    assert len(jobs()) == 1
    with pytest.raises(RuntimeError), transaction():
        outbox.enqueue("email", case_id=None, action="notifier_centre", key="<x@y>",
                       payload={"to": "a@b", "subject": "s", "body": "b"})
        raise RuntimeError("crash before the commit")
    assert len(jobs()) == 1


def test_a_centre_is_registered_with_its_email_address(api):
    created = api.ok(api.post("/api/v1/centres", {
        "agrement": "R2407500099", "name": "Centre Paris 12", "departement": "75",
        "valid_until": "2030-12-31", "email": "stages@centre12.example.test"}), 201)
    assert created["email"] == "stages@centre12.example.test"
    assert api.ok(api.get("/api/v1/centres/R2407500099"))["email"] == created["email"]
    refused = api.post("/api/v1/centres", {"agrement": "R2407500098", "name": "Centre",
                                           "departement": "75", "valid_until": "2030-12-31",
                                           "email": "pas une adresse"})
    assert_problem(refused, 422, "email")


@pytest.mark.parametrize("role", ["agent", "designer", "centre75"])
def test_only_admins_see_the_outbox(api, role):
    assert_problem(api.get("/api/v1/outbox", as_=role), 403)


# ---- the admins' page ---------------------------------------------------------------------------

def test_the_admins_page_lists_the_sends_and_puts_an_abandoned_one_back(api, app, smtp_server):
    from tests.ui_support import UiClient, text

    case = enrolled_case(api)
    app.config["SMTP_PORT"] = 1  # nothing listens there
    with transaction():
        job = db.session.scalars(select(OutboxJob)).one()
        job.attempts, job_id = outbox.MAX_ATTEMPTS - 1, job.id
    assert outbox.run_due() == (0, 1)
    ui = UiClient(api.app)
    ui.login("admin")
    page = text(ui.get("/ui/envois"))
    assert "Envois différés" in page and "centre75@example.test" in page
    assert "Abandonné" in page and "Nouvel inscrit" in page and f"Dossier n° {case['id']}" in page
    assert "ConnectionRefusedError" in page
    # explained in French first (a QA finding: the English error alone)
    assert "connexion refusée : le serveur distant (messagerie SMTP)" in page
    back = ui.post(f"/ui/envois/{job_id}/relancer")
    assert back.status_code == 302
    assert [j.status for j in jobs()] == ["en_attente"]
    again = ui.post(f"/ui/envois/{job_id}/relancer")  # not abandoned now: said, nothing changed
    assert again.status_code == 302 and [j.status for j in jobs()] == ["en_attente"]


@pytest.mark.parametrize("role", ["agent", "designer", "centre75"])
def test_only_admins_see_the_outbox_page(api, role):
    from tests.ui_support import UiClient

    ui = UiClient(api.app)
    ui.login(role)
    assert ui.get("/ui/envois").status_code == 403
    assert ui.post("/ui/envois/1/relancer").status_code == 403


def test_retrying_an_unknown_or_pending_job_is_refused(api, smtp_server):
    assert_problem(api.post("/api/v1/outbox/999/retry"), 404)
    enrolled_case(api)
    [job] = jobs()
    assert_problem(api.post(f"/api/v1/outbox/{job.id}/retry"), 409)
    assert_problem(api.post(f"/api/v1/outbox/{job.id}/retry", as_="designer"), 403)


def test_a_case_migrated_onto_a_version_with_a_service_task_runs_it(api):
    from tests.integration.test_case_migration import case_at_verification

    api.set_today("01/03/2026")
    case, _ = case_at_verification(api, "120175200501")
    deployed(api, insert_on(VOLONTAIRE, "f_a_10", service_task(
        "noter", "ajouter_note", texte="Attestation vérifiée")))
    moved = api.ok(api.post(f"/api/v1/cases/{case['id']}/migration", {"version": 2},
                            as_="designer"))
    assert moved["process"]["version"] == 2
    done = api.complete(case["id"], "verification_attestation", decision="valider")
    assert done["closed"] is True
    note = [e for e in events(api, case["id"]) if e["type"] == "note_ajoutee"]
    assert [e["detail"]["texte"] for e in note] == ["Attestation vérifiée"]
