"""SpiffWorkflow's (SpiffArena's) `spiffworkflow:` extensions and other tools' namespaces
(workflows/extensions.py, docs/designers.md « Extensions Camunda et autres moteurs »).

What the engine does with each today: the library's parser reads them, but the application
replaces its service-task and business-rule-task parsers and completes user tasks by merging
the form's data. A pre- or post-script is honoured on the elements whose parser passes it on,
and then only ever runs through the run's restricted script engine, after the static check of
every upload; everything else was silently ignored (QA: a SpiffArena user task whose form went
into a variable `order` was accepted, its conditions reading `order` would never see it)."""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from workflows import ProcessEngine, ScriptContext, WorkflowError, definition_warnings, validate
from workflows import runtime as runtime_mod
from workflows.contract import ACTION_NAMES
from workflows.definitions import ParsedProcess, ProcessParser, _parse_document
from workflows.extensions import SPIFF_SCRIPTS_RUN_ON

from .conftest import SHIPPED_FILES
from .test_definitions import CORPUS
from .test_engine_extensions import document as engine_document
from .test_engine_extensions import found

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"


def document(task_ext: str = "", task: str = "task", task_attrs: str = "", extra: str = "",
             inner: str = "", root_extra: str = "", namespaces: str = "") -> bytes:
    """A small executable process whose one element (`tache`, a plain task unless told)
    carries what the test gives it, the spiffworkflow: namespace declared."""
    return engine_document(task_attrs, task_ext, task, extra=extra, inner=inner,
                           root_extra=root_extra,
                           namespaces=f'xmlns:spiffworkflow="{SPIFF}" {namespaces}')


def scripts(pre: str = "", post: str = "") -> str:
    out = f"<spiffworkflow:preScript>{pre}</spiffworkflow:preScript>" if pre else ""
    return out + (f"<spiffworkflow:postScript>{post}</spiffworkflow:postScript>" if post else "")


# --- 1. pre- and post-scripts: honoured where the parser passes them on, never unrestricted ---

@pytest.mark.parametrize("where", ["preScript", "postScript"])
@pytest.mark.parametrize("code", [
    '__import__("os").system("id")',
    'open("/etc/passwd").read()',
    "x = ().__class__.__mro__[1].__subclasses__()",
])
def test_unrestricted_code_in_a_pre_or_post_script_is_refused_at_upload(where, code):
    xml = document(scripts(**{where[:-6].lower(): code}))
    problems = [p for p in validate(xml) if p.element_id == "tache"]
    assert problems and all(p.message.startswith("script refusé : ") for p in problems), problems
    assert all(p.line == 5 for p in problems)


def unchecked_parse(xml: bytes, key: str, files=None) -> ParsedProcess:
    """SpiffWorkflow's parser as the application extends it, without any of the validation
    (what a version would be if its code had slipped past the checks)."""
    root, _ = _parse_document(xml)
    parser = ProcessParser(validator=None)
    parser.add_bpmn_xml(root, filename="definition.bpmn")
    return ParsedProcess(key, parser.get_spec(key), parser.get_subprocess_specs(key))


def context() -> ScriptContext:
    return ScriptContext({"echeance_timer": "2026-07-11T00:00:00+02:00"},
                         {n: (lambda *a: None) for n in ACTION_NAMES}, None)


@pytest.mark.parametrize("where", ["pre", "post"])
def test_a_pre_or_post_script_that_slipped_past_the_checks_never_runs_unrestricted(
        where, tmp_path, monkeypatch):
    """The library honours them on a task (the control: its default engine writes the file);
    the application's run executes them with the restricted engine, where `open` does not
    exist: an error on the task, nothing written."""
    witness = tmp_path / "ecrit.txt"
    xml = document(scripts(**{where: f'open({str(witness)!r}, "w").write("x")'}))
    assert [p for p in validate(xml) if p.element_id == "tache"]  # refused at upload, first

    control = BpmnWorkflow(unchecked_parse(xml, "p").spec)  # the library's default engine
    control.do_engine_steps()  # the pre-script runs when the task is ready
    control.get_next_task(state=TaskState.READY, spec_name="tache").run()  # the post-script
    assert witness.read_text() == "x"
    witness.unlink()

    monkeypatch.setattr(runtime_mod, "parse_process", unchecked_parse)
    engine = ProcessEngine(lambda: None)
    with pytest.raises(WorkflowError) as raised:
        run = engine.start(1, xml, "p", context())
        assert where == "post" and [t.key for t in run.open_tasks()] == ["tache"]
        run.complete_task("tache", {})
    assert not witness.exists()
    assert raised.value.element_id == "tache", raised.value
    assert "nom inconnu « open »" in str(raised.value)


CANDIDATE_KINDS = {
    "task": "", "userTask": "", "manualTask": "", "scriptTask": "",
    "serviceTask": 'camunda:type="external" camunda:topic="ajouter_note"',
    "businessRuleTask": 'camunda:decisionRef="delai_relance_signalement"',
    "receiveTask": "", "sendTask": "", "callActivity": 'calledElement="appele"',
    "subProcess": "", "transaction": "", "intermediateThrowEvent": "",
}
INNER = ('<bpmn:startEvent id="dedans"><bpmn:outgoing>h</bpmn:outgoing></bpmn:startEvent>'
         '<bpmn:endEvent id="dehors"><bpmn:incoming>h</bpmn:incoming></bpmn:endEvent>'
         '<bpmn:sequenceFlow id="h" sourceRef="dedans" targetRef="dehors" />')
CALLED = ('<bpmn:process id="appele"><bpmn:startEvent id="s2"><bpmn:outgoing>g</bpmn:outgoing>'
          '</bpmn:startEvent><bpmn:endEvent id="e2"><bpmn:incoming>g</bpmn:incoming>'
          '</bpmn:endEvent><bpmn:sequenceFlow id="g" sourceRef="s2" targetRef="e2" />'
          "</bpmn:process>")


def parsed_task(kind: str, ext: str):
    inner = INNER if kind in ("subProcess", "transaction") else ""
    xml = document(ext, task=kind, task_attrs=CANDIDATE_KINDS[kind], inner=inner)
    xml = xml.replace(b"</bpmn:definitions>", CALLED.encode() + b"</bpmn:definitions>")
    root, _ = _parse_document(xml)
    parser = ProcessParser(validator=None)
    parser.add_decisions(SHIPPED_FILES)
    parser.add_bpmn_xml(root, filename="definition.bpmn")
    return parser.get_spec("p").task_specs["tache"], xml


def test_the_elements_that_run_pre_and_post_scripts_are_exactly_those_not_told():
    """Checked against SpiffWorkflow's parser as the application extends it: where the spec
    gets the scripts, nothing is told; where it drops them, a problem."""
    for kind in CANDIDATE_KINDS:
        spec, xml = parsed_task(kind, scripts("a = 1", "b = 2"))
        runs = (getattr(spec, "prescript", None) == "a = 1"
                and getattr(spec, "postscript", None) == "b = 2")
        told = [f for f in found(xml) if f.element_id == "tache"]
        assert runs == (kind in SPIFF_SCRIPTS_RUN_ON), kind
        assert (told == []) == runs, (kind, told)
        if not runs:
            assert {f.blocking for f in told} == {True}
            assert {f.message.partition(" (spiffworkflow:")[2][:10] for f in told} == {
                "preScript)", "postScript"}, told


# --- 2. what is told ------------------------------------------------------------------------

def test_what_the_engine_honours_is_not_told():
    message = ('<bpmn:messageEventDefinition messageRef="m"><bpmn:extensionElements>'
               "<spiffworkflow:messagePayload>{\"a\": 1}</spiffworkflow:messagePayload>"
               "<spiffworkflow:messageVariable>recu</spiffworkflow:messageVariable>"
               "</bpmn:extensionElements></bpmn:messageEventDefinition>")
    signal = ('<bpmn:signal id="sig" name="alerte"><bpmn:extensionElements>'
              "<spiffworkflow:payloadExpression>1</spiffworkflow:payloadExpression>"
              "<spiffworkflow:variableName>signal_recu</spiffworkflow:variableName>"
              "</bpmn:extensionElements></bpmn:signal>")
    loop = ('<bpmn:multiInstanceLoopCharacteristics spiffworkflow:scriptsOnInstances="true">'
            "<bpmn:loopCardinality>2</bpmn:loopCardinality>"
            "</bpmn:multiInstanceLoopCharacteristics>")
    for xml in (document(scripts("a = 1", "b = a"), task="userTask"),
                document(scripts("a = 1"), task="callActivity", task_attrs='calledElement="x"'),
                document(task="intermediateThrowEvent", inner=message,
                         root_extra='<bpmn:message id="m" name="m" />'),
                document(root_extra=signal),
                document(scripts("a = 1"), inner=loop),
                # empty, as SpiffArena writes them: nothing asked
                document("<spiffworkflow:variableName />"
                         "<spiffworkflow:instructionsForEndUser></spiffworkflow:"
                         "instructionsForEndUser>", task="userTask")):
        assert found(xml) == [], xml


@pytest.mark.parametrize(("ext", "task", "attrs", "feature"), [
    (scripts("a = 1"), "serviceTask", 'camunda:type="external" camunda:topic="ajouter_note"',
     "le script avant l'élément (spiffworkflow:preScript) n'est pas pris en charge par le "
     "moteur : il serait ignoré. Utilisez à la place une tâche de script (Python) avant "
     "l'élément"),
    (scripts(post="b = 1"), "scriptTask", "",
     "le script après l'élément (spiffworkflow:postScript) n'est pas pris en charge par le "
     "moteur : il serait ignoré. Écrivez ce code dans le script de la tâche lui-même"),
    (scripts("a = 1"), "businessRuleTask", 'camunda:decisionRef="delai"',
     "(spiffworkflow:preScript) n'est pas pris"),
    ('<spiffworkflow:serviceTaskOperator id="http/GetRequest" resultVariable="r">'
     '<spiffworkflow:parameters><spiffworkflow:parameter id="url" type="str" value="\'x\'" />'
     '</spiffworkflow:parameters><spiffworkflow:retry retries="3" />'
     "</spiffworkflow:serviceTaskOperator>", "serviceTask", "",
     "l'opérateur de tâche de service SpiffArena (spiffworkflow:serviceTaskOperator) n'est "
     "pas pris en charge par le moteur : il serait ignoré. Utilisez à la place une tâche de "
     "service qui appelle une action du catalogue (« Action du catalogue », camunda:topic) ; "
     "ses paramètres sont des camunda:inputParameter, elle n'écrit rien dans les données "
     "(pas de variable de résultat) et, si elle échoue, c'est un incident"),
    ("<spiffworkflow:calledDecisionId>credit</spiffworkflow:calledDecisionId>",
     "businessRuleTask", "",
     "la table de décision SpiffArena (spiffworkflow:calledDecisionId) n'est pas prise en "
     "charge par le moteur : elle serait ignorée. Nommez à la place la table avec "
     "camunda:decisionRef"),
    ("<spiffworkflow:variableName>order</spiffworkflow:variableName>", "userTask", "",
     "la variable qui reçoit les données du formulaire (spiffworkflow:variableName) n'est pas "
     "prise en charge par le moteur : elle serait ignorée. Chaque champ du formulaire va dans "
     "les données sous sa propre clé"),
    ("<spiffworkflow:allowGuest>true</spiffworkflow:allowGuest>", "userTask", "",
     "l'ouverture de la tâche aux invités (spiffworkflow:allowGuest)"),
    ('<spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" '
     'value="f.json" /></spiffworkflow:properties>', "userTask", "",
     "le formulaire SpiffArena (spiffworkflow:properties) n'est pas pris en charge par le "
     "moteur : il serait ignoré. Utilisez à la place le formulaire de la tâche"),
    ('<spiffworkflow:properties><spiffworkflow:property name="groupe" value="accueil" />'
     "</spiffworkflow:properties>", "userTask", "",
     "les propriétés d'extension SpiffArena (spiffworkflow:properties) ne sont pas prises en "
     "charge par le moteur : elles seraient ignorées. Donnez statut, code_statut et groupe en "
     "propriétés Camunda (camunda:properties)"),
    ("<spiffworkflow:messagePayload>1</spiffworkflow:messagePayload>", "userTask", "",
     "l'extension SpiffArena (spiffworkflow:messagePayload) n'est pas prise en charge par le "
     "moteur : elle serait ignorée. Retirez-la"),
    ("<spiffworkflow:inventee>x</spiffworkflow:inventee>", "userTask", "",
     "l'extension SpiffArena (spiffworkflow:inventee)"),
])
def test_an_ignored_spiffworkflow_extension_that_changes_the_process_is_a_problem(
        ext, task, attrs, feature):
    xml = document(ext, task=task, task_attrs=attrs)
    told = [f for f in found(xml) if f.element_id == "tache"]
    assert told and all(f.blocking and f.line == 5 for f in told), told
    assert any(feature in f.message for f in told), [f.message for f in told]
    assert any(feature in p.message and p.element_id == "tache" for p in validate(xml))


@pytest.mark.parametrize(("ext", "task", "attrs", "feature"), [
    ("<spiffworkflow:instructionsForEndUser>Vérifiez **tout**</spiffworkflow:"
     "instructionsForEndUser>", "manualTask", "",
     "les consignes à l'utilisateur (spiffworkflow:instructionsForEndUser) ne sont pas prises "
     "en charge par le moteur : elles sont ignorées, sans effet sur le déroulement des "
     "dossiers. Mettez la consigne dans le formulaire de la tâche (un champ « texte » en "
     "lecture seule, bouton « Formulaire de la tâche ») ou dans la documentation de "
     "l'élément."),
    ('<spiffworkflow:unitTests><spiffworkflow:unitTest id="t"><spiffworkflow:inputJson>{}'
     "</spiffworkflow:inputJson><spiffworkflow:expectedOutputJson>{}</spiffworkflow:"
     "expectedOutputJson></spiffworkflow:unitTest></spiffworkflow:unitTests>", "scriptTask", "",
     "les tests unitaires du script (spiffworkflow:unitTests) ne sont pas pris en charge par "
     "le moteur : ils sont ignorés, sans effet sur le déroulement des dossiers. Décrivez le "
     "comportement attendu par des scénarios Gherkin du paquet"),
    ('<spiffworkflow:properties><spiffworkflow:property name="couleur" value="bleu" />'
     "</spiffworkflow:properties>", "userTask", "",
     "les propriétés d'extension SpiffArena (spiffworkflow:properties) ne sont pas prises en "
     "charge par le moteur : elles sont ignorées, sans effet"),
    ("<spiffworkflow:calledDecisionId>delai</spiffworkflow:calledDecisionId>",
     "businessRuleTask", 'camunda:decisionRef="delai"',
     "la table de décision SpiffArena (spiffworkflow:calledDecisionId) n'est pas prise en "
     "charge par le moteur : elle est ignorée, sans effet sur le déroulement des dossiers. La "
     "table appelée est celle que nomme camunda:decisionRef."),
])
def test_a_descriptive_spiffworkflow_extension_is_a_warning(ext, task, attrs, feature):
    xml = document(ext, task=task, task_attrs=attrs)
    told = [f for f in found(xml) if f.element_id == "tache"]
    assert [f.blocking for f in told] == [False], told
    assert feature in told[0].message, told[0].message
    assert not any("(spiffworkflow:" in p.message for p in validate(xml))
    assert [w.message for w in definition_warnings(xml)] == [told[0].message]


# --- 3. other tools' namespaces ----------------------------------------------------------------

DROOLS = 'xmlns:drools="http://www.jboss.org/drools"'
SIGNAVIO = 'xmlns:signavio="http://www.signavio.com"'


def test_another_engines_extension_on_a_task_is_a_warning_naming_its_namespace_once():
    ext = ('<drools:onEntry-script scriptFormat="java"><drools:script>x()</drools:script>'
           '</drools:onEntry-script><drools:metaData name="elementname" />')
    xml = document(ext, namespaces=DROOLS)
    [told] = found(xml)
    assert (told.element_id, told.line, told.blocking) == ("tache", 5, False)
    assert told.message == (
        "tâche « Appeler » (tache) : les extensions d'un autre outil (espace de noms "
        "« drools », http://www.jboss.org/drools) ne sont pas prises en charge par le moteur : "
        "elles sont ignorées. Si elles faisaient quelque chose dans cet outil (un script, un "
        "envoi, une affectation…), dessinez-le avec ce que lit l'application "
        "(docs/designers.md, « Extensions Camunda et autres moteurs »).")
    assert validate(xml) == [] and [w.message for w in definition_warnings(xml)] == [
        told.message]


def test_the_modelers_bookkeeping_and_other_tools_authoring_data_are_not_told():
    signavio = ('<signavio:signavioMetaData metaKey="bgcolor" metaValue="#ffffcc" />')
    process_level = ('<bpmn:extensionElements><drools:import name="x" />'
                     "</bpmn:extensionElements>")
    for xml in (document(signavio, namespaces=SIGNAVIO),
                document(task_attrs='drools:selectable="true"', namespaces=DROOLS),
                document(namespaces=DROOLS).replace(
                    b'isExecutable="true">', b'isExecutable="true">' + process_level.encode())):
        assert found(xml) == [], xml


# --- 4. the corpus's SpiffArena files -----------------------------------------------------------

@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus absent (../shared/corpus/bpmn)")
def test_the_corpus_spiffarena_files_are_told_what_would_be_ignored():
    """spiff__spiff-user_task_variable.bpmn was accepted: its form (SpiffArena's
    formJsonSchemaFilename) and its variable `order` were silently ignored. Now refused."""
    def told(name):
        xml = (CORPUS / name).read_bytes()
        return ([(p.element_id, p.message.partition(" (spiffworkflow:")[2].partition(")")[0])
                 for p in validate(xml) if "(spiffworkflow:" in p.message],
                [(w.element_id, w.message.partition(" (spiffworkflow:")[2].partition(")")[0])
                 for w in definition_warnings(xml)])

    assert told("spiff__spiff-user_task_variable.bpmn") == ([
        ("user_task_one", "properties"), ("user_task_two", "properties"),
        ("user_task_two", "variableName")], [])
    problems, warnings = told("spm__submit-invoice.bpmn")
    assert sorted(problems) == sorted([
        ("Activity_0yes9h3", "properties"), ("Activity_1hdxh4e", "serviceTaskOperator"),
        ("Activity_0vjn1x3", "serviceTaskOperator"), ("Activity_1t2wqtp", "calledDecisionId"),
        ("Activity_1t2wqtp", "preScript"), ("Activity_0jewccr", "serviceTaskOperator")])
    assert warnings == [("Activity_0t4r74j", "unitTests")]
    assert told("spm__loop.bpmn")[1] == [("manual_one", "instructionsForEndUser"),
                                          ("manual_two", "instructionsForEndUser")]
    # the pre- and post-scripts of a task run (restricted): their code is checked, not told
    assert told("spiff__spiff-prescript_postscript.bpmn") == ([], [])
    # a calledDecisionId naming the table camunda:decisionRef names: a warning
    assert told("spiff__bpmn-call_activity_nested.bpmn") == (
        [], [("Activity_0gg4414", "calledDecisionId")])
