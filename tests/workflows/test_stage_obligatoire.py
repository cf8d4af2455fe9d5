"""The shipped mandatory-course process, driven through ProcessEngine with JSON round-trips."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from workflows import TaskNotReady, WorkflowError

from .conftest import PARIS_SUMMER, UTC, Harness

DUE = dt.datetime(2026, 7, 11, 0, 0, tzinfo=PARIS_SUMMER)  # start of the Paris day after D1


def test_start_waits_for_enrollment_and_deadline(obligatoire):
    run = obligatoire.view()
    assert run.waiting_messages() == {"inscription", "conformite_connue", "invalidation_48si"}
    assert [(t.name, t.due_at) for t in run.waiting_timers()] == [("echeance_4_mois", DUE)]
    assert run.waiting_timers()[0].due_at == DUE
    assert run.waiting_timers()[0].label.startswith("Échéance")
    assert {
        "attente_inscription",
        "surveillance_echeance",
        "parcours_stage",
    } <= run.active_element_ids()
    assert run.open_tasks() == []
    assert not run.is_completed()


def test_active_steps_name_the_current_steps_but_not_their_sub_process(obligatoire):
    # the case page's text list of the current steps, beside the diagram that highlights them
    # (their order, by French name, is the page's: test_ui_wording)
    assert obligatoire.view().active_steps() == {
        "invalidation_48si_recue": "48SI notifiée",
        "surveillance_echeance": "Échéance ou conformité ?",
        "attente_inscription": "Inscription à une session"}
    obligatoire.take_course()
    steps = obligatoire.view().active_steps()
    assert steps["verification_attestation"] == "Vérifier l'attestation de stage"
    assert "parcours_stage" in obligatoire.view().active_element_ids()
    assert "parcours_stage" not in steps


def test_happy_path(obligatoire):
    h = obligatoire
    h.take_course()
    assert h.open_keys() == ["verification_attestation"]
    task = h.view().open_tasks()[0]
    assert task.title == "Vérifier l'attestation de stage" and task.guid
    h.complete("verification_attestation", decision="valider", motif="")
    assert h.calls == [("crediter_points", "crediter", ""), ("decider_remboursement",)]
    assert not h.view().is_completed()  # the deadline watch is still running
    h.facts["conformite"] = "conforme"
    assert h.send("conformite_connue")
    run = h.view()
    assert run.is_completed()
    assert run.waiting_timers() == [] and run.waiting_messages() == set()
    assert {
        "dossier_clos",
        "decider_remboursement",
        "crediter_sans_examen",
    } <= run.completed_element_ids()
    assert "constater_non_conformite" not in h.action_names()


def test_deadline_fires_then_late_course_still_credited(obligatoire):
    h = obligatoire
    h.facts["conformite"] = "non_conforme"
    assert h.tick(dt.datetime(2026, 7, 11, 8, tzinfo=UTC)) == 1
    assert h.calls == [("constater_non_conformite",)]
    assert h.open_keys() == ["signalement_parquet"]
    assert "inscription" in h.view().waiting_messages()  # the case still accepts a course
    # a late course, while the referral decision is pending
    h.take_course()
    h.complete("verification_attestation", decision="valider", motif="")
    assert h.action_names()[-2:] == ["crediter_points", "decider_remboursement"]
    assert not h.view().is_completed()
    h.complete("signalement_parquet", decision="signaler", motif="délai dépassé")
    assert h.calls[-1] == ("enregistrer_signalement", "signaler", "délai dépassé")
    assert h.view().is_completed()


def test_deadline_boundary_fires_at_the_instant_not_before(obligatoire):
    h = obligatoire
    h.facts["conformite"] = "non_conforme"
    assert h.tick(DUE - dt.timedelta(seconds=1)) == 0
    assert h.calls == [] and h.open_keys() == []
    assert h.tick(DUE) == 1
    assert h.open_keys() == ["signalement_parquet"]
    assert h.tick(DUE + dt.timedelta(days=1)) == 0  # nothing left to fire


def test_timer_reads_injected_clock_not_system_clock():
    # a deadline long past for the system clock: not due for the application clock
    h = Harness("stage_obligatoire")
    h.now = dt.datetime(2000, 1, 1, tzinfo=UTC)
    h.facts.update(echeance_timer="2001-01-01T00:00:00+01:00", conformite="non_conforme")
    h.start()
    assert h.tick(dt.datetime(2000, 6, 1, tzinfo=UTC)) == 0
    assert h.open_keys() == []
    assert h.tick(dt.datetime(2000, 12, 31, 23, tzinfo=UTC)) == 1
    # a deadline far in the future for the system clock: due for the application clock
    h2 = Harness("stage_obligatoire")
    h2.facts.update(echeance_timer="2999-01-01T00:00:00+01:00", conformite="non_conforme")
    h2.start()
    assert h2.tick(dt.datetime(2999, 1, 2, tzinfo=UTC)) == 1
    assert h2.open_keys() == ["signalement_parquet"]


def test_deadline_while_course_pending_then_conforme_no_referral(obligatoire):
    h = obligatoire
    assert h.send("inscription")
    h.facts["conformite"] = "en_attente"  # enrolled in a session ending by the deadline
    assert h.tick(DUE + dt.timedelta(hours=1)) == 1
    assert h.calls == [] and h.open_keys() == []
    assert "conformite_connue" in h.view().waiting_messages()
    assert "attente_conformite" in h.view().active_element_ids()
    h.facts["attestation_delivree"] = True
    assert h.send("resultat_session")
    assert h.send("attestation_recue")
    h.complete("verification_attestation", decision="valider", motif="")
    h.facts["conformite"] = "conforme"
    assert h.send("conformite_connue")
    assert h.view().is_completed()
    assert "constater_non_conformite" not in h.action_names()
    assert "signalement_parquet" not in h.view().completed_element_ids()


def test_deadline_pending_then_non_conforme_opens_referral(obligatoire):
    h = obligatoire
    assert h.tick(DUE) == 1  # en_attente
    h.facts["conformite"] = "non_conforme"
    assert h.send("conformite_connue")
    assert h.open_keys() == ["signalement_parquet"]
    assert h.calls == [("constater_non_conformite",)]


def test_conformite_message_before_deadline_not_conforme_keeps_watching(obligatoire):
    h = obligatoire
    h.facts["conformite"] = "en_attente"
    assert h.send("conformite_connue")
    run = h.view()
    assert [t.name for t in run.waiting_timers()] == ["echeance_4_mois"]
    assert "conformite_connue" in run.waiting_messages()


@pytest.mark.parametrize("how", ["absence", "annulation", "refus"])
def test_back_to_waiting_for_enrollment(obligatoire, how):
    h = obligatoire
    assert h.send("inscription")
    if how == "absence":
        h.facts["attestation_delivree"] = False
        assert h.send("resultat_session")
    elif how == "annulation":
        assert h.send("annulation_session")
    else:
        h.facts["attestation_delivree"] = True
        assert h.send("resultat_session")
        assert h.send("attestation_recue")
        h.complete("verification_attestation", decision="refuser", motif="attestation illisible")
    run = h.view()
    assert "inscription" in run.waiting_messages()
    assert "attente_inscription" in run.active_element_ids()
    assert h.calls == []
    assert [t.name for t in run.waiting_timers()] == ["echeance_4_mois"]  # deadline unchanged
    assert run.waiting_timers()[0].due_at == DUE
    # and a second course then works
    h.take_course()
    h.complete("verification_attestation", decision="valider", motif="")
    assert h.action_names() == ["crediter_points", "decider_remboursement"]


def test_examen_manuel_call_activity_returns_its_data(obligatoire):
    h = obligatoire
    h.facts["examen_manuel_requis"] = True
    h.take_course()
    h.complete("verification_attestation", decision="valider", motif="")
    assert h.open_keys() == ["examen_manuel"]
    assert h.view().open_tasks()[0].title == "Examen manuel du dossier"
    assert h.calls == []
    h.complete("examen_manuel", decision="refuser", motif="solde nul au jour du stage (R24)")
    assert h.calls == [
        ("crediter_points", "refuser", "solde nul au jour du stage (R24)"),
        ("decider_remboursement",),
    ]


def test_npai_has_no_deadline_timer():
    h = Harness("stage_obligatoire")
    h.facts.update(echeance_timer=None, examen_manuel_requis=True)
    h.start()
    run = h.view()
    assert run.waiting_timers() == []
    assert run.waiting_messages() == {"inscription", "invalidation_48si"}
    assert h.tick(dt.datetime(2030, 1, 1, tzinfo=UTC)) == 0
    h.take_course()
    h.complete("verification_attestation", decision="valider", motif="")
    h.complete("examen_manuel", decision="crediter", motif="")
    assert h.view().is_completed()
    assert h.action_names() == ["crediter_points", "decider_remboursement"]


def test_invalidation_interrupts_and_opens_examen_manuel(obligatoire):
    h = obligatoire
    h.facts["attestation_delivree"] = True
    assert h.send("inscription")
    assert h.send("resultat_session")
    assert h.send("attestation_recue")
    assert h.open_keys() == ["verification_attestation"]
    h.facts.update(conformite="sans_objet", stage_a_crediter=True)
    assert h.send("invalidation_48si")
    run = h.view()
    assert h.calls == [("constater_invalidation",)]
    assert [t.key for t in run.open_tasks()] == ["examen_manuel"]  # verification cancelled
    assert run.waiting_timers() == [] and run.waiting_messages() == set()
    with pytest.raises(TaskNotReady):
        h.complete("verification_attestation", decision="valider", motif="")
    h.complete("examen_manuel", decision="crediter", motif="stage antérieur à la 48SI")
    assert h.calls[1:] == [
        ("crediter_points", "crediter", "stage antérieur à la 48SI"),
        ("decider_remboursement",),
    ]
    run = h.view()
    assert run.is_completed()
    assert "dossier_clos_invalidation" in run.completed_element_ids()
    assert "dossier_clos" not in run.completed_element_ids()


def test_invalidation_without_course_to_credit(obligatoire):
    h = obligatoire
    h.facts["stage_a_crediter"] = False
    assert h.send("invalidation_48si")
    h.complete("examen_manuel", decision="refuser", motif="pas de stage")
    assert h.action_names() == ["constater_invalidation"]
    assert h.view().is_completed()


def test_task_not_ready_and_message_not_awaited(obligatoire):
    h = obligatoire
    with pytest.raises(TaskNotReady) as err:
        h.complete("verification_attestation", decision="valider")
    assert err.value.element_id == "verification_attestation"
    assert h.send("attestation_recue") is False
    assert h.send("message_inconnu") is False
    # the refused calls changed nothing
    assert h.view().waiting_messages() == {"inscription", "conformite_connue", "invalidation_48si"}


def test_invalid_decision_raises_workflow_error_with_element_id(obligatoire):
    h = obligatoire
    h.take_course()
    run = h.resume()
    with pytest.raises(WorkflowError) as err:
        run.complete_task("verification_attestation", {"decision": "peut-être"})
    assert err.value.element_id == "decision_verification_gw"
    assert "condition" in err.value.message
    with pytest.raises(WorkflowError):
        run.state_json()  # a failed run must not be saved


def test_action_failure_raises_workflow_error(obligatoire):
    h = obligatoire
    h.take_course()
    run = h.resume()

    def boom(*args):
        raise RuntimeError("base indisponible")

    run.workflow.script_engine.environment.globals["crediter_points"] = boom
    with pytest.raises(WorkflowError) as err:
        run.complete_task("verification_attestation", {"decision": "valider", "motif": ""})
    assert err.value.element_id == "crediter_sans_examen"
    assert isinstance(err.value.__cause__, RuntimeError)


def test_reserved_task_data_rejected(obligatoire):
    h = obligatoire
    h.take_course()
    run = h.resume()
    for bad in ({"dossier": 1}, {"typename": "x"}, {"_x": 1}, {"crediter_points": 1}):
        with pytest.raises(ValueError):
            run.complete_task("verification_attestation", bad)


def test_naive_deadline_fact_rejected():
    h = Harness("stage_obligatoire")
    h.facts["echeance_timer"] = "2026-07-11T00:00:00"
    with pytest.raises(ValueError):
        h.start()


def test_state_json_is_slim(obligatoire):
    h = obligatoire
    h.take_course()
    h.complete("verification_attestation", decision="valider", motif="")
    state = json.loads(h.state)
    assert "spec" not in state and "subprocess_specs" not in state
    assert "task_specs" not in h.state
    assert len(h.state) < 40_000
    assert state["process_key"] == "stage_obligatoire"


def test_resume_rejects_foreign_or_corrupt_state(obligatoire):
    h = obligatoire
    with pytest.raises(WorkflowError):
        h.engine.resume(1, h.xml, "stage_obligatoire", "{not json", h.context())
    other = Harness("stage_volontaire")
    with pytest.raises(WorkflowError):
        h.engine.resume(2, other.xml, "stage_volontaire", h.state, h.context())


def test_version_content_is_immutable(obligatoire):
    h = obligatoire
    with pytest.raises(WorkflowError):
        h.engine.start(1, h.xml + b"\n", "stage_obligatoire", h.context())


def test_invalidation_while_examen_manuel_open_leaves_a_single_task(obligatoire):
    h = obligatoire
    h.facts["examen_manuel_requis"] = True
    h.take_course()
    h.complete("verification_attestation", decision="valider", motif="")
    first = h.view().open_tasks()
    assert [t.key for t in first] == ["examen_manuel"]
    h.facts["stage_a_crediter"] = True
    assert h.send("invalidation_48si")
    tasks = h.view().open_tasks()
    assert [t.key for t in tasks] == ["examen_manuel"]
    assert tasks[0].guid != first[0].guid  # the branch-A review was cancelled
    assert "appel_examen_manuel_invalidation" in h.view().active_element_ids()
    h.complete("examen_manuel", decision="crediter", motif="")
    assert h.action_names() == [
        "constater_invalidation",
        "crediter_points",
        "decider_remboursement",
    ]
    assert h.view().is_completed()


# ---- letters: the catalogue's generer_courrier at the step a clerk would send them (#15) ----

def test_credit_then_refund_letters_after_the_course_is_credited(obligatoire):
    h = obligatoire
    h.take_course()
    h.complete("verification_attestation", decision="valider", motif="")
    assert h.service_calls == [
        ("courrier_credit_points", "generer_courrier", {"modele": "notification_credit_points"}),
        ("courrier_remboursement", "generer_courrier", {"modele": "decision_remboursement"}),
    ]


@pytest.mark.parametrize(("decision", "letters"), [
    ("signaler", ["signalement_procureur"]),
    ("ne_pas_signaler", []),
])
def test_prosecutor_letter_only_when_the_clerk_reports(obligatoire, decision, letters):
    h = obligatoire
    h.facts["conformite"] = "non_conforme"
    h.tick(dt.datetime(2026, 7, 11, 8, tzinfo=UTC))
    assert h.letters() == []
    h.complete("signalement_parquet", decision=decision, motif="délai dépassé")
    assert h.letters() == letters
    assert h.action_names()[-1] == "enregistrer_signalement"  # the decision is recorded first
    completed = h.view().completed_element_ids()
    assert ("courrier_procureur" in completed) == (decision == "signaler")


def test_invalidation_credit_makes_the_credit_and_refund_letters(obligatoire):
    h = obligatoire
    h.take_course()
    h.facts.update(conformite="sans_objet", stage_a_crediter=True)
    assert h.send("invalidation_48si")
    h.complete("examen_manuel", decision="crediter", motif="")
    assert h.letters() == ["notification_credit_points", "decision_remboursement"]
    assert [c[0] for c in h.service_calls] == ["courrier_credit_points_invalidation",
                                                "courrier_remboursement_invalidation"]


def test_invalidation_without_course_makes_no_letter(obligatoire):
    h = obligatoire
    assert h.send("invalidation_48si")
    h.complete("examen_manuel", decision="refuser", motif="pas de stage")
    assert h.letters() == []
