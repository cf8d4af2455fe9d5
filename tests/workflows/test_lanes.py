"""Lanes are clerk groups (issue 14): each user task's group is read from its lane's `groupe`
extension property at parse time, cached with the parsed spec, and carried by its open task."""

from __future__ import annotations

import datetime as dt
import hashlib

from workflows import ProcessEngine, ScriptContext, parse_process, validate
from workflows.definitions import lanes_naming_groups

from .conftest import BPMN_DIR, SHIPPED_FILES

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="t">\n'
)


def group(code: str) -> str:
    return ('<bpmn:extensionElements><camunda:properties>'
            f'<camunda:property name="groupe" value="{code}"/>'
            '</camunda:properties></bpmn:extensionElements>')


def lane(lane_id: str, name: str, refs: list[str], code: str | None = None,
         children: str = "") -> str:
    return (f'<bpmn:lane id="{lane_id}" name="{name}">' + (group(code) if code else "")
            + "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs)
            + (f'<bpmn:childLaneSet id="{lane_id}_enfants">{children}</bpmn:childLaneSet>'
               if children else "")
            + "</bpmn:lane>")


def process(lanes: str) -> bytes:
    """Four user tasks in a row: a, b, c, d; `lanes` is the laneSet's content."""
    tasks = ["a", "b", "c", "d"]
    flows, nodes = [], ['<bpmn:startEvent id="debut"><bpmn:outgoing>f0</bpmn:outgoing>'
                        '</bpmn:startEvent>']
    for i, t in enumerate(tasks):
        nodes.append(f'<bpmn:userTask id="{t}" name="Tâche {t}"><bpmn:incoming>f{i}'
                     f'</bpmn:incoming><bpmn:outgoing>f{i + 1}</bpmn:outgoing></bpmn:userTask>')
    nodes.append(f'<bpmn:endEvent id="fin"><bpmn:incoming>f{len(tasks)}</bpmn:incoming>'
                 '</bpmn:endEvent>')
    chain = ["debut", *tasks, "fin"]
    for i in range(len(chain) - 1):
        flows.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{chain[i]}" '
                     f'targetRef="{chain[i + 1]}"/>')
    lane_set = f'<bpmn:laneSet id="couloirs">{lanes}</bpmn:laneSet>' if lanes else ""
    return (HEAD + '<bpmn:process id="p" isExecutable="true">' + lane_set + "".join(nodes)
            + "".join(flows) + "</bpmn:process></bpmn:definitions>").encode()


NESTED = (
    lane("accueil", "Accueil", ["a", "b", "c"], "accueil",
         lane("rappels", "Rappels", ["b"], "rappels")   # innermost lane with a group: b
         + lane("sans_groupe", "Sans groupe", ["c"]))   # no group of its own: Accueil's
    + lane("libre", "Libre", ["d"]))                    # a lane naming no group


def test_nested_lanes_the_innermost_lane_naming_a_group_wins():
    assert validate(process(NESTED), "p") == []
    groups = dict(parse_process(process(NESTED), "p").task_groups)
    assert groups == {"a": "accueil", "b": "rappels", "c": "accueil", "d": None}


def test_a_task_outside_any_lane_and_a_process_without_lanes_have_no_group():
    partial = lane("accueil", "Accueil", ["a"], "accueil")
    assert dict(parse_process(process(partial), "p").task_groups) == {
        "a": "accueil", "b": None, "c": None, "d": None}
    assert set(parse_process(process(""), "p").task_groups.values()) == {None}


def _with_sub_process(lanes: str) -> bytes:
    """User task a, then embedded sub-process s holding user tasks x (with a lane of its own
    naming `interne`, when given) and y."""
    sub = ('<bpmn:subProcess id="s" name="Sous"><bpmn:incoming>f1</bpmn:incoming>'
           '<bpmn:outgoing>f2</bpmn:outgoing>'
           + '<bpmn:laneSet id="ls_s">' + lane("l_interne", "Interne", ["y"], "interne")
           + '</bpmn:laneSet>'
           '<bpmn:startEvent id="sd"><bpmn:outgoing>s0</bpmn:outgoing></bpmn:startEvent>'
           '<bpmn:userTask id="x" name="X"><bpmn:incoming>s0</bpmn:incoming>'
           '<bpmn:outgoing>s1</bpmn:outgoing></bpmn:userTask>'
           '<bpmn:userTask id="y" name="Y"><bpmn:incoming>s1</bpmn:incoming>'
           '<bpmn:outgoing>s2</bpmn:outgoing></bpmn:userTask>'
           '<bpmn:endEvent id="sf"><bpmn:incoming>s2</bpmn:incoming></bpmn:endEvent>'
           '<bpmn:sequenceFlow id="s0" sourceRef="sd" targetRef="x"/>'
           '<bpmn:sequenceFlow id="s1" sourceRef="x" targetRef="y"/>'
           '<bpmn:sequenceFlow id="s2" sourceRef="y" targetRef="sf"/></bpmn:subProcess>')
    body = ('<bpmn:startEvent id="debut"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>'
            '<bpmn:userTask id="a" name="A"><bpmn:incoming>f0</bpmn:incoming>'
            '<bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>' + sub
            + '<bpmn:endEvent id="fin"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:sequenceFlow id="f0" sourceRef="debut" targetRef="a"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="a" targetRef="s"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="s" targetRef="fin"/>')
    return (HEAD + '<bpmn:process id="p" isExecutable="true">'
            + f'<bpmn:laneSet id="couloirs">{lanes}</bpmn:laneSet>' + body
            + "</bpmn:process></bpmn:definitions>").encode()


def test_a_process_lane_naming_a_task_inside_a_sub_process_gives_it_its_group():
    """A QA finding: a lane of the process listing `x`, inside the embedded sub-process, was
    ignored, leaving the task open to every agent. The lane applies; the sub-process's own lane
    still wins for the task it lists (y)."""
    xml = _with_sub_process(lane("controle", "Contrôle", ["x", "y"], "controle")
                            + lane("accueil", "Accueil", ["a", "s"], "accueil"))
    assert validate(xml, "p") == []
    assert dict(parse_process(xml, "p").task_groups) == {
        "a": "accueil", "x": "controle", "y": "interne"}
    # without it, x takes the group of the sub-process's lane, as before
    xml = _with_sub_process(lane("accueil", "Accueil", ["a", "s"], "accueil"))
    assert dict(parse_process(xml, "p").task_groups) == {
        "a": "accueil", "x": "accueil", "y": "interne"}


def test_a_lane_listing_an_element_the_diagram_does_not_have_is_a_problem():
    typo = lane("accueil", "Accueil", ["a", "verification_atestation"], "accueil")
    problems = validate(process(typo), "p")
    assert [(p.element_id, p.message) for p in problems] == [(
        "accueil", "le couloir « Accueil » désigne l'élément « verification_atestation », "
        "absent du diagramme")]


def test_the_shipped_processes_parse_with_their_task_groups():
    for path in BPMN_DIR.glob("*.bpmn"):
        parsed = parse_process(path.read_bytes(), path.stem, SHIPPED_FILES)
        assert all(v is None or isinstance(v, str) for v in parsed.task_groups.values())


def test_a_group_value_that_is_not_a_code_is_a_problem_on_the_lane():
    bad = lane("accueil", "Accueil", ["a"], "Accueil Téléphonique")
    problems = validate(process(bad), "p")
    assert [(p.element_id, p.message) for p in problems] == [(
        "accueil", "le couloir « Accueil » nomme le groupe « Accueil Téléphonique », qui "
        "n'est pas un code de groupe (40 caractères au plus : lettres minuscules sans accent, "
        "chiffres, « _ » ou « - », en commençant par une lettre)")]
    assert problems[0].line == 3
    assert lanes_naming_groups(process(bad)) == []


def test_the_lanes_naming_groups_are_listed_for_the_services_check():
    named = lanes_naming_groups(process(NESTED))
    assert [(la.id, la.name, la.group) for la in named] == [
        ("accueil", "Accueil", "accueil"), ("rappels", "Rappels", "rappels")]
    assert lanes_naming_groups(b"<pas du xml") == []


def test_an_open_task_carries_its_group_from_the_cached_parse():
    now = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    engine = ProcessEngine(lambda: now)
    xml = process(NESTED)
    context = ScriptContext(facts={}, actions={})
    run = engine.start(1, xml, "p", context)
    assert [(t.key, t.group) for t in run.open_tasks()] == [("a", "accueil")]
    run.complete_task("a", {})
    assert [(t.key, t.group) for t in run.open_tasks()] == [("b", "rappels")]
    # restored from its state: the parse cached per version is found by its checksum, the
    # source is not read again, the groups come with it
    again = engine.resume(1, lambda: b"never read", "p", run.state_json(), context,
                          checksum=hashlib.sha256(xml).hexdigest())
    assert [(t.key, t.group) for t in again.open_tasks()] == [("b", "rappels")]
