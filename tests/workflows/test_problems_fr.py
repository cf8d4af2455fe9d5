"""workflows.problems_fr: libxml2's XML Schema errors in French, each naming what to fix."""

from __future__ import annotations

import pytest

from workflows.problems_fr import schema_message

B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@pytest.mark.parametrize(("error", "french"), [
    (f"Element '{B}userTask': This element is not expected. Expected is one of ( {B}a, b ).",
     "schéma BPMN 2.0 : élément « bpmn:userTask » inattendu à cet endroit (attendu : bpmn:a, b)"),
    (f"Element '{B}process': Missing child element(s). Expected is ( {{x}}y ).",
     "schéma BPMN 2.0 : élément enfant manquant dans « bpmn:process » (attendu : y)"),
    ("Element 'foo': No matching global declaration available for the validation root.",
     "schéma BPMN 2.0 : élément « foo » inconnu (espace de noms manquant ?)"),
    (f"Element '{B}task': The attribute 'bar' is not allowed.",
     "schéma BPMN 2.0 : attribut « bar » non permis sur « bpmn:task »"),
    (f"Element '{B}boundaryEvent': The attribute 'attachedToRef' is required but missing.",
     "schéma BPMN 2.0 : attribut obligatoire « attachedToRef » absent de « bpmn:boundaryEvent »"),
    (f"Element '{B}eventBasedGateway', attribute 'eventGatewayType': [facet 'enumeration'] The "
     "value 'X' is not an element of the set {'Exclusive', 'Parallel'}.",
     "schéma BPMN 2.0 : valeur « X » non permise pour l'attribut « eventGatewayType » de "
     "« bpmn:eventBasedGateway » (valeurs possibles : 'Exclusive', 'Parallel')"),
    (f"Element '{B}task', attribute 'id': 'a b' is not a valid value of the atomic type 'xs:ID'.",
     "identifiant « a b » invalide (lettres, chiffres, _ . -)"),
    (f"Element '{B}task', attribute 'id': 'dup' is not a valid value of the atomic type 'xs:ID'.",
     "identifiant « dup » en double dans le fichier"),
    (f"Element '{B}task', attribute 'startQuantity': 'x' is not a valid value of the atomic type "
     "'xs:integer'.",
     "schéma BPMN 2.0 : valeur « x » invalide pour l'attribut « startQuantity » de « bpmn:task » "
     "(xs:integer)"),
    (f"Element '{B}process': Character content other than whitespace is not allowed because the "
     "content type is 'element-only'.", "schéma BPMN 2.0 : texte non permis dans « bpmn:process »"),
    (f"Element '{B}sequenceFlow': No match found for key-sequence ['gone'] of keyref 'x'.",
     "référence « gone » vers un élément inexistant"),
    (f"Element '{B}task': Duplicate key-sequence ['t1'] in unique identity-constraint 'x'.",
     "identifiant « t1 » en double dans le fichier"),
    (f"Element '{B}task', attribute 'default': The QName value '{B}foo' does not resolve to a(n) "
     "attribute declaration.",
     "schéma BPMN 2.0 : référence « bpmn:foo » introuvable (l'attribut « default » de "
     "« bpmn:task »)"),
    (f"Element '{B}task': Something else.", "non conforme au schéma BPMN 2.0 (« bpmn:task »)"),
    ("garbage", "non conforme au schéma BPMN 2.0"),
])
def test_schema_errors_in_french(error, french):
    assert schema_message(error) == french


def test_an_engine_refusal_the_table_does_not_know_names_the_element_and_what_to_do():
    """A QA finding: « élément refusé par le moteur BPMN (bpmn:subProcess) » said neither which
    element nor what to fix."""
    from workflows.problems_fr import element_label, engine_message

    label = element_label(f"{B}subProcess", "sp_1", "Instruire")
    assert label == "sous-processus « Instruire » (sp_1)"
    assert element_label("bpmn:userTask", "t1") == "tâche utilisateur « t1 »"
    message = engine_message("Something new went wrong", "bpmn:subProcess", label)
    assert message.startswith("sous-processus « Instruire » (sp_1) : refusé par le moteur BPMN")
    assert "vérifiez ses propriétés" in message and "went wrong" not in message
    assert engine_message("No start event found", None, label) == \
        "sous-processus « Instruire » (sp_1) : aucun événement de début"
