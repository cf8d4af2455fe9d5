"""One unit test per action of the catalogue (services/actions), each run directly on a case in
a command, as a service task would: what it changes on the case, what it records, what it
refuses (ActionFailed: an incident for the engine)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services import actions
from services.db import db, transaction
from services.models import Case, CaseEvent, Centre, OutboxJob
from tests.helpers import CENTRE
from tests.threads import in_app_threads
from workflows import ActionCall, ActionFailed


@pytest.fixture
def case_id(api):
    api.set_today("02/03/2026")
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    return api.voluntary_case("120175200123")["id"]


def call(action: str, assigned: list | None = None, **params) -> ActionCall:
    return ActionCall("svc", action, params,
                      lambda task, group: (assigned if assigned is not None else []).append(
                          (task, group)))


def run(case_id: int, action: str, assigned=None, **params) -> None:
    with transaction():
        actions.run(db.session.get(Case, case_id), "processus", call(action, assigned, **params))


def last_event(case_id: int, type_: str) -> dict:
    with transaction():
        event = db.session.scalars(select(CaseEvent).where(
            CaseEvent.case_id == case_id, CaseEvent.type == type_)
            .order_by(CaseEvent.id.desc())).first()
        return {"actor": event.actor, **event.detail} if event else {}


def flags(case_id: int) -> list[dict]:
    with transaction():
        return list(db.session.get(Case, case_id).flags)


def test_ajouter_note(case_id):
    run(case_id, "ajouter_note", texte="Appeler le centre avant lundi")
    assert last_event(case_id, "note_ajoutee") == {
        "actor": "processus", "texte": "Appeler le centre avant lundi", "element": "svc"}


def test_poser_drapeau_once(case_id):
    for _ in range(2):
        run(case_id, "poser_drapeau", code="P1", libelle="À rappeler")
    assert flags(case_id).count({"rule": "P1", "message": "À rappeler"}) == 1
    assert last_event(case_id, "drapeau_pose")["rule"] == "P1"


def test_lever_drapeau_lifts_its_code_only(case_id):
    run(case_id, "poser_drapeau", code="P1", libelle="À rappeler")
    run(case_id, "poser_drapeau", code="P1", libelle="Autre motif")
    run(case_id, "poser_drapeau", code="P2", libelle="Gardé")
    run(case_id, "lever_drapeau", code="P1", libelle="Autre motif")
    assert {f["message"] for f in flags(case_id)} == {"À rappeler", "Gardé"}
    run(case_id, "lever_drapeau", code="P1")
    assert flags(case_id) == [{"rule": "P2", "message": "Gardé"}]
    assert last_event(case_id, "drapeau_leve")["removed"] == 1


def test_affecter_groupe(api, case_id):
    api.ok(api.post("/api/v1/groups", {"code": "controle", "name": "Contrôle"}), 201)
    assigned = []
    run(case_id, "affecter_groupe", assigned, tache="appeler", groupe="controle")
    assert assigned == [("appeler", "controle")]
    assert last_event(case_id, "tache_affectee")["group"] == "controle"
    with pytest.raises(ActionFailed, match="le groupe « accueil » n'existe pas"):
        run(case_id, "affecter_groupe", assigned, tache="appeler", groupe="accueil")
    assert assigned == [("appeler", "controle")]


def test_notifier_centre_writes_a_job_and_records_it(api, case_id):
    with pytest.raises(ActionFailed, match="aucune session"):
        run(case_id, "notifier_centre", objet="Objet", message="Texte")
    session = api.session("16/03/2026", "17/03/2026", fill=0)
    api.enroll(case_id, session["id"])
    run(case_id, "notifier_centre", objet="Objet", message="Texte")  # no address: recorded only
    assert last_event(case_id, "centre_notifie")["canal"] == "journal"
    with transaction():
        db.session.scalar(select(Centre).where(Centre.agrement == CENTRE)).email = "c@example.test"
    run(case_id, "notifier_centre", objet="Objet", message="Texte")
    with transaction():
        job = db.session.scalars(select(OutboxJob)).one()
        assert (job.status, job.channel, job.payload["to"], job.payload["subject"]) == (
            "en_attente", "email", "c@example.test", "Objet")
        assert job.key.startswith("<outbox-") and "Texte" in job.payload["body"]
    assert last_event(case_id, "centre_notifie")["envoi"] == job.key


def test_notifier_centre_journal_channel_writes_no_job(api, app, case_id):
    app.config["NOTIFICATION_CHANNEL"] = "journal"
    session = api.session("16/03/2026", "17/03/2026", fill=0)
    api.enroll(case_id, session["id"])
    with transaction():
        db.session.scalar(select(Centre).where(Centre.agrement == CENTRE)).email = "c@example.test"
    run(case_id, "notifier_centre", objet="Objet", message="Texte")
    with transaction():
        assert db.session.scalars(select(OutboxJob)).all() == []
    assert last_event(case_id, "centre_notifie")["canal"] == "journal"


@pytest.mark.parametrize("action, params, message", [
    ("ajouter_note", {}, "paramètre obligatoire manquant : « texte »"),
    ("ajouter_note", {"texte": 3}, "paramètre « texte » : doit être un texte"),
    ("notifier_centre", {"objet": "a\nBcc: x@y", "message": "m"}, "paramètre « objet » : format"),
    ("inconnue", {}, "action inconnue « inconnue »"),
    ("generer_courrier", {"modele": "absent"}, "le courrier « absent » n'a pas pu être produit"),
])
def test_bad_parameters_at_run_time_fail_the_action(case_id, action, params, message):
    with pytest.raises(ActionFailed, match=message):
        run(case_id, action, **params)


def test_generer_courrier_joins_a_pdf_to_the_case(case_id):
    from services.models import Letter

    run(case_id, "generer_courrier", modele="decision_remboursement")
    with transaction():
        letter = db.session.scalars(select(Letter).where(Letter.case_id == case_id)).one()
        assert letter.template_id == "decision_remboursement"
        assert letter.created_by == "processus" and letter.pdf is None  # laid out after
        assert "<html" in letter.html.lower()
    assert last_event(case_id, "courrier_genere")["modele"] == "decision_remboursement"


def test_an_action_is_one_module_that_registers_itself():
    from services.actions import Action, register
    from services.actions.registry import _CATALOGUE

    noop = Action(name="essai_module", label="Essai", description="Essai.",
                  parameters={"type": "object", "properties": {}}, run=lambda ctx, p: None)
    try:
        register(noop)
        assert actions.get("essai_module") is noop
        assert "essai_module" in actions.catalogue()
        with pytest.raises(ValueError, match="déjà enregistrée"):
            register(Action(**{**noop.__dict__, "label": "Autre"}))
        with pytest.raises(ValueError, match="objet"):
            register(Action(**{**noop.__dict__, "name": "x", "parameters": {"type": "string"}}))
    finally:
        _CATALOGUE.pop("essai_module", None)


def test_back_off_doubles():
    from services import outbox

    assert [outbox.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]


def test_a_job_claimed_by_a_worker_that_died_is_taken_again_after_its_lease(api, case_id):
    import datetime as dt

    from services import outbox
    from services.clock import clock

    with transaction():
        outbox.enqueue("email", case_id=case_id, action="notifier_centre", key="<k@x>",
                       payload={"to": "a@b", "subject": "s", "body": "b"})
    first = outbox.claim()
    assert first.attempts == 1 and outbox.claim() is None  # claimed: no other worker takes it
    with transaction():
        later = clock().now() + outbox.LEASE + dt.timedelta(seconds=1)
    again = outbox.claim(later)
    assert (again.id, again.key, again.attempts) == (first.id, "<k@x>", 2)
    outbox.finish(first.id, first.attempts, None)  # the dead worker's late result is ignored
    outbox.finish(again.id, again.attempts, None)
    with transaction():
        job = db.session.get(OutboxJob, again.id)
        assert (job.status, job.attempts) == ("envoye", 2)


def test_two_workers_at_once_never_claim_the_same_job(app, case_id):
    import threading

    from services import outbox

    with transaction():
        outbox.enqueue("email", case_id=case_id, action="notifier_centre", key="<k2@x>",
                       payload={"to": "a@b", "subject": "s", "body": "b"})
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        return outbox.claim()

    claimed = in_app_threads(app, worker)
    assert sorted(c is None for c in claimed) == [False, True]
