"""Service tasks by the catalogue's convention (workflows/service_tasks.py): camunda:topic names
the action, camunda:inputParameter its parameters (a literal text, or "=" and an expression of
the restricted environment); the engine hands each call to ScriptContext.call_action; a failing
action is a WorkflowError on its element (an incident for the service layer)."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows import ActionFailed, ProcessEngine, ScriptContext, WorkflowError, validate
from workflows.definitions import service_calls

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')


def param(name, value):
    return f'<camunda:inputParameter name="{name}">{value}</camunda:inputParameter>'


def service(element_id, topic, *params):
    io = (f"<bpmn:extensionElements><camunda:inputOutput>{''.join(params)}"
          "</camunda:inputOutput></bpmn:extensionElements>") if params else ""
    return (f'<bpmn:serviceTask id="{element_id}" camunda:type="external" '
            f'camunda:topic="{topic}">{io}</bpmn:serviceTask>')


def process(*services: str, user_task: bool = True) -> bytes:
    """start → script (niveau = "haut") → services… → [user task "tache"] → end."""
    nodes = ["debut", "script", *[s.split('id="')[1].split('"')[0] for s in services]]
    if user_task:
        nodes.append("tache")
    nodes.append("fin")
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />'
                    for i, (a, b) in enumerate(zip(nodes, nodes[1:], strict=False)))
    return (HEAD + '<bpmn:process id="p" isExecutable="true">'
            '<bpmn:startEvent id="debut" />'
            '<bpmn:scriptTask id="script"><bpmn:script>niveau = "haut"</bpmn:script>'
            '</bpmn:scriptTask>' + "".join(services)
            + ('<bpmn:userTask id="tache" />' if user_task else "")
            + '<bpmn:endEvent id="fin" />' + flows
            + "</bpmn:process></bpmn:definitions>").encode()


NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def run(xml, call):
    engine = ProcessEngine(lambda: NOW)
    return engine, engine.start(1, xml, "p", ScriptContext({}, {}, call))


def test_the_engine_calls_the_action_with_its_literal_and_evaluated_parameters():
    xml = process(service("noter", "ajouter_note", param("texte", "Bonjour"),
                          param("niveau", '=niveau + "!"')))
    assert validate(xml, "p", frozenset({"niveau"})) == []
    calls = []
    _, r = run(xml, lambda c: calls.append((c.element_id, c.action, dict(c.params))))
    assert calls == [("noter", "ajouter_note", {"texte": "Bonjour", "niveau": "haut!"})]
    assert [t.key for t in r.open_tasks()] == ["tache"]
    assert "spiff__noter_result" not in r.state_json()  # nothing left in the task data


def test_a_literal_is_never_evaluated():
    calls = []
    run(process(service("s", "a", param("texte", "__import__('os')"))),
        lambda c: calls.append(dict(c.params)))
    assert calls == [{"texte": "__import__('os')"}]


def test_assigning_a_task_to_a_group_survives_the_stored_state():
    xml = process(service("affecter", "affecter_groupe", param("tache", "tache"),
                          param("groupe", "pole")))

    def call(c):
        c.assign_task(c.params["tache"], c.params["groupe"])

    engine, r = run(xml, call)
    assert [(t.key, t.group) for t in r.open_tasks()] == [("tache", "pole")]
    again = engine.resume(1, xml, "p", r.state_json(), ScriptContext({}, {}, call))
    assert [(t.key, t.group) for t in again.open_tasks()] == [("tache", "pole")]


@pytest.mark.parametrize("error, message", [
    (ActionFailed("le groupe « x » n'existe pas"),
     "action du catalogue : le groupe « x » n'existe pas"),
    (KeyError("bug"), "action du catalogue : l'action « a » a échoué (KeyError)"),
])
def test_a_failing_action_is_a_workflow_error_on_its_element(error, message):
    def fail(call):
        raise error

    with pytest.raises(WorkflowError) as raised:
        run(process(service("svc", "a")), fail)
    assert raised.value.element_id == "svc" and raised.value.message == message


def test_no_action_may_run_without_a_catalogue():
    with pytest.raises(WorkflowError) as raised:
        run(process(service("svc", "a")), None)
    assert "aucune action du catalogue" in raised.value.message


def test_an_expression_failing_at_run_time_is_a_workflow_error():
    with pytest.raises(WorkflowError) as raised:
        run(process(service("svc", "a", param("x", "=1 / 0"))), lambda c: None)
    assert raised.value.element_id == "svc"


@pytest.mark.parametrize("task, message", [
    (service("svc", ""), "tâche de service sans action"),
    (service("svc", "a", param("x", "1"), param("x", "2")), "paramètre « x » donné deux fois"),
    (service("svc", "a", param("", "1")), "paramètre sans nom"),
    (service("svc", "a", param("x", "=")), "paramètre « x » : expression vide"),
    (service("svc", "a", param("x", "=__import__('os')")), "expression refusée"),
    (service("svc", "a", param("x", "=inconnue + 1")), "expression refusée"),
    (service("svc", "a", param("x", "<camunda:list><camunda:value>1</camunda:value>"
                                    "</camunda:list>")), "seule une valeur texte"),
])
def test_the_convention_refuses_on_the_element(task, message):
    problems = validate(process(task), "p")
    assert [p.element_id for p in problems] == ["svc"], problems
    assert message in problems[0].message


def test_service_calls_reads_actions_parameters_and_user_tasks():
    calls, users = service_calls(process(service("svc", "ajouter_note", param("texte", "a"),
                                                 param("n", "=niveau"))))
    assert users == {"tache"}
    [call] = calls
    assert (call.element_id, call.action, call.literals()) == ("svc", "ajouter_note",
                                                               {"texte": "a"})
    assert [(p.name, p.value, p.expression) for p in call.parameters] == [
        ("texte", "a", False), ("n", "niveau", True)]
    assert service_calls(b"<pas du bpmn") == ([], set())



def test_assigning_a_task_open_in_a_parallel_branch_reaches_it_now():
    """start → fork → (user task "tache" ∥ service task "affecter") → join → end."""
    xml = (HEAD + '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="debut" />'
           '<bpmn:parallelGateway id="fourche" /><bpmn:userTask id="tache" />'
           + service("affecter", "affecter_groupe", param("tache", "tache"),
                     param("groupe", "pole"))
           + '<bpmn:parallelGateway id="jonction" /><bpmn:endEvent id="fin" />'
           + "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}" />'
                     for i, (a, b) in enumerate([
                         ("debut", "fourche"), ("fourche", "tache"), ("fourche", "affecter"),
                         ("tache", "jonction"), ("affecter", "jonction"), ("jonction", "fin")]))
           + "</bpmn:process></bpmn:definitions>").encode()
    assert validate(xml, "p") == []

    def call(c):
        c.assign_task(c.params["tache"], c.params["groupe"])

    _, r = run(xml, call)
    assert [(t.key, t.group) for t in r.open_tasks()] == [("tache", "pole")]


def test_only_a_group_code_left_in_the_data_offers_a_task():
    xml = process(service("affecter", "affecter_groupe"))

    def call(c):
        c.assign_task("tache", "x" * 41)  # longer than a group code (a script could leave it)

    _, r = run(xml, call)
    assert [(t.key, t.group) for t in r.open_tasks()] == [("tache", None)]


def test_a_clerks_answers_may_not_carry_group_assignments():
    _, r = run(process(), lambda c: None)
    with pytest.raises(ValueError, match="réservé"):
        r.complete_task("tache", {"affectations_groupes": {"tache": "pole"}})
