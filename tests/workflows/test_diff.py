"""workflows.diff: a readable, layout-blind diff between two BPMN definitions."""

from __future__ import annotations

import pytest

from workflows import DefinitionError
from workflows.diff import diff_definitions

from .conftest import BPMN_DIR

V1 = (BPMN_DIR / "stage_obligatoire.bpmn").read_text(encoding="utf-8")


def diff(new: str, old: str = V1):
    return diff_definitions(old.encode(), new.encode())


def changes_of(d, element_id):
    found = [c for c in d.changed if c.id == element_id]
    assert found, (element_id, d)
    return {ch.what: (ch.before, ch.after) for ch in found[0].changes}


def test_identical_files_have_no_difference():
    assert diff(V1).empty


def test_layout_and_whitespace_only_changes_are_ignored():
    moved = V1.replace('<dc:Bounds x="', '<dc:Bounds x="7')
    reindented = moved.replace("\n    <bpmn:", "\n\t<bpmn:")
    assert V1 != reindented and diff(reindented).empty


def test_renamed_task():
    d = diff(V1.replace("name=\"Vérifier l'attestation de stage\"", 'name="Vérifier"'))
    assert [c.id for c in d.changed] == ["verification_attestation"]
    assert d.changed[0].type == "userTask" and d.changed[0].name == "Vérifier"
    assert changes_of(d, "verification_attestation") == {
        "nom": ("Vérifier l'attestation de stage", "Vérifier")}
    assert not d.added and not d.removed


def test_script_condition_and_documentation():
    new = (V1.replace('crediter_points("crediter", "")', 'crediter_points("crediter", "auto")')
           .replace("Jonction des deux chemins de crédit (R26).", "Jonction (R26)."))
    d = diff(new)
    assert changes_of(d, "crediter_sans_examen") == {
        "script": ('crediter_points("crediter", "")', 'crediter_points("crediter", "auto")')}
    assert changes_of(d, "fusion_credit") == {
        "documentation": ("Jonction des deux chemins de crédit (R26).", "Jonction (R26).")}


def test_gateway_condition_and_timer():
    new = V1.replace('decision == "valider"</bpmn', 'decision in ("valider",)</bpmn')
    (flow,) = diff(new).changed
    assert flow.type == "sequenceFlow"
    assert changes_of(diff(new), flow.id) == {
        "condition": ('decision == "valider"', 'decision in ("valider",)')}
    timer = V1.replace('>dossier["echeance_timer"]</bpmn:timeDate>',
                       '>"2026-07-11T00:00:00+02:00"</bpmn:timeDate>')
    (changed,) = diff(timer).changed
    assert changed.id == "echeance_4_mois"
    assert changes_of(diff(timer), "echeance_4_mois") == {
        "minuterie": ('timeDate : dossier["echeance_timer"]',
                      'timeDate : "2026-07-11T00:00:00+02:00"')}


def test_retargeted_flow_shows_on_the_flow_and_both_ends():
    new = V1.replace('sourceRef="verification_attestation" targetRef="decision_verification_gw"',
                     'sourceRef="verification_attestation" targetRef="fusion_inscription"')
    d = diff(new)
    assert changes_of(d, "f_a_10") == {"flux": ("verification_attestation → "
                                                "decision_verification_gw",
                                                "verification_attestation → fusion_inscription")}
    assert "f_a_10" in changes_of(d, "fusion_inscription")["flux"][1]
    assert changes_of(d, "decision_verification_gw")["flux"][1].startswith("entrées : —")
    assert {c.id for c in d.changed} == {"f_a_10", "fusion_inscription",
                                         "decision_verification_gw"}


def test_attribute_and_type_changes():
    new = V1.replace('<bpmn:userTask id="verification_attestation"',
                     '<bpmn:manualTask id="verification_attestation"', 1)
    gateway = '\n      <bpmn:exclusiveGateway id="decision_verification_gw"'
    new = new.replace("</bpmn:userTask>" + gateway, "</bpmn:manualTask>" + gateway, 1)
    assert new.count("manualTask") == 2
    (changed,) = diff(new).changed
    assert changed.type == "manualTask"
    assert changes_of(diff(new), "verification_attestation")["attributs"] == (
        "type=userTask", "type=manualTask")
    called = V1.replace('calledElement="examen_manuel_processus"', 'calledElement="autre"', 1)
    assert changes_of(diff(called), "appel_examen_manuel") == {
        "attributs": ("@calledElement=examen_manuel_processus", "@calledElement=autre")}


def test_added_and_removed_elements():
    task = ('<bpmn:manualTask id="nouvelle_tache" name="Nouvelle tâche" />\n'
            '    <bpmn:sequenceFlow id="f_ok" sourceRef="lettre_48n_recue" '
            'targetRef="parcours_stage" />\n')
    new = V1.replace('<bpmn:subProcess id="parcours_stage"', task +
                     '    <bpmn:subProcess id="parcours_stage"', 1)
    d = diff(new)
    assert [(a.id, a.type, a.name) for a in d.added] == [
        ("nouvelle_tache", "manualTask", "Nouvelle tâche"), ("f_ok", "sequenceFlow", None)]
    back = diff(V1, old=new)
    assert [r.id for r in back.removed] == ["nouvelle_tache", "f_ok"] and not back.added


def test_a_change_inside_a_subprocess_names_the_inner_element_only():
    d = diff(V1.replace('name="Inscription à une session"', 'name="Inscription"'))
    assert [c.id for c in d.changed] == ["attente_inscription"]


@pytest.mark.parametrize("bad", [b"", b"<pas du xml", b"<svg/>",
                                 b'<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'])
def test_unsafe_or_non_bpmn_input_raises_in_french(bad):
    with pytest.raises(DefinitionError) as err:
        diff_definitions(V1.encode(), bad)
    assert err.value.problems and all(p.message for p in err.value.problems)


# What bpmn-js writes when it saves: an attribute equal to its BPMN 2.0 default is left out.
BOUNDARY = '<bpmn:boundaryEvent id="invalidation_48si_recue" name="48SI notifiée"'
EXPLICIT_DEFAULTS = (
    ('<bpmn:userTask id="verification_attestation"',
     '<bpmn:userTask id="verification_attestation" isForCompensation="false" startQuantity="1" '
     'completionQuantity="1" implementation="##unspecified"'),
    ('<bpmn:eventBasedGateway id="attente_resultat"',
     '<bpmn:eventBasedGateway id="attente_resultat" eventGatewayType="Exclusive" '
     'instantiate="false" gatewayDirection="Unspecified"'),
    (BOUNDARY, BOUNDARY + ' parallelMultiple="false"'),
)


def test_an_attribute_left_out_equals_its_bpmn_default_as_bpmn_js_saves_it():
    assert f'{BOUNDARY} cancelActivity="true"' in V1
    saved_by_bpmn_js = V1.replace(' cancelActivity="true"', "")
    assert diff(saved_by_bpmn_js).empty
    assert diff(V1, old=saved_by_bpmn_js).empty
    explicit = V1
    for plain, spelled in EXPLICIT_DEFAULTS:
        assert plain in explicit
        explicit = explicit.replace(plain, spelled, 1)
    assert diff(explicit).empty and diff(saved_by_bpmn_js, old=explicit).empty


def test_a_value_other_than_the_default_is_a_change_shown_against_the_default():
    gone = V1.replace(' cancelActivity="true"', "")
    not_interrupting = gone.replace(BOUNDARY, BOUNDARY + ' cancelActivity="false"', 1)
    assert changes_of(diff(not_interrupting, old=gone), "invalidation_48si_recue") == {
        "attributs": ("@cancelActivity=true", "@cancelActivity=false")}
    sequential = V1.replace('<bpmn:eventBasedGateway id="attente_resultat"',
                            '<bpmn:eventBasedGateway id="attente_resultat" instantiate="true"', 1)
    assert changes_of(diff(sequential), "attente_resultat") == {
        "attributs": ("@instantiate=false", "@instantiate=true")}
