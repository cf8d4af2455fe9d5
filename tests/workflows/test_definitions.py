"""definitions.validate: never raises, French problems with element id and line."""

from __future__ import annotations

import time
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from workflows import DefinitionError, parse_process, validate
from workflows.definitions import MAX_BYTES

from .conftest import BPMN_DIR, SHIPPED_FILES

CORPUS = Path("/work/shared/corpus/bpmn")

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">\n'
)


def minimal(script="x = 1", executable="true", extra="", timer=None, task="userTask"):
    timer_xml = ""
    if timer is not None:
        timer_xml = (
            '<bpmn:intermediateCatchEvent id="minuterie"><bpmn:incoming>f3</bpmn:incoming>'
            "<bpmn:outgoing>f4</bpmn:outgoing><bpmn:timerEventDefinition>"
            f'<bpmn:timeDate xsi:type="bpmn:tFormalExpression">{escape(timer)}</bpmn:timeDate>'
            "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>\n"
        )
    after_task = "minuterie" if timer is not None else "fin"
    return (
        HEAD
        + f'<bpmn:process id="p" isExecutable="{executable}">\n'
        + '<bpmn:startEvent id="debut"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>\n'
        + '<bpmn:scriptTask id="script_1" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>'
        + f"<bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>{escape(script)}</bpmn:script>"
        + "</bpmn:scriptTask>\n"
        + f'<bpmn:{task} id="tache"><bpmn:incoming>f2</bpmn:incoming>'
        + f"<bpmn:outgoing>f3</bpmn:outgoing></bpmn:{task}>\n"
        + timer_xml
        + '<bpmn:endEvent id="fin"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>\n'
        + '<bpmn:sequenceFlow id="f1" sourceRef="debut" targetRef="script_1" />\n'
        + '<bpmn:sequenceFlow id="f2" sourceRef="script_1" targetRef="tache" />\n'
        + f'<bpmn:sequenceFlow id="f3" sourceRef="tache" targetRef="{after_task}" />\n'
        + ('<bpmn:sequenceFlow id="f4" sourceRef="minuterie" targetRef="fin" />\n' if timer else "")
        + extra
        + "</bpmn:process>\n</bpmn:definitions>\n"
    ).encode()


def ids(problems):
    return {p.element_id for p in problems}


@pytest.mark.parametrize("key", ["stage_obligatoire", "stage_volontaire"])
def test_shipped_files_are_valid(key):
    xml = (BPMN_DIR / f"{key}.bpmn").read_bytes()
    assert validate(xml, key, decisions=SHIPPED_FILES) == []
    assert validate(xml, decisions=SHIPPED_FILES) == []
    parsed = parse_process(xml, key, SHIPPED_FILES)
    assert parsed.spec.name == key
    assert "examen_manuel_processus" in parsed.subprocess_specs


def test_shipped_files_have_full_di_and_documentation():
    from lxml import etree

    ns = {
        "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
        "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    }
    for key in ("stage_obligatoire", "stage_volontaire"):
        root = etree.parse(str(BPMN_DIR / f"{key}.bpmn")).getroot()
        shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", ns)}
        edges = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNEdge", ns)}
        flows = {f.get("id") for f in root.iterfind(".//bpmn:sequenceFlow", ns)}
        nodes = set()
        for proc in root.iterfind(".//bpmn:process", ns):
            for el in proc.iter():
                tag = etree.QName(el).localname
                if (
                    el.get("id")
                    and tag not in ("sequenceFlow", "process")
                    and el.getparent() is not None
                ):
                    parent = etree.QName(el.getparent()).localname
                    if parent in ("process", "subProcess"):
                        nodes.add(el.get("id"))
                        assert el.find("bpmn:documentation", ns) is not None, el.get("id")
                        assert el.get("name"), el.get("id")
        assert flows == edges
        assert nodes <= shapes


def test_malformed_xml_gives_line():
    problems = validate(b"<bpmn:definitions>\n<a>\n</b>")
    assert len(problems) == 1
    assert problems[0].line is not None
    assert "mal formé" in problems[0].message


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<lolz>&lol2;</lolz>",
        b'<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;'
        b"</bpmn:definitions>",
        '<?xml version="1.0" encoding="UTF-16"?>'
        '<!DOCTYPE x SYSTEM "http://example.com/x.dtd"><x/>'.encode("utf-16"),
    ],
)
def test_doctype_and_entities_rejected(payload):
    problems = validate(payload)
    assert problems
    assert "root" not in problems[0].message
    assert all("passwd" not in p.message and "root:" not in p.message for p in problems)


def test_non_bpmn_root():
    problems = validate(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')
    assert "racine" in problems[0].message and problems[0].line == 1


def test_size_limit_and_non_bytes():
    assert "volumineux" in validate(b" " * (MAX_BYTES + 1))[0].message
    assert validate("<x/>")  # str, not bytes
    assert validate(None)
    assert validate(b"")


def test_minimal_ok():
    assert validate(minimal()) == []


def test_missing_task_key():
    xml = (BPMN_DIR / "stage_obligatoire.bpmn").read_bytes()
    xml = xml.replace(b'"signalement_parquet"', b'"signalement_autre"')
    problems = validate(xml, "stage_obligatoire", decisions=SHIPPED_FILES)
    assert [p.element_id for p in problems] == ["stage_obligatoire"]
    assert "signalement_parquet" in problems[0].message and problems[0].line
    with pytest.raises(DefinitionError) as err:
        parse_process(xml, "stage_obligatoire", SHIPPED_FILES)
    assert err.value.problems == problems


def test_non_executable_process():
    problems = validate(minimal(executable="false"))
    assert problems and "exécutable" in problems[0].message
    problems = validate(minimal(executable="false"), "p")
    assert problems[0].element_id == "p" and problems[0].line


def test_unknown_process_key():
    problems = validate(minimal(), "stage_obligatoire")
    assert "absent" in problems[0].message


def test_unsupported_element():
    xml = minimal(task="complexGateway")
    problems = validate(xml)
    assert problems and problems[0].element_id == "tache"
    assert "non pris en charge" in problems[0].message
    assert problems[0].line == 6


def test_refused_service_task():
    problems = validate(minimal(task="serviceTask"))
    assert ids(problems) == {"tache"} and "service" in problems[0].message


def test_schema_error_has_line():
    xml = minimal().replace(b'<bpmn:userTask id="tache"', b'<bpmn:userTask id="tache" foo="1"')
    problems = validate(xml)
    assert problems[0].line == 6 and "schéma" in problems[0].message


def test_flow_to_missing_element():
    xml = minimal().replace(b'targetRef="fin"', b'targetRef="nulle_part"')
    problems = validate(xml)
    assert problems and problems[0].element_id


@pytest.mark.parametrize("expr", ["P4M", "2026-07-11T00:00:00+02:00", " P30D "])
def test_bare_timer_literal_rejected(expr):
    problems = validate(minimal(timer=expr))
    assert [p.element_id for p in problems] == ["minuterie"]
    assert "minuterie" in problems[0].message and problems[0].line == 7


def test_timer_expression_ok_and_bad():
    assert validate(minimal(timer='dossier["echeance_timer"]')) == []
    assert validate(minimal(timer='"2026-07-11T00:00:00+02:00"')) == []
    duration = minimal(timer='"P30D"').replace(b"timeDate", b"timeDuration")
    assert validate(duration) == []
    problems = validate(minimal(timer="dossier[")) + validate(minimal(timer="inconnu"))
    assert {p.element_id for p in problems} == {"minuterie"}


@pytest.mark.parametrize(("tag", "literal", "says"), [
    # a duration in a timeDate makes SpiffWorkflow compare a dict with a datetime when it starts
    ("timeDate", '"P30D"', "fuseau horaire"),
    ("timeDate", '"2026-07-11T00:00:00"', "fuseau horaire"),  # naive: refused by the runtime
    ("timeDate", '"demain"', "date ISO 8601"),
    ("timeDuration", '"P3X"', "durée ISO 8601"),
    ("timeDuration", '"30 jours"', "durée ISO 8601"),
])
def test_timer_literal_must_be_valid_iso(tag, literal, says):
    xml = minimal(timer=literal).replace(b"timeDate", tag.encode())
    problems = validate(xml)
    assert [p.element_id for p in problems] == ["minuterie"]
    assert says in problems[0].message and problems[0].line == 7


def test_time_cycle_rejected():
    xml = minimal(timer="x").replace(b"timeDate", b"timeCycle")
    problems = validate(xml)
    assert "cycliques" in " ".join(p.message for p in problems)


def test_condition_checked():
    extra = (
        '<bpmn:exclusiveGateway id="gw" />'
        '<bpmn:sequenceFlow id="f9" sourceRef="gw" targetRef="fin">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">__import__("os")'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )
    problems = validate(minimal(extra=extra))
    assert "f9" in ids(problems)


def test_never_raises_on_garbage():
    for blob in [
        b"\x00\xff\xfe",
        b"<",
        b"<?xml version='1.0'?>",
        b"<a xmlns='x'>" * 1000,
        b"\x89PNG",
    ]:
        assert isinstance(validate(blob), list)


@pytest.mark.corpus
def test_corpus_never_raises_and_is_fast():
    files = sorted(CORPUS.glob("*"))
    if not files:
        pytest.skip("corpus absent")
    slow = []
    for f in files:
        if not f.is_file():
            continue
        t0 = time.perf_counter()
        problems = validate(f.read_bytes())
        elapsed = time.perf_counter() - t0
        assert isinstance(problems, list), f.name
        for p in problems:
            assert isinstance(p.message, str) and p.message
            assert "Traceback" not in p.message
        if elapsed > 2.0:
            slow.append((f.name, elapsed))
    assert slow == []


@pytest.mark.parametrize("key", ["stage_obligatoire", "stage_volontaire"])
def test_shipped_diagram_shapes_and_labels_do_not_overlap(key):
    from lxml import etree

    ns = {
        "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
        "dc": "http://www.omg.org/spec/DD/20100524/DC",
    }
    containers = ("participant_", "parcours_stage", "invalidation_48si_recue")
    boxes = []
    for shape in etree.parse(str(BPMN_DIR / f"{key}.bpmn")).iterfind(".//bpmndi:BPMNShape", ns):
        element = shape.get("bpmnElement")
        if element.startswith(containers):
            continue
        for bounds in shape.iterfind(".//dc:Bounds", ns):
            x, y, w, h = (float(bounds.get(a)) for a in ("x", "y", "width", "height"))
            boxes.append((element, x, y, w, h))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[0] == b[0]:
                continue
            overlap = a[1] < b[1] + b[3] and b[1] < a[1] + a[3] and a[2] < b[2] + b[4]
            assert not (overlap and b[2] < a[2] + a[4]), (a[0], b[0])


def test_a_juel_condition_is_named_as_such_with_the_python_way():
    """A QA finding: Camunda's ${approved} got « erreur de syntaxe Python : syntaxe invalide
    (colonne 1) », without the expression nor a hint."""
    extra = (
        '<bpmn:exclusiveGateway id="gw" />'
        '<bpmn:sequenceFlow id="f9" sourceRef="gw" targetRef="fin">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${approved}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )
    [problem] = [p for p in validate(minimal(extra=extra)) if p.element_id == "f9"]
    assert problem.message == ("condition refusée : « ${approved} » est une expression JUEL "
                               "(Camunda, Flowable) ; ici les expressions s'écrivent en Python, "
                               'par exemple decision == "valider"')


# --- the engine's refusals name the element and say what to fix (QA finding) ------------------

def test_a_call_activity_naming_a_missing_process_is_named_with_what_to_fix():
    """Was « processus appelé introuvable » on the document, naming no call activity."""
    xml = minimal(task="callActivity").replace(
        b'<bpmn:callActivity id="tache">',
        b'<bpmn:callActivity id="tache" name="Instruire le dossier" calledElement="instruction">')
    (problem,) = validate(xml)
    assert problem.element_id == "tache" and problem.line == 6
    assert problem.message == (
        "activité d'appel « Instruire le dossier » (tache) : processus appelé « instruction » "
        "absent du fichier (processus présents : « p ») ; corrigez calledElement ou ajoutez ce "
        "processus au fichier")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus absent (../shared/corpus/bpmn)")
@pytest.mark.parametrize(("name", "key", "element_id", "starts"), [
    ("spm__loop.bpmn", "Process_8gl97o8", "Activity_0pv92j7",
     "activité d'appel « Activity_0pv92j7 » : processus appelé « empty_workflow_with_user_task » "
     "absent du fichier"),
    ("camunda-ex__job-announcement.bpmn", "camunda-testing-job-announcement", "publication",
     "activité d'appel « Execute announcement » (publication) : processus appelé "
     "« camunda-testing-job-announcement-publication » absent du fichier"),
    ("camunda-ex__loan-granting.bpmn", "loan_process", "SubProcess_16kr5xn",
     "sous-processus « Decide if a loan is granted » (SubProcess_16kr5xn) : multi-instance sans "
     "cardinalité (loopCardinality) ni collection d'entrée (loopDataInputRef) : indiquez"),
    ("miwg-ref__C.9.2.bpmn", None, "CallActivity_RequestDocument",
     "activité d'appel « Document Request » (CallActivity_RequestDocument) : multi-instance"),
])
def test_corpus_files_refused_by_the_engine_name_the_element(name, key, element_id, starts):
    """The corpus files that gave « élément refusé par le moteur BPMN (bpmn:subProcess) » or
    « processus appelé introuvable »: each now names its element and what to fix."""
    xml = (CORPUS / name).read_bytes()
    if key is None:
        from tests.integration.test_bpmn_uploads import first_process_id
        key = first_process_id(xml)
    found = [p for p in validate(xml, key) if p.element_id == element_id]
    assert any(p.message.startswith(starts) for p in found), found
