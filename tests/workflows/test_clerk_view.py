"""workflows.clerk_view: what a designer sets on elements for the clerks (docs/process-bundle.md)
is read once per version, and what cannot work is a problem on the element."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows import clerk_view, validate
from workflows.definitions import document_root

ROOT = Path(__file__).resolve().parents[2]

HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
        b'<bpmn:process id="p" isExecutable="true">'
        b'<bpmn:startEvent id="debut"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
        b'<bpmn:sequenceFlow id="f1" sourceRef="debut" targetRef="t1" />')
TAIL = (b'<bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="fin" />'
        b'<bpmn:endEvent id="fin"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
        b'</bpmn:process></bpmn:definitions>')


def _props(**values) -> bytes:
    inner = b"".join(b'<camunda:property name="%s" value="%s" />' % (k.encode(), v.encode())
                     for k, v in values.items())
    return (b"<bpmn:extensionElements><camunda:properties>" + inner
            + b"</camunda:properties></bpmn:extensionElements>")


def _task(attrs: bytes = b"", ext: bytes = b"") -> bytes:
    return (HEAD + b'<bpmn:userTask id="t1" name="Appeler"' + attrs + b">" + ext
            + b"<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
            b"</bpmn:userTask>" + TAIL)


def _read(xml: bytes):
    return clerk_view.read(document_root(xml))


def test_a_status_label_and_code_are_read_from_the_elements_properties():
    marks, problems = _read(_task(ext=_props(statut="À appeler", code_statut="a_appeler")))
    assert problems == []
    assert marks.statuses["t1"] == clerk_view.Status("a_appeler", "À appeler")
    assert marks.names["t1"] == "Appeler" and "t1" in marks.waiting


def test_a_status_code_defaults_to_the_element_id():
    marks, _ = _read(_task(ext=_props(statut="À appeler")))
    assert marks.statuses["t1"].code == "t1"


@pytest.mark.parametrize("props, message", [
    ({"statut": ""}, "le libellé (propriété « statut ») est vide"),
    ({"statut": "x" * 121}, "libellé trop long"),
    ({"statut": "À appeler", "code_statut": "À-appeler"}, "code « À-appeler » refusé"),
])
def test_a_bad_status_is_a_problem_on_the_element(props, message):
    problems = validate(_task(ext=_props(**props)), "p")
    assert [p.element_id for p in problems] == ["t1"]
    assert message in problems[0].message


def test_a_status_on_an_element_where_nothing_waits_is_refused():
    xml = HEAD.replace(b'<bpmn:startEvent id="debut">',
                       b'<bpmn:startEvent id="debut">' + _props(statut="Ouvert")) + (
        b'<bpmn:userTask id="t1"><bpmn:incoming>f1</bpmn:incoming>'
        b'<bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>' + TAIL)
    problems = validate(xml, "p")
    assert [p.element_id for p in problems] == ["debut"]
    assert "seul un élément où le dossier attend" in problems[0].message


def test_what_clerks_read_of_an_element_fits_where_it_is_kept():
    """A user task's id is its tasks' key (80 characters), the name of where a case waits its
    status label and its task's title (120): longer, a page could not store them."""
    marks, problems = _read(_task().replace(b'name="Appeler"', b'name="' + b"N" * 120 + b'"'))
    assert problems == []
    _, problems = _read(_task().replace(b'name="Appeler"', b'name="' + b"N" * 121 + b'"'))
    assert [(p.element_id, p.message) for p in problems] == [
        ("t1", "nom trop long : 121 caractères (maximum 120) ; les agents le lisent comme statut "
               "du dossier et titre de sa tâche")]
    long_id = "t" * 81
    _, problems = _read(_task().replace(b'"t1"', f'"{long_id}"'.encode()))
    assert [(p.element_id, p.message) for p in problems] == [
        (long_id, "identifiant de tâche utilisateur trop long : 81 caractères (maximum 80) ; il "
                  "nomme ses tâches dans la liste des tâches")]


@pytest.mark.parametrize("due, days", [("P15D", 15), ("P2W", 14), (" P1D ", 1)])
def test_a_due_duration_in_days_or_weeks(due, days):
    marks, problems = _read(_task(b' camunda:dueDate="%s"' % due.encode()))
    assert problems == [] and clerk_view.due_days(marks.due["t1"]) == days


@pytest.mark.parametrize("due", ["P1M", "P0D", "P9999D", "demain", "PT3H", ""])
def test_a_due_date_the_application_cannot_compute_is_refused(due):
    problems = validate(_task(b' camunda:dueDate="%s"' % due.encode()), "p")
    assert [p.element_id for p in problems] == ["t1"]
    assert "échéance" in problems[0].message


def test_a_due_date_named_by_the_rules_is_accepted():
    for name in clerk_view.DUE_NAMES:
        assert validate(_task(b' camunda:dueDate="%s"' % name.encode()), "p") == []


def test_only_non_interrupting_timers_on_user_tasks_are_reminders():
    boundary = (b'<bpmn:boundaryEvent id="%s" attachedToRef="t1" cancelActivity="%s">'
                b'<bpmn:timerEventDefinition><bpmn:timeDuration>"P3D"</bpmn:timeDuration>'
                b'</bpmn:timerEventDefinition></bpmn:boundaryEvent>')
    xml = _task().replace(TAIL, boundary % (b"rappel", b"false")
                          + boundary % (b"delai", b"true") + TAIL)
    marks, _ = _read(xml)
    assert dict(marks.reminders) == {"rappel": "t1"}


def test_the_shipped_diagrams_label_their_waiting_points_and_the_crediting_tasks_due_dates():
    for name in ("stage_obligatoire", "stage_volontaire"):
        marks, problems = _read((ROOT / "bpmn" / f"{name}.bpmn").read_bytes())
        assert problems == []
        assert marks.statuses["attente_inscription"].code == "en_attente_inscription"
        assert marks.due["verification_attestation"] == clerk_view.DUE_CREDIT
        assert marks.due["examen_manuel"] == clerk_view.DUE_CREDIT
