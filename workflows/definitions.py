"""Parse and validate BPMN process definitions given as bytes (designer uploads, shipped files).

``validate(xml, process_key=None)`` never raises: every problem becomes a
``DefinitionProblem(element_id, line, message)`` with a French message.
``parse_process(xml, process_key)`` returns a ``ParsedProcess`` or raises ``DefinitionError``.
"""

from __future__ import annotations

import ast
import contextvars
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.util import BPMN_MODEL_NS
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from . import clerk_view, extensions, problems_fr, service_tasks
from . import decisions as decisions_mod
from . import lanes as lanes_mod
from .clerk_view import Annotations
from .contract import REQUIRED_TASK_KEYS
from .script_env import ALLOWED_GLOBAL_NAMES, ANY_DATA_NAME, check_source, timer_value_problem

MAX_BYTES = 5 * 1024 * 1024
# Elements of the BPMN model (diagram layout not counted) a definition may hold: SpiffWorkflow's
# parser is quadratic in them (100 000 tasks took 23 s); the shipped processes hold under 300.
MAX_ELEMENTS = 5000
MAX_ID_CHARS = 200  # an element's id (incidents.element_id is 200 characters)
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
BPMN_NS = BPMN_MODEL_NS
_B = f"{{{BPMN_MODEL_NS}}}"
_ISO_DURATION = re.compile(
    r"^\s*R?\d*/?P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?\s*$", re.I
)

# Elements the engine could parse but that the application refuses (no code path for them).
_REFUSED_TAGS = {
    _B + "sendTask": "les tâches d'envoi ne sont pas prises en charge",
    _B + "timeCycle": "les minuteries cycliques (timeCycle) ne sont pas prises en charge",
    _B + "conditionalEventDefinition": "les événements conditionnels ne sont pas pris en charge",
}


@dataclass(frozen=True)
class DefinitionProblem:
    element_id: str | None
    line: int | None
    message: str


class DefinitionError(Exception):
    """The definition is not valid; ``problems`` lists why (French)."""

    def __init__(self, problems: list[DefinitionProblem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems) or "définition invalide")


@dataclass(frozen=True)
class ParsedProcess:
    process_key: str
    spec: BpmnProcessSpec
    subprocess_specs: Mapping[str, BpmnProcessSpec] = field(default_factory=dict)
    annotations: Annotations = field(default_factory=Annotations)  # statuses, due dates, reminders
    # user task id -> the code of the clerks' group its lane offers it to (None: every agent)
    task_groups: Mapping[str, str | None] = field(default_factory=dict)


def hardened_parser() -> etree.XMLParser:
    # No DTD, no entity substitution, no network; XInclude is only ever processed on an explicit
    # .xinclude() call (never made) and XML Schema validation never follows xsi:schemaLocation.
    # Comments and processing instructions are dropped so that the text SpiffWorkflow reads
    # (`.text`) is exactly the text checked here.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        remove_comments=True,
    )


def _line_of(root, element_id: str | None) -> int | None:
    if not element_id or root is None:
        return None
    try:
        found = root.xpath("//*[@id=$i]", i=element_id)
    except Exception:  # noqa: BLE001 - never raise from validation
        return None
    return found[0].sourceline if found else None


# The elements whose children are diagram elements in their own right (problems and diffs
# are told of those children, not of the container).
CONTAINER_TAGS = frozenset(_B + t for t in ("definitions", "process", "subProcess",
                                            "transaction", "adHocSubProcess", "collaboration",
                                            "laneSet", "lane", "childLaneSet"))


def _owner(el):
    """The diagram element `el` belongs to: the nearest ancestor-or-self with an id that sits
    in a process or sub-process (not an event definition's own id), else the nearest element
    with an id at all (None without any)."""
    nearest = None
    while el is not None:
        if isinstance(el.tag, str) and el.get("id"):
            nearest = nearest if nearest is not None else el
            parent = el.getparent()
            if parent is None or parent.tag in CONTAINER_TAGS:
                return el
        el = el.getparent()
    return nearest


def _element_id(el) -> str | None:
    """The id of the diagram element `el` belongs to (`_owner`)."""
    owner = _owner(el)
    return owner.get("id") if owner is not None else None


def _parse_document(xml: object) -> tuple[object, list[DefinitionProblem]]:
    """(root, []) for safe, well-formed XML whose root is bpmn:definitions; (None, problems)
    otherwise. Nothing here reads a file, a DTD or the network."""
    if not isinstance(xml, (bytes, bytearray)):
        return None, [DefinitionProblem(None, None, "la définition doit être fournie en octets")]
    if len(xml) > MAX_BYTES:
        return None, [DefinitionProblem(None, None, "fichier trop volumineux (maximum 5 Mio)")]
    if not xml.strip():
        return None, [DefinitionProblem(None, None, "fichier vide")]
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        return None, [DefinitionProblem(
            None, None, "déclaration DOCTYPE ou ENTITY interdite dans un fichier BPMN")]
    try:
        root = etree.fromstring(bytes(xml), hardened_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        return None, [DefinitionProblem(None, line, f"XML mal formé : {_xml_syntax_fr(exc)}")]
    except Exception as exc:  # noqa: BLE001
        return None, [DefinitionProblem(None, None, f"XML illisible : {type(exc).__name__}")]
    if root is None:
        return None, [DefinitionProblem(None, None, "document XML vide")]
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        return None, [DefinitionProblem(
            None, 1, "déclaration DOCTYPE interdite dans un fichier BPMN")]
    if root.tag != _B + "definitions":
        return None, [DefinitionProblem(
            None, root.sourceline,
            "l'élément racine doit être bpmn:definitions (espace de noms BPMN 2.0 MODEL)")]
    count = _model_element_count(root)
    if count > MAX_ELEMENTS:
        return None, [DefinitionProblem(
            None, None,
            f"définition trop grande : {count} éléments BPMN (la limite est de "
            f"{MAX_ELEMENTS} éléments, disposition du diagramme non comptée)")]
    return root, []


def _model_element_count(root) -> int:
    """Elements of the BPMN model namespace, counted by lxml's C iterator (a 100 000-task
    document is counted in milliseconds)."""
    return sum(1 for _ in root.iter(_B + "*"))


_XML_ERRORS_FR = (
    ("Opening and ending tag mismatch",
     "balise fermante qui ne correspond pas à la balise ouverte"),
    ("Premature end of data", "fin de fichier prématurée (balise non fermée)"),
    ("EndTag: '</' not found", "balise non fermée"),
    ("Extra content at the end of the document", "contenu après la fin du document"),
    ("Start tag expected", "balise ouvrante attendue (ce n'est pas du XML)"),
    ("Document is empty", "document vide"),
    ("Entity", "entité non déclarée ou interdite"),
    ("Namespace prefix", "préfixe d'espace de noms non déclaré"),
    ("AttValue", "valeur d'attribut mal formée"),
    ("attributes construct error", "attribut mal formé"),
    ("Attribute", "attribut en double ou mal formé"),
    ("Couldn't find end of Start Tag", "balise ouvrante mal formée"),
    ("Char 0x", "caractère interdit en XML"),
    ("PCDATA invalid Char", "caractère interdit en XML"),
    ("invalid character", "caractère invalide"),
    ("Input is not proper UTF-8", "encodage invalide (UTF-8 attendu)"),
    ("Unsupported encoding", "encodage non pris en charge"),
    ("Document labelled UTF-16 but has UTF-8 content", "encodage déclaré incohérent"),
    ("XML declaration allowed only at the start", "déclaration XML ailleurs qu'au début"),
    ("Comment not terminated", "commentaire non terminé"),
    ("CData section not finished", "section CDATA non terminée"),
    ("xmlParseStartTag: invalid element name", "nom d'élément invalide"),
    ("StartTag: invalid element name", "nom d'élément invalide"),
    ("Specification mandates value for attribute", "attribut sans valeur"),
    ("huge", "document trop profond ou trop grand"),
    ("Excessive depth", "document trop profond"),
)


def _xml_syntax_fr(exc: etree.XMLSyntaxError) -> str:
    msg = str(exc.msg or exc)
    for needle, french in _XML_ERRORS_FR:
        if needle in msg:
            return french
    return "syntaxe XML invalide"


def check_document(xml: object) -> list[DefinitionProblem]:
    """Problems that make the bytes unfit to store at all (unsafe or not BPMN XML); empty when
    they are safe, well-formed BPMN XML (which may still have BPMN problems). Never raises."""
    try:
        return _parse_document(xml)[1]
    except Exception as exc:  # noqa: BLE001 - last resort
        return [DefinitionProblem(None, None, f"définition illisible : {type(exc).__name__}")]


def document_root(xml: object):
    """The parsed root of safe, well-formed BPMN XML; DefinitionError (French) otherwise."""
    root, problems = _parse_document(xml)
    if problems:
        raise DefinitionError(problems)
    return root


MAX_SCHEMA_PROBLEMS = 50


def _schema_problems(root) -> list[DefinitionProblem]:
    """Every XML Schema (BPMN 2.0) error, in French, with the element id found at its line."""
    VALIDATOR.preprocess(root)  # what SpiffWorkflow does before validating (bpmn-js quirk)
    schema = VALIDATOR.validator
    if schema.validate(root):
        return []
    by_line: dict[int, list] = {}
    for el in root.iter():
        if isinstance(el.tag, str) and el.sourceline:
            by_line.setdefault(el.sourceline, []).append(el)
    problems = []
    for error in list(schema.error_log)[:MAX_SCHEMA_PROBLEMS]:
        message = problems_fr.schema_message(error.message)
        candidates = by_line.get(error.line, [])
        named = re.match(r"^Element '([^']+)'", error.message or "")
        chosen = next((e for e in candidates if named and e.tag == named.group(1)),
                      candidates[0] if candidates else None)
        problems.append(DefinitionProblem(_element_id(chosen), error.line or None, message))
    return problems


_MISSING_PROCESS = re.compile(r"The process '(.*?)' was not found")


def _validation_problems(exc: ValidationException, root, decisions: Mapping | None = None
                         ) -> list[DefinitionProblem]:
    """SpiffWorkflow's refusal in French, on the element it is about, named (kind, name, id):
    a called process it cannot find is told on each call activity naming it, a decision
    table's element on the business-rule tasks using the table, with its rule and column."""
    text = str(exc)
    missing = _MISSING_PROCESS.search(" ".join(text.split()))
    if missing:
        return _called_process_problems(root, missing.group(1))
    element_id = getattr(exc, "id", "") or None
    tag = getattr(exc, "tag", "") or None
    file_name = getattr(exc, "file_name", "") or ""
    if file_name.endswith(decisions_mod.DMN_SUFFIX):
        return _decision_engine_problems(exc, root, decisions, file_name)
    line = getattr(exc, "line_number", None)
    if not isinstance(line, int) or line <= 0:
        line = _line_of(root, element_id)
    found = root.xpath("//*[@id=$i]", i=element_id) if element_id and root is not None else []
    label = None
    if found:
        label = problems_fr.element_label(found[0].tag, element_id, found[0].get("name"))
    elif element_id:
        label = problems_fr.element_label(tag, element_id, getattr(exc, "name", "") or None)
    return [DefinitionProblem(element_id, line, problems_fr.engine_message(text, tag, label))]


def _called_process_problems(root, name: str) -> list[DefinitionProblem]:
    """A process a call activity names (calledElement) that the file does not have: told on
    each call activity naming it, with the processes it does have."""
    present = sorted(p.get("id") for p in root.iter(_B + "process") if p.get("id"))
    shown = ", ".join(f"« {p} »" for p in present[:10]) or "aucun"
    fix = (f"processus appelé « {name[:80]} » absent du fichier (processus présents : {shown}) "
           "; corrigez calledElement ou ajoutez ce processus au fichier")
    callers = [el for el in root.iter(_B + "callActivity") if el.get("calledElement") == name]
    if not callers:
        return [DefinitionProblem(None, None, fix)]
    return [DefinitionProblem(el.get("id"), el.sourceline, problems_fr.element_label(
        el.tag, el.get("id"), el.get("name")) + " : " + fix) for el in callers]


def _decision_engine_problems(exc, root, decisions: Mapping | None, path: str
                              ) -> list[DefinitionProblem]:
    """The engine's refusal of an element of decisions/<id>.dmn: on each business-rule task
    using that table (else the document), naming the table, the rule and the column."""
    text = (decisions or {}).get(path)
    place = decisions_mod.element_place(text, getattr(exc, "id", "") or None)
    message = problems_fr.engine_message(str(exc), None, place)
    decision_id = path.rsplit("/", 1)[-1].removesuffix(decisions_mod.DMN_SUFFIX)
    tasks = [t for t, ref in decisions_mod.rule_task_refs(root).items() if ref == decision_id]
    if not tasks:
        return [DefinitionProblem(None, None, message)]
    return [DefinitionProblem(t, _line_of(root, t), message) for t in tasks]


_SPIFF = f"{{{SPIFF_NS}}}"
_EXEC_TAGS = {_B + "script", _SPIFF + "preScript", _SPIFF + "postScript"}
_EVAL_TAGS = {
    _B + "conditionExpression": "condition refusée",
    _B + "completionCondition": "condition refusée",
    _B + "loopCardinality": "cardinalité refusée",
    _B + "loopCondition": "condition refusée",
    _SPIFF + "messagePayload": "contenu de message refusé",
    _SPIFF + "payloadExpression": "contenu d'événement refusé",
}
_VARIABLE_TAGS = {_SPIFF + "messageVariable", _SPIFF + "variableName"}
_JUEL = re.compile(r"^\s*[$#]\{")
_TIMER_TAGS = {_B + "timeDate", _B + "timeDuration"}


def _check_timer_literal(el, element_id, problems) -> None:
    """A timer given as a quoted literal must be a valid ISO 8601 instant (timeDate, with its
    offset) or duration (timeDuration), within the bounds of script_env.timer_value_problem;
    anything else would fail when the timer starts."""
    try:
        tree = ast.parse((el.text or "").strip(), mode="eval")
    except SyntaxError:
        return  # already reported by check_source
    if not (isinstance(tree.body, ast.Constant) and isinstance(tree.body.value, str)):
        return
    problem = timer_value_problem(tree.body.value, duration=el.tag == _B + "timeDuration")
    if problem:
        problems.append(DefinitionProblem(element_id, el.sourceline, f"minuterie : {problem}"))


# The task data names (form keys of the bundle) the code being checked may read: set by _analyse
# for the time of one check.
_DATA_NAMES: contextvars.ContextVar = contextvars.ContextVar("data_names", default=frozenset())


def _check_code(root) -> list[DefinitionProblem]:
    """Every script, condition, timer and payload expression SpiffWorkflow may evaluate must pass
    the restricted environment's static check (script_env.check_source)."""
    problems: list[DefinitionProblem] = []

    def check(el, mode: str, what: str) -> bool:
        src = el.text or ""
        element_id = _element_id(el.getparent())
        found = check_source(src, mode, _DATA_NAMES.get())
        if found and mode == "eval" and _JUEL.match(src):
            # Camunda's and Flowable's ${…}: say what it is rather than a Python syntax error
            found = [(None, f"« {' '.join(src.split())[:80]} » est une expression JUEL "
                            "(Camunda, Flowable) ; ici les expressions s'écrivent en Python, "
                            "par exemple decision == \"valider\"")]
        for line_in, msg in found:
            line = el.sourceline + (line_in - 1 if line_in else 0) if el.sourceline else None
            problems.append(DefinitionProblem(element_id, line, f"{what} : {msg}"))
        return not found

    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        own_id = el.get("id")
        if own_id is not None and len(own_id) > MAX_ID_CHARS:
            problems.append(DefinitionProblem(
                own_id[:MAX_ID_CHARS], el.sourceline,
                f"identifiant trop long : {len(own_id)} caractères (maximum {MAX_ID_CHARS})"))
        if tag in _EXEC_TAGS:
            check(el, "exec", "script refusé")
        elif tag in _EVAL_TAGS:
            if (el.text or "").strip():
                check(el, "eval", _EVAL_TAGS[tag])
            elif tag == _B + "conditionExpression":
                problems.append(
                    DefinitionProblem(_element_id(el.getparent()), el.sourceline, "condition vide")
                )
        elif tag == _B + "correlationPropertyRetrievalExpression":
            # SpiffWorkflow evaluates the text of the first child, whatever its tag
            children = [c for c in el if isinstance(c.tag, str)]
            if children and (children[0].text or "").strip():
                check(children[0], "eval", "expression de corrélation refusée")
        elif tag == _SPIFF + "processVariableCorrelation":
            for expr in el.iterfind(_SPIFF + "expression"):
                check(expr, "eval", "expression de corrélation refusée")
        elif tag in _VARIABLE_TAGS:
            name = (el.text or "").strip()
            if name and (not name.isidentifier() or name.startswith("_")
                         or name in ALLOWED_GLOBAL_NAMES):
                problems.append(DefinitionProblem(
                    _element_id(el.getparent()), el.sourceline,
                    f"nom de variable refusé : « {name[:80]} » (identifiant Python ne commençant "
                    "pas par « _ », hors noms réservés)"))
        elif tag in _TIMER_TAGS:
            element_id = _element_id(el.getparent())
            src = el.text or ""
            if _ISO_DURATION.match(src) or re.match(r"^\s*\d{4}-\d{2}-\d{2}", src):
                problems.append(
                    DefinitionProblem(
                        element_id,
                        el.sourceline,
                        f"minuterie : « {src.strip()[:80]} » n'est pas une expression Python ; "
                        "une échéance légale doit être une date absolue calculée par les règles "
                        '(timeDate = dossier["echeance_timer"]), une durée littérale doit être '
                        'entre guillemets ("P30D")',
                    )
                )
            elif check(el, "eval", "minuterie refusée"):
                _check_timer_literal(el, element_id, problems)
        elif tag in _REFUSED_TAGS:
            problems.append(DefinitionProblem(_element_id(el), el.sourceline, _REFUSED_TAGS[tag]))
    return problems


def _user_task_ids(parsed: ParsedProcess) -> set[str]:
    ids: set[str] = set()
    for spec in [parsed.spec, *parsed.subprocess_specs.values()]:
        if spec is None:
            continue
        for ts in spec.task_specs.values():
            if getattr(ts, "manual", False):
                ids.add(ts.name)
    return ids


def _decision_ref_problems(root, parser) -> list[DefinitionProblem]:
    """A business-rule task must name a decision of its bundle (camunda:decisionRef)."""
    out = []
    for task_id, ref in decisions_mod.rule_task_refs(root).items():
        if ref is None:
            out.append(DefinitionProblem(
                task_id, _line_of(root, task_id),
                "la tâche de règle métier doit nommer sa table de décision "
                "(camunda:decisionRef=\"<identifiant de la décision>\")"))
        elif ref not in parser.dmn_parsers:
            out.append(DefinitionProblem(
                task_id, _line_of(root, task_id),
                f"table de décision introuvable : « {ref[:80]} » (camunda:decisionRef) ; "
                f"joignez le fichier {decisions_mod.decision_path(ref[:80])}"))
    return out


class ProcessParser(decisions_mod.DecisionParser):
    """SpiffWorkflow's parser with the project's business-rule tasks (the bundle's decision
    tables, workflows/decisions.py) and service tasks (the catalogue's actions,
    workflows/service_tasks.py)."""

    OVERRIDE_PARSER_CLASSES = {
        **decisions_mod.DecisionParser.OVERRIDE_PARSER_CLASSES,
        _B + "serviceTask": service_tasks.ActionBpmnParser.OVERRIDE_PARSER_CLASSES[
            _B + "serviceTask"],
    }


def _analyse(xml: object, process_key: str | None, data_names: frozenset[str] = frozenset(),
             decisions: Mapping | None = None, engine_extensions: bool = False
             ) -> tuple[list[DefinitionProblem], dict]:
    """Returns (problems, {process_id: ParsedProcess}) and never raises. `engine_extensions`:
    the other engines' extensions the engine would ignore are problems too (a deployment's
    check, not a deployed version's parse: workflows/extensions.py)."""
    root, problems = _parse_document(xml)
    if problems:
        return problems, {}
    schema_problems = _schema_problems(root)
    if isinstance(data_names, frozenset) and decisions:  # what the decisions leave is readable
        data_names = data_names | decisions_mod.output_names(decisions)
    token = _DATA_NAMES.set(data_names)
    try:
        problems = schema_problems + _check_code(root)
    finally:
        _DATA_NAMES.reset(token)
    if engine_extensions:
        problems += [DefinitionProblem(f.element_id, f.line, f.message)
                     for f in extensions.findings(root, _owner) if f.blocking]
    annotations, annotation_problems = clerk_view.read(root)
    problems += [DefinitionProblem(p.element_id, p.line, p.message) for p in annotation_problems]
    problems += [DefinitionProblem(*p) for p in lanes_mod.lane_problems(root)]
    problems += [DefinitionProblem(*p) for p in service_tasks.problems(root, data_names)]
    if schema_problems:
        return problems, {}  # SpiffWorkflow is only given schema-valid documents

    # validated above, all errors at once; business-rule tasks run the bundle's decision
    # tables, service tasks call the catalogue's actions
    parser = ProcessParser(validator=None)
    try:
        parser.add_decisions(decisions)  # decisions/*.dmn of the bundle (their own checks apart)
    except Exception:  # noqa: BLE001 - a decision the bundle checks refuse
        pass
    ref_problems = _decision_ref_problems(root, parser)
    if ref_problems:
        return [*problems, *ref_problems], {}
    try:
        parser.add_bpmn_xml(root, filename="definition.bpmn")
    except ValidationException as exc:
        return [*problems, *_validation_problems(exc, root, decisions)], {}
    except Exception:  # noqa: BLE001
        return [*problems, DefinitionProblem(None, None, "document refusé par le moteur BPMN")], {}

    try:
        executable = list(parser.get_process_ids())
    except Exception:  # noqa: BLE001
        executable = []
    all_ids = {p.get("id") for p in root.iter(_B + "process")}
    if process_key is not None:
        if process_key not in all_ids:
            problems.append(
                DefinitionProblem(
                    None, None, f"le processus « {process_key} » est absent du fichier"
                )
            )
            return problems, {}
        if process_key not in executable:
            problems.append(
                DefinitionProblem(
                    process_key,
                    _line_of(root, process_key),
                    f"le processus « {process_key} » n'est pas exécutable (isExecutable)",
                )
            )
            return problems, {}
        targets = [process_key]
    else:
        if not executable:
            problems.append(
                DefinitionProblem(None, None, "aucun processus exécutable dans le fichier")
            )
            return problems, {}
        targets = executable

    parsed: dict[str, ParsedProcess] = {}
    groups = lanes_mod.task_groups(root)
    for pid in targets:
        try:
            spec = parser.get_spec(pid)
            subs = parser.get_subprocess_specs(pid)
        except ValidationException as exc:
            problems.extend(_validation_problems(exc, root, decisions))
            continue
        except RecursionError:
            problems.append(
                DefinitionProblem(pid, _line_of(root, pid), "appels de processus récursifs")
            )
            continue
        except Exception as exc:  # noqa: BLE001
            problems.append(DefinitionProblem(pid, _line_of(root, pid),
                                              problems_fr.engine_message(str(exc))))
            continue
        for name in [name for name, sub in subs.items() if sub is None]:
            problems.extend(_called_process_problems(root, name))
        parsed[pid] = ParsedProcess(pid, spec, {k: v for k, v in subs.items() if v is not None},
                                    annotations, groups)

    for pid, pp in parsed.items():
        required = REQUIRED_TASK_KEYS.get(pid, ())
        present = _user_task_ids(pp)
        for key in required:
            if key not in present:
                problems.append(
                    DefinitionProblem(
                        pid,
                        _line_of(root, pid),
                        f"tâche utilisateur obligatoire absente : « {key} » "
                        "(clé de tâche du contrat)",
                    )
                )
    return problems, parsed


def validate(xml: bytes, process_key: str | None = None,
             data_names: frozenset[str] = frozenset(),
             decisions: Mapping | None = None) -> list[DefinitionProblem]:
    """All problems of a BPMN definition (empty list when it can be deployed), its code allowed
    to read `data_names` (the keys of its bundle's form fields), its business-rule tasks naming
    the decisions of `decisions` (the bundle's files), no other engine's extension it would
    ignore while it matters (`definition_warnings` tells those that do not). Never raises."""
    try:
        problems, _ = _analyse(xml, process_key, data_names, decisions, engine_extensions=True)
    except Exception as exc:  # noqa: BLE001 - last resort: never raise on any input
        problems = [DefinitionProblem(None, None, f"définition illisible : {type(exc).__name__}")]
    return problems


def definition_warnings(xml: bytes) -> list[DefinitionProblem]:
    """What a definition carries that the engine ignores without changing how a case goes (the
    other engines' descriptive extensions: workflows/extensions.py): told to the designer, never
    blocking. Empty for a document that cannot be read. Never raises."""
    try:
        root, problems = _parse_document(xml)
        if problems:
            return []
        return [DefinitionProblem(f.element_id, f.line, f.message)
                for f in extensions.findings(root, _owner) if not f.blocking]
    except Exception:  # noqa: BLE001 - never raise on any input
        return []


def lanes_naming_groups(xml: bytes) -> list[lanes_mod.Lane]:
    """The lanes of a definition that name a group by a well-formed code (the services check
    that the group exists); empty for a document that cannot be read. Never raises."""
    try:
        root, problems = _parse_document(xml)
        return [] if problems else lanes_mod.named_groups(root)
    except Exception:  # noqa: BLE001 - never raise on any input
        return []


def service_calls(xml: bytes) -> tuple[list[service_tasks.ServiceCall], set[str]]:
    """The service tasks of a definition (the actions they call, for the catalogue's checks)
    and the ids of its user tasks; empty for a document that cannot be read. Never raises."""
    try:
        root, problems = _parse_document(xml)
        if problems:
            return [], set()
        users = {el.get("id") for el in root.iter(_B + "userTask") if el.get("id")}
        return service_tasks.calls(root), users
    except Exception:  # noqa: BLE001 - never raise on any input
        return [], set()


def parse_process(xml: bytes, process_key: str, files: Mapping | None = None) -> ParsedProcess:
    """Parse validated bytes (with the decision tables of the bundle's `files`) into specs;
    raise DefinitionError (French problems) otherwise. The names its code reads were checked
    against its bundle's forms when it was deployed."""
    problems, parsed = _analyse(xml, process_key, ANY_DATA_NAME, files)
    if problems or process_key not in parsed:
        raise DefinitionError(problems or [DefinitionProblem(None, None, "processus introuvable")])
    return parsed[process_key]
