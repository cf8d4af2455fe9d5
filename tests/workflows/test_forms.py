"""Forms of a bundle (workflows/forms.py): form-js documents parsed and checked, converted to
the JSON Schema of a task's data, compared for the diff and migration safety. Pure."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
import pytest

from workflows.forms import (
    bundle_problems,
    form_changes,
    json_schema,
    only_labels_changed,
    parse_form,
    pattern_problem,
    with_blanks,
)

SHIPPED = Path(__file__).resolve().parents[2] / "bpmn" / "forms"


def doc(*components, form_id="f") -> str:
    return json.dumps({"schemaVersion": 16, "id": form_id, "type": "default",
                       "components": list(components)})


NAME = {"type": "textfield", "key": "nom", "label": "Nom", "validate": {"required": True,
                                                                        "pattern": "^[A-Z]"}}


def test_a_form_gives_its_fields_and_schema():
    form, problems = parse_form(doc(NAME, {"type": "text", "text": "Aide"}), "forms/f.form")
    assert problems == [] and [f.key for f in form.fields] == ["nom"]
    schema = json_schema(form, "tache", "Tâche")
    assert schema["required"] == ["nom"] and schema["properties"]["nom"]["pattern"] == "^[A-Z]"
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors({"nom": "Martin"}))
    assert list(validator.iter_errors({"nom": "martin"}))


@pytest.mark.parametrize("key", ["verification_attestation", "examen_manuel",
                                 "signalement_parquet"])
def test_the_shipped_contract_forms_keep_the_contract(key):
    form, problems = parse_form((SHIPPED / f"{key}.form").read_text(), key)
    assert problems == []
    schema = json_schema(form, key)
    assert schema["required"] == ["decision"] and schema["additionalProperties"] is False
    refusing = schema["if"]["properties"]["decision"]["const"]
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors({"decision": refusing}))  # motif required
    assert not list(validator.iter_errors({"decision": refusing, "motif": "x"}))


@pytest.mark.parametrize("text", ["", "{", "[]", '{"components": []}', '{"id": "f"}',
                                  doc(form_id="é"), "x" * 70_000, b"\xff"])
def test_what_is_not_a_form_is_told_never_raised(text):
    form, problems = parse_form(text, "forms/x.form")
    assert form is None and problems and all(p.element_id == "forms/x.form" for p in problems)


def test_nested_quantifiers_are_refused_quickly():
    start = time.process_time()
    assert pattern_problem("(a+)+$") and pattern_problem("(a*)*b") and pattern_problem(r"(\w+)\1")
    assert pattern_problem("^[0-9]{5}$") is None
    assert time.process_time() - start < 1


def test_changes_and_labels_only():
    old, _ = parse_form(doc(NAME), "a")
    relabelled, _ = parse_form(doc({**NAME, "label": "Nom de famille"}), "a")
    optional, _ = parse_form(doc({**NAME, "validate": {}}), "a")
    assert only_labels_changed(old, relabelled) and not only_labels_changed(old, optional)
    [(key, before, after)] = form_changes(old, optional)
    assert key == "nom" and "obligatoire" in before and "obligatoire" not in after


def test_bundle_problems_without_a_bpmn_root_never_raise():
    assert bundle_problems(None, {"forms/f.form": doc(NAME)})[0].message.startswith(
        "formulaire « f » utilisé par aucune tâche")


def test_a_form_saved_with_a_byte_order_mark_is_read():
    """A QA finding: a .form saved by a Windows editor (UTF-8 with BOM) was « ce n'est pas du
    JSON valide »."""
    for text in ("\ufeff" + doc(NAME), ("\ufeff" + doc(NAME)).encode("utf-8")):
        form, problems = parse_form(text, "forms/f.form")
        assert problems == [] and [f.key for f in form.fields] == ["nom"]


def test_a_field_left_out_reaches_the_engine_blank_by_its_type():
    """A QA finding (« name 'motif' is not defined »): every input field of the form is in the
    engine's data; what the caller sent is kept, a left-out text is "", a checkbox False, a
    number, date or choice None; a read-only text is no data."""
    form, problems = parse_form(doc(
        {"type": "text", "text": "Aide"},
        {"type": "textfield", "key": "nom", "label": "Nom"},
        {"type": "textarea", "key": "motif", "label": "Motif"},
        {"type": "number", "key": "montant", "label": "Montant"},
        {"type": "datetime", "key": "le", "label": "Le", "subtype": "date"},
        {"type": "radio", "key": "decision", "label": "Décision",
         "values": [{"value": "a", "label": "A"}]},
        {"type": "select", "key": "choix", "label": "Choix",
         "values": [{"value": "b", "label": "B"}]},
        {"type": "checkbox", "key": "vu", "label": "Vu"}), "forms/f.form")
    assert problems == []
    assert with_blanks(form, {"decision": "a", "nom": "Martin"}) == {
        "nom": "Martin", "motif": "", "montant": None, "le": None, "decision": "a",
        "choix": None, "vu": False}
    sent = with_blanks(form, {"motif": "x", "vu": True, "montant": 0})
    assert (sent["motif"], sent["vu"], sent["montant"], sent["nom"]) == ("x", True, 0, "")
    assert with_blanks(None, {"x": 1}) == {"x": 1}  # a confirmation: nothing to fill


CHOICE = {"type": "radio", "key": "decision", "label": "Décision",
          "values": [{"value": "valider", "label": "Valider"},
                     {"value": "refuser", "label": "Refuser"}]}


def test_a_choice_names_the_values_a_clerk_confirms_in_its_custom_properties():
    """The form editor's « Propriétés personnalisées » (form-js `properties`): `confirmer`
    names the values the clerks' page asks to confirm, `avertissement` and `bouton_confirmer`
    what it says; other custom properties are the designer's own."""
    props = {"confirmer": "refuser, valider", "avertissement": " Définitif. ",
             "bouton_confirmer": "Confirmer", "autre": "libre"}
    form, problems = parse_form(doc({**CHOICE, "properties": props}), "forms/f.form")
    assert problems == []
    field = form.field("decision")
    assert (field.confirm, field.warning, field.confirm_button) == (
        ("refuser", "valider"), "Définitif.", "Confirmer")
    plain, _ = parse_form(doc({**CHOICE, "properties": {"autre": "libre"}}), "forms/f.form")
    assert plain.field("decision").confirm == ()
    shipped, _ = parse_form((SHIPPED / "verification_attestation.form").read_text(), "v")
    assert shipped.field("decision").confirm == ("refuser",)
    assert shipped.field("decision").confirm_button == "Confirmer le refus"
    # a change of the confirmation is a change of the form (the diff says it), not of its data
    changes = form_changes(plain, form)
    assert changes and "confirmation demandée pour : refuser, valider" in changes[0][2]
    assert only_labels_changed(plain, form)


@pytest.mark.parametrize("component, needle", [
    ({**CHOICE, "properties": {"confirmer": "refuse"}}, "inconnue(s) : refuse"),
    ({**CHOICE, "properties": {"confirmer": " , "}}, "aucune valeur"),
    ({**CHOICE, "properties": {"avertissement": "Attention"}}, "vont avec « confirmer »"),
    ({**CHOICE, "properties": {"confirmer": ["refuser"]}}, "sont des textes"),
    ({**CHOICE, "properties": "confirmer"}, "propriétés personnalisées illisibles"),
    ({**CHOICE, "properties": {"confirmer": "refuser", "bouton_confirmer": "x" * 81}},
     "trop long"),
    ({**NAME, "properties": {"confirmer": "Martin"}}, "ne s'applique qu'à une liste de choix"),
])
def test_a_confirmation_the_page_could_not_ask_is_refused(component, needle):
    form, problems = parse_form(doc(component), "forms/f.form")
    assert form is None and any(needle in p.message for p in problems), problems
