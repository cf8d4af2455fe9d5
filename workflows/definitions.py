"""Parse and validate BPMN process definitions given as bytes (designer uploads, shipped files).

``validate(xml, process_key=None)`` never raises: every problem becomes a
``DefinitionProblem(element_id, line, message)`` with a French message.
``parse_process(xml, process_key)`` returns a ``ParsedProcess`` or raises ``DefinitionError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.util import BPMN_MODEL_NS
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from .contract import REQUIRED_TASK_KEYS
from .script_env import check_source

MAX_BYTES = 5 * 1024 * 1024
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_B = f"{{{BPMN_MODEL_NS}}}"
_ISO_DURATION = re.compile(
    r"^\s*R?\d*/?P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?\s*$", re.I
)

# Elements the engine could parse but that the application refuses (no code path for them).
_REFUSED_TAGS = {
    _B + "serviceTask": "les tâches de service ne sont pas prises en charge",
    _B + "businessRuleTask": "les tâches de règle métier (DMN) ne sont pas prises en charge ici",
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


def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def _line_of(root, element_id: str | None) -> int | None:
    if not element_id or root is None:
        return None
    try:
        found = root.xpath("//*[@id=$i]", i=element_id)
    except Exception:  # noqa: BLE001 - never raise from validation
        return None
    return found[0].sourceline if found else None


def _element_id(el) -> str | None:
    while el is not None:
        if isinstance(el.tag, str) and el.get("id"):
            return el.get("id")
        el = el.getparent()
    return None


_SPIFF_MESSAGES = [
    (
        "There is no support implemented for this task type",
        "élément BPMN non pris en charge par le moteur",
    ),
    (
        "Multiple outgoing flows are not supported",
        "plusieurs flux sortants sur une tâche : utilisez une passerelle",
    ),
    ("No start event found", "aucun événement de début"),
    ("is not executable", "le processus n'est pas exécutable"),
    (
        "When looking for a task spec",
        "flux de séquence vers un élément inexistant, ou identifiant en double",
    ),
    ("Duplicate process ID", "identifiant de processus en double"),
    ("Expected a Message node", "message introuvable (messageRef)"),
    ("has no implementation", "magasin de données (dataStore) non pris en charge"),
    ("was not found. Did you mean", "processus appelé introuvable"),
    ("Exactly one start event is required", "un sous-processus exige un seul événement de début"),
    ("Element '", "non conforme au schéma BPMN 2.0"),
]


def _french(msg: str, tag: str | None = None) -> str:
    text = str(msg).strip().splitlines()[0] if str(msg).strip() else ""
    for needle, french in _SPIFF_MESSAGES:
        if needle in text:
            if needle == "Element '":
                return f"{french} : {text[:300]}"
            return f"{french}{f' ({tag})' if tag else ''}"
    return f"définition BPMN refusée : {text[:300]}"


def _validation_problem(exc: ValidationException, root) -> DefinitionProblem:
    element_id = getattr(exc, "id", "") or None
    line = getattr(exc, "line_number", None)
    if not isinstance(line, int) or line <= 0:
        line = _line_of(root, element_id)
    return DefinitionProblem(element_id, line, _french(str(exc), getattr(exc, "tag", "") or None))


def _check_code(root) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []

    def check(el, mode: str, what: str):
        src = el.text or ""
        element_id = _element_id(el.getparent())
        for line_in, msg in check_source(src, mode):
            line = el.sourceline + (line_in - 1 if line_in else 0) if el.sourceline else None
            problems.append(DefinitionProblem(element_id, line, f"{what} : {msg}"))

    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if tag == _B + "script":
            check(el, "exec", "script refusé")
        elif tag in (f"{{{SPIFF_NS}}}preScript", f"{{{SPIFF_NS}}}postScript"):
            check(el, "exec", "script refusé")
        elif tag in (
            _B + "conditionExpression",
            _B + "completionCondition",
            _B + "loopCardinality",
        ):
            if (el.text or "").strip():
                check(el, "eval", "condition refusée")
            elif tag == _B + "conditionExpression":
                problems.append(
                    DefinitionProblem(_element_id(el.getparent()), el.sourceline, "condition vide")
                )
        elif tag in (_B + "timeDate", _B + "timeDuration"):
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
            else:
                check(el, "eval", "minuterie refusée")
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


def _analyse(xml: object, process_key: str | None) -> tuple[list[DefinitionProblem], dict]:
    """Returns (problems, {process_id: ParsedProcess}) and never raises."""
    if not isinstance(xml, (bytes, bytearray)):
        return [DefinitionProblem(None, None, "la définition doit être fournie en octets")], {}
    if len(xml) > MAX_BYTES:
        return [DefinitionProblem(None, None, "fichier trop volumineux (maximum 5 Mio)")], {}
    if not xml.strip():
        return [DefinitionProblem(None, None, "fichier vide")], {}
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        return [
            DefinitionProblem(
                None, None, "déclaration DOCTYPE ou ENTITY interdite dans un fichier BPMN"
            )
        ], {}
    try:
        root = etree.fromstring(bytes(xml), _xml_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        return [DefinitionProblem(None, line, f"XML mal formé : {exc.msg}")], {}
    except Exception as exc:  # noqa: BLE001
        return [DefinitionProblem(None, None, f"XML illisible : {type(exc).__name__}")], {}
    if root is None:
        return [DefinitionProblem(None, None, "document XML vide")], {}
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        return [
            DefinitionProblem(None, 1, "déclaration DOCTYPE interdite dans un fichier BPMN")
        ], {}
    if root.tag != _B + "definitions":
        return [
            DefinitionProblem(
                None,
                root.sourceline,
                "l'élément racine doit être bpmn:definitions (espace de noms BPMN 2.0 MODEL)",
            )
        ], {}

    problems: list[DefinitionProblem] = []
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(root, filename="definition.bpmn")
    except ValidationException as exc:
        return [_validation_problem(exc, root)], {}
    except Exception as exc:  # noqa: BLE001
        return [DefinitionProblem(None, None, _french(str(exc)))], {}

    problems.extend(_check_code(root))

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
    for pid in targets:
        try:
            spec = parser.get_spec(pid)
            subs = parser.get_subprocess_specs(pid)
        except ValidationException as exc:
            problems.append(_validation_problem(exc, root))
            continue
        except RecursionError:
            problems.append(
                DefinitionProblem(pid, _line_of(root, pid), "appels de processus récursifs")
            )
            continue
        except Exception as exc:  # noqa: BLE001
            problems.append(DefinitionProblem(pid, _line_of(root, pid), _french(str(exc))))
            continue
        missing_subs = [name for name, sub in subs.items() if sub is None]
        for name in missing_subs:
            problems.append(
                DefinitionProblem(pid, None, f"processus appelé introuvable : « {name} »")
            )
        parsed[pid] = ParsedProcess(pid, spec, {k: v for k, v in subs.items() if v is not None})

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


def validate(xml: bytes, process_key: str | None = None) -> list[DefinitionProblem]:
    """All problems of a BPMN definition (empty list when it can be deployed). Never raises."""
    try:
        problems, _ = _analyse(xml, process_key)
    except Exception as exc:  # noqa: BLE001 - last resort: never raise on any input
        problems = [DefinitionProblem(None, None, f"définition illisible : {type(exc).__name__}")]
    return problems


def parse_process(xml: bytes, process_key: str) -> ParsedProcess:
    """Parse validated bytes into specs; raise DefinitionError (French problems) otherwise."""
    problems, parsed = _analyse(xml, process_key)
    if problems or process_key not in parsed:
        raise DefinitionError(problems or [DefinitionProblem(None, None, "processus introuvable")])
    return parsed[process_key]
