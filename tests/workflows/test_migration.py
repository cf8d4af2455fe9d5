"""workflows.migration: which running instances may move to a new definition, and moving them
(SpiffWorkflow's diff_workflow / migrate_workflow, SPIFFWORKFLOW.md §10)."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows.migration import Definition, MigrationRefused, check, migrate

from .conftest import SHIPPED_FILES, UTC

VERIFY = "name=\"Vérifier l'attestation de stage\""


@pytest.fixture
def at_verification(obligatoire):
    """A mandatory case whose clerk must now verify the attestation."""
    obligatoire.facts.update(attestation_delivree=True)
    obligatoire.take_course()
    assert obligatoire.open_keys() == ["verification_attestation"]
    return obligatoire


def variant(h, old: str, new: str, version_id: int) -> Definition:
    xml = h.xml.decode()
    assert old in xml
    return Definition(version_id, xml.replace(old, new, 1).encode(), h.process_key, SHIPPED_FILES)


def current(h) -> Definition:
    return Definition(h.version_id, h.xml, h.process_key, SHIPPED_FILES)


def test_renaming_the_task_the_case_waits_at_is_safe_and_the_case_goes_on(at_verification):
    h = at_verification
    target = variant(h, VERIFY, 'name="Vérifier (v2)"', 2)
    assert check(h.engine, current(h), target, h.state, h.facts) == []
    guid = h.view().open_tasks()[0].guid
    run = migrate(h.engine, current(h), target, h.state, h.context())
    assert [(t.key, t.title, t.guid) for t in run.open_tasks()] == [
        ("verification_attestation", "Vérifier (v2)", guid)]
    assert run.waiting_timers()[0].due_at == dt.datetime(2026, 7, 10, 22, 0, tzinfo=UTC)
    h.state, h.xml, h.version_id = run.state_json(), target.xml, 2
    h.facts["conformite"] = "conforme"
    h.complete("verification_attestation", decision="valider")
    assert "crediter_points" in h.action_names()


def test_changing_an_element_not_reached_yet_is_safe(at_verification):
    h = at_verification
    target = variant(h, 'name="Décider du signalement au parquet"', 'name="Signaler"', 2)
    assert check(h.engine, current(h), target, h.state, h.facts) == []


@pytest.mark.parametrize(("old", "new", "element"), [
    ('name="Inscription à une session"', 'name="Inscription"', "attente_inscription"),
    ("Réception de la lettre 48N par", "Réception par", "lettre_48n_recue"),
    # valid BPMN, but the merge gateway the case went through now has another incoming flow
    ('sourceRef="verification_attestation" targetRef="decision_verification_gw"',
     'sourceRef="verification_attestation" targetRef="fusion_inscription"', "fusion_inscription"),
])
def test_changing_a_completed_element_is_refused(at_verification, old, new, element):
    h = at_verification
    target = variant(h, old, new, 2)
    reasons = check(h.engine, current(h), target, h.state, h.facts)
    assert reasons and any(element in r and "déjà passée" in r for r in reasons), reasons
    with pytest.raises(MigrationRefused) as err:
        migrate(h.engine, current(h), target, h.state, h.context())
    assert err.value.reasons == reasons


def test_changing_the_running_subprocess_itself_is_refused(at_verification):
    h = at_verification
    target = variant(h, 'name="Parcours du stage"', 'name="Parcours"', 2)
    (reason,) = check(h.engine, current(h), target, h.state, h.facts)
    assert "parcours_stage" in reason and "en cours" in reason


def test_removing_the_element_the_case_waits_at_is_refused(obligatoire):
    h = obligatoire  # waits for an enrollment (attente_inscription)
    xml = h.xml.decode()
    removed = (xml.replace('id="attente_inscription"', 'id="attente_inscription_v2"')
               .replace('targetRef="attente_inscription"', 'targetRef="attente_inscription_v2"')
               .replace('sourceRef="attente_inscription"', 'sourceRef="attente_inscription_v2"')
               .replace('bpmnElement="attente_inscription"',
                        'bpmnElement="attente_inscription_v2"'))
    target = Definition(2, removed.encode(), h.process_key, SHIPPED_FILES)
    reasons = check(h.engine, current(h), target, h.state, h.facts)
    assert reasons, "a renamed id is a removed element for SpiffWorkflow's diff"


def test_check_calls_no_action_and_saves_nothing(at_verification):
    h = at_verification
    calls, state = list(h.calls), h.state
    check(h.engine, current(h), variant(h, VERIFY, 'name="X"', 2), h.state, h.facts)
    assert h.calls == calls and h.state == state


def test_same_definition_under_another_id_is_safe(obligatoire):
    h = obligatoire
    assert check(h.engine, current(h), Definition(2, h.xml, h.process_key, SHIPPED_FILES), h.state,
                 h.facts) == []


def test_an_engine_step_is_named_by_its_bpmn_element():
    """A QA finding: a reason named « parcours_stage.BoundaryEventSplit », the engine's own
    step, instead of the element the designer drew."""
    from types import SimpleNamespace

    from workflows.migration import _label

    owner = SimpleNamespace(name="parcours_stage", bpmn_id="parcours_stage",
                            bpmn_name="Parcours de stage")
    inner = SimpleNamespace(name="parcours_stage.BoundaryEventSplit", bpmn_id=None,
                            bpmn_name=None)
    task = SimpleNamespace(task_spec=inner, workflow=SimpleNamespace(
        spec=SimpleNamespace(task_specs={"parcours_stage": owner})))
    assert _label(task) == "« Parcours de stage » (parcours_stage)"
