"""Other engines' extensions the engine does not honour (workflows/extensions.py): a problem
naming the element and the feature when ignoring it would change what the process does, a
warning when it would not, nothing for what the application reads (QA finding: a draft with a
Camunda task listener, an execution listener and an asynchronous continuation was « valide »
and deployed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.designer_support import (
    VOLONTAIRE,
    with_descriptive_extensions,
    with_ignored_features,
)
from workflows import definition_warnings, parse_process, validate
from workflows.definitions import _owner, _parse_document
from workflows.extensions import findings

from .test_definitions import CORPUS

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
FLOWABLE = "http://flowable.org/bpmn"
KEY = "stage_volontaire"


def document(task_attrs: str = "", task_ext: str = "", task: str = "userTask",
             process_attrs: str = "", extra: str = "", inner: str = "", root_extra: str = "",
             namespaces: str = "") -> bytes:
    """A small executable process whose one task (`tache`) carries what the test gives it:
    its attributes, extensions and `inner` elements; `extra` elements of the process,
    `root_extra` of the definitions, more `namespaces` declared on the root."""
    ext = f"<bpmn:extensionElements>{task_ext}</bpmn:extensionElements>" if task_ext else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'xmlns:camunda="{CAMUNDA}" xmlns:zeebe="{ZEEBE}" xmlns:flowable="{FLOWABLE}" '
        f'{namespaces} id="d" targetNamespace="t">\n'
        f"{root_extra}"
        f'<bpmn:process id="p" isExecutable="true" {process_attrs}>\n'
        '<bpmn:startEvent id="debut"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>\n'
        f'<bpmn:{task} id="tache" name="Appeler" {task_attrs}>{ext}'
        "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
        f"{inner}</bpmn:{task}>\n"
        '<bpmn:endEvent id="fin"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="debut" targetRef="tache" />\n'
        '<bpmn:sequenceFlow id="f2" sourceRef="tache" targetRef="fin" />\n'
        f"{extra}</bpmn:process>\n</bpmn:definitions>\n").encode()


def found(xml: bytes):
    root, problems = _parse_document(xml)
    assert problems == []
    return findings(root, _owner)


def test_the_reviewers_draft_gets_one_problem_per_ignored_feature_on_its_task():
    problems = validate(with_ignored_features(), KEY)
    assert {p.element_id for p in problems} == {"verification_attestation"}
    label = "tâche utilisateur « Vérifier l'attestation de stage » (verification_attestation) : "
    assert [p.message.partition(" n'est pas")[0] for p in problems] == [
        label + "la continuation asynchrone avant l'élément (camunda:asyncBefore)",
        label + "l'écouteur de tâche (camunda:taskListener)",
        label + "l'écouteur d'exécution (camunda:executionListener)"]
    listener = problems[2]
    assert listener.line == 96 and listener.message.endswith(
        "n'est pas pris en charge par le moteur : il serait ignoré. Utilisez à la place une "
        "tâche de script (Python) avant ou après l'élément, ou une tâche de service qui "
        "appelle une action du catalogue (« Action du catalogue »).")
    assert "couloir (propriété « groupe »)" in problems[1].message
    assert "envois différés" in problems[0].message


def test_a_deployed_version_carrying_them_still_parses():
    """The check is a deployment's: a version stored before it keeps running its cases."""
    parsed = parse_process(with_ignored_features(), KEY, None)
    assert parsed.process_key == KEY and "verification_attestation" in parsed.task_groups


def test_descriptive_extensions_are_warnings_not_problems():
    xml = with_descriptive_extensions()
    assert validate(xml, KEY) == []
    warnings = definition_warnings(xml)
    assert [(w.element_id, w.line) for w in warnings] == [(KEY, 12), (KEY, 12)]
    assert warnings[0].message == (
        "processus « Stage volontaire » (stage_volontaire) : la durée de conservation de "
        "l'historique (camunda:historyTimeToLive) n'est pas prise en charge par le moteur : "
        "elle est ignorée, sans effet sur le déroulement des dossiers. L'historique des "
        "dossiers est conservé par l'application.")
    assert "(camunda:versionTag)" in warnings[1].message


def test_what_the_application_reads_is_never_told():
    assert found(VOLONTAIRE) == []
    assert definition_warnings(VOLONTAIRE) == []
    service = document(task="serviceTask",
                       task_attrs='camunda:type="external" camunda:topic="ajouter_note"',
                       task_ext='<camunda:inputOutput><camunda:inputParameter name="texte">'
                                "Bonjour</camunda:inputParameter></camunda:inputOutput>"
                                '<camunda:properties><camunda:property name="x" value="y"/>'
                                "</camunda:properties>")
    assert found(service) == []
    assert found(document(task_attrs='camunda:formRef="f" camunda:dueDate="P2D"')) == []
    rule = document(task="businessRuleTask", task_attrs='camunda:decisionRef="delai"')
    assert found(rule) == []
    # the modelers' bookkeeping, and the defaults of what would otherwise be told
    assert found(document(task_attrs='camunda:asyncBefore="false" camunda:exclusive="true" '
                                     'camunda:modelerTemplate="io.x" zeebe:modelerTemplate="y"',
                          process_attrs='camunda:isStartableInTasklist="true"')) == []


@pytest.mark.parametrize(("attrs", "ext", "task", "feature"), [
    ('camunda:asyncAfter="true"', "", "userTask",
     "la continuation asynchrone après l'élément (camunda:asyncAfter) n'est pas prise"),
    ('camunda:class="com.example.Mailer"', "", "serviceTask",
     "l'implémentation par une classe Java (camunda:class) n'est pas prise"),
    ('camunda:expression="${mailer.send()}"', "", "serviceTask",
     "l'implémentation par une expression (camunda:expression) n'est pas prise"),
    ('camunda:delegateExpression="${mailer}"', "", "serviceTask",
     "l'implémentation par une expression de délégué (camunda:delegateExpression)"),
    ('camunda:type="connector" camunda:topic="ajouter_note"', "", "serviceTask",
     "le type d'implémentation (camunda:type) n'est pas pris"),
    ('camunda:type="external" camunda:topic="ajouter_note"',
     '<camunda:inputOutput><camunda:outputParameter name="r">x</camunda:outputParameter>'
     "</camunda:inputOutput>", "serviceTask",
     "la sortie d'une tâche de service (camunda:outputParameter) n'est pas prise"),
    ("", '<camunda:connector><camunda:connectorId>http-connector</camunda:connectorId>'
         "</camunda:connector>", "serviceTask", "le connecteur (camunda:connector)"),
    ('camunda:formKey="embedded:app:form.html"', "", "userTask",
     "le formulaire intégré ou externe (camunda:formKey) n'est pas pris"),
    ("", '<camunda:formData><camunda:formField id="a" type="string"/></camunda:formData>',
     "userTask", "le formulaire généré (camunda:formData)"),
    ('camunda:candidateUsers="claire"', "", "userTask",
     "les utilisateurs candidats (camunda:candidateUsers) ne sont pas pris en charge par le "
     "moteur : ils seraient ignorés. Utilisez à la place un couloir"),
    ('camunda:assignee="demo"', "", "userTask",
     "l'attribution de la tâche à une personne (camunda:assignee)"),
    ("", '<camunda:inputOutput><camunda:inputParameter name="a">1</camunda:inputParameter>'
         "</camunda:inputOutput>", "userTask",
     "les variables d'entrée et de sortie (camunda:inputOutput) ne sont pas prises en charge "
     "par le moteur : elles seraient ignorées."),
    ("", '<camunda:failedJobRetryTimeCycle>R3/PT5M</camunda:failedJobRetryTimeCycle>',
     "serviceTask", "le cycle de nouvelles tentatives (camunda:failedJobRetryTimeCycle)"),
    ("", '<zeebe:taskDefinition type="mailer" />', "serviceTask",
     "la définition de tâche Zeebe (zeebe:taskDefinition) n'est pas prise"),
    ('flowable:candidateGroups="accueil"', "", "userTask",
     "les groupes candidats (flowable:candidateGroups) ne sont pas pris"),
    ('camunda:unknownThing="x"', "", "userTask",
     "l'extension Camunda (camunda:unknownThing) n'est pas prise en charge par le moteur : "
     "elle serait ignorée. Retirez-la"),
])
def test_a_feature_whose_absence_changes_the_process_is_a_problem_on_its_element(
        attrs, ext, task, feature):
    xml = document(task_attrs=attrs, task_ext=ext, task=task)
    told = [f for f in found(xml) if f.blocking]
    assert told and all(f.element_id == "tache" and f.line for f in told), told
    assert any(feature in f.message for f in told), [f.message for f in told]
    assert any(feature in p.message and p.element_id == "tache" for p in validate(xml))


def test_a_start_events_form_says_cases_are_opened_by_the_application():
    xml = document(extra='<bpmn:startEvent id="autre" camunda:formKey="a" />')
    [told] = found(xml)
    assert told.element_id == "autre" and told.blocking
    assert "le formulaire de démarrage (camunda:formKey)" in told.message
    assert "Les dossiers sont ouverts par l'application" in told.message


def test_each_feature_is_told_once_per_element():
    ext = ('<camunda:executionListener event="start" class="A" />'
           '<camunda:executionListener event="end" class="B" />')
    assert len(found(document(task_ext=ext))) == 1


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus absent (../shared/corpus/bpmn)")
def test_the_corpus_files_from_other_engines_are_told_what_would_be_ignored():
    """Never a crash; each finding names its feature with its engine's prefix, or the
    namespace of another tool (a warning: tests/workflows/test_spiffworkflow_extensions.py);
    the Camunda examples that were accepted with their listeners, forms and assignees are
    refused."""
    told = 0
    for path in sorted(Path(CORPUS).glob("*")):
        root, problems = _parse_document(path.read_bytes())
        if problems:
            continue
        for f in findings(root, _owner):
            told += 1
            assert any(f"({p}:" in f.message for p in ("camunda", "zeebe", "flowable",
                                                       "activiti", "spiffworkflow")) or (
                "les extensions d'un autre outil (espace de noms " in f.message
                and not f.blocking), f
            assert "n'est pas pris" in f.message or "ne sont pas pris" in f.message
    assert told > 100
    xslt = validate((CORPUS / "camunda-ex__xslt-example.bpmn").read_bytes())
    assert {p.element_id for p in xslt if "(camunda:executionListener)" in p.message} == {
        "StartEvent_1", "EndEvent_1"}
    for name, feature in (("camunda-ex__invoicePayment.bpmn", "(camunda:formKey)"),
                          ("camunda-ex__loanApproval.bpmn", "(camunda:assignee)")):
        assert any(feature in p.message for p in validate((CORPUS / name).read_bytes())), name
