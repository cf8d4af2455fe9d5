"""DMN decision tables of a bundle (docs/process-bundle.md, "Tables de décision").

A business-rule task names its decision with `camunda:decisionRef="<decision id>"` (the Camunda
convention); the decision is the bundle file `decisions/<decision id>.dmn`, one decision with one
table per file (SpiffWorkflow's requirement). SpiffWorkflow parses the tables (`BpmnDmnParser`,
the Camunda business-rule task parser); this module adds what the library lacks:

* the checks at deployment (`decision_problems`), each naming the file, the decision, the rule
  (1-based index and id) and the column: unreadable XML, a cell language other than Python, a
  cell the restricted environment refuses (`script_env.check_source`: unknown name, `_`, import,
  ...), an unknown hit policy or aggregation, overlapping literal rules under UNIQUE;
* the hit policies (`apply_policy`): UNIQUE (an overlap is an error), FIRST, PRIORITY (the order
  of the output's `outputValues`), ANY (the matches must agree), COLLECT with no aggregation (a
  list) or SUM, MIN, MAX, COUNT. The library returns the first match for UNIQUE and treats
  everything but COLLECT as FIRST;
* the trace of each decision made (`collect`), which the service records in the case history.

Cells are evaluated by the run's script engine, the project's restricted environment
(script_env: RestrictedPython, step, time and memory bounds): never a bare `eval`. A whole
decision shares one bound budget.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.parser.CamundaParser import NSMAP as CAMUNDA_NSMAP
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS
from SpiffWorkflow.camunda.parser.task_spec import (
    BusinessRuleTaskParser as CamundaBusinessRuleTaskParser,
)
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_NAMESPACES
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser, full_tag
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from .contract import DATA_GROUP_ASSIGNMENTS
from .script_env import ALLOWED_GLOBAL_NAMES, bounded, check_source

DECISIONS_DIR = "decisions"
DMN_SUFFIX = ".dmn"
MAX_DECISIONS = 50
MAX_RULES = 500
DECISION_REF = f"{{{CAMUNDA_MODEL_NS}}}decisionRef"
HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
PYTHON = "python"
INPUT_NAME = "dmninputexpr"  # what SpiffWorkflow puts for "?" in a cell (the input's value)
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,79}$")
# The column types (typeRef) a table may declare. SpiffWorkflow 3.2.0 reads typeRef (DMNParser)
# and never uses it: a cell is a Python expression evaluated as written, nothing is converted.
# So only the types a Python cell writes as a literal are taken, each with the Python values it
# means (a literal cell of another type is a problem); "Any" and no typeRef declare nothing.
# FEEL's dates, times and durations (dmn-js writes `date("…")`, `duration("…")`), a namespaced
# `feel:string` or an itemDefinition of the file are refused: nothing here would honour them.
TYPE_REFS: dict[str, tuple[type, ...]] = {
    "string": (str,), "boolean": (bool,), "number": (int, float), "integer": (int,),
    "long": (int,), "double": (float, int), "Any": (),
}
_TYPE_NAMES = {str: "texte", bool: "booléen", int: "nombre entier", float: "nombre décimal"}
# names an output may not take: what scripts and conditions read as something else, and the
# engine's own (the "?" of a cell, the serializer's marker, the groups of service tasks)
RESERVED_OUTPUT_NAMES = ALLOWED_GLOBAL_NAMES | {"dmninputexpr", "typename",
                                                DATA_GROUP_ASSIGNMENTS}
# a "?" outside quotes (SpiffWorkflow's own rule, DMNEngine.evaluate)
_QUESTION = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')


def decision_path(decision_id: str) -> str:
    return f"{DECISIONS_DIR}/{decision_id}{DMN_SUFFIX}"


def decision_files(files: Mapping | None) -> dict[str, str]:
    """The `decisions/*.dmn` files of a bundle's files."""
    return {p: t for p, t in (files or {}).items()
            if isinstance(p, str) and p.startswith(f"{DECISIONS_DIR}/") and p.endswith(DMN_SUFFIX)
            and isinstance(t, str)}


class DecisionError(Exception):
    """A decision could not be made (French): an overlap under UNIQUE, matches that disagree
    under ANY, an output value outside the priorities... The case gets an incident."""


# --- reading a table ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    id: str
    label: str  # what problems and the history show: the label, else the name, else the id
    name: str = ""  # an output's variable; an input's expression text
    values: tuple = ()  # an output's outputValues (PRIORITY), evaluated literals
    type_ref: str | None = None  # the declared typeRef (None: none)


@dataclass(frozen=True)
class Rule:
    index: int  # 1-based
    id: str
    inputs: tuple[str | None, ...]  # the cell texts (None: "-" or empty, any value)
    outputs: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    decision_id: str
    name: str
    hit_policy: str
    aggregation: str | None
    inputs: tuple[Column, ...]
    outputs: tuple[Column, ...]
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return self.name or self.decision_id


def _hardened() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_pis=True, remove_comments=True)


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el, name: str) -> list:
    return [c for c in el if isinstance(c.tag, str) and _local(c) == name]


def _text(el, name: str = "text") -> str | None:
    found = _children(el, name)
    return found[0].text if found else None


def parse_document(text: object):
    """(root, None) for a safe DMN document, (None, French reason) otherwise."""
    if not isinstance(text, str):
        return None, "le fichier doit être un texte"
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return None, "déclaration DOCTYPE ou ENTITY interdite"
    try:
        root = etree.fromstring(text.encode("utf-8"), _hardened())
    except etree.XMLSyntaxError as exc:
        return None, f"XML mal formé (ligne {exc.lineno})"
    except Exception as exc:  # noqa: BLE001 - never raise on a file
        return None, f"XML illisible : {type(exc).__name__}"
    if root is None or _local(root) != "definitions" or \
            etree.QName(root).namespace not in DMN_NAMESPACES:
        return None, ("l'élément racine doit être dmn:definitions (DMN 1.1, 1.2 ou 1.3, espace "
                      "de noms « https://www.omg.org/spec/DMN/20191111/MODEL/ »)")
    return root, None


def _output_values(output) -> tuple[tuple, str | None]:
    """The evaluated literals of an output's outputValues ("haute","moyenne","basse")."""
    holder = _children(output, "outputValues")
    if not holder:
        return (), None
    raw = (_text(holder[0]) or "").strip()
    if not raw:
        return (), None
    try:
        values = ast.literal_eval(f"[{raw}]")
    except (ValueError, SyntaxError, RecursionError, MemoryError, TypeError):
        return (), f"valeurs de sortie illisibles « {raw[:80]} » (liste de littéraux Python, " \
                   'par exemple "haute","moyenne","basse")'
    return tuple(values), None


def read_table(root) -> tuple[Table | None, list[str]]:
    """The table of a DMN document (one decision, one decision table), or French problems."""
    decisions = _children(root, "decision")
    if len(decisions) != 1:
        return None, [f"un fichier DMN contient exactement une décision (il en contient "
                      f"{len(decisions)})"]
    decision = decisions[0]
    decision_id = decision.get("id") or ""
    if not _ID.match(decision_id):
        return None, [f"identifiant de décision invalide « {decision_id[:80]} » (lettres sans "
                      "accent, chiffres, « _ », « - », « . » ; 80 caractères au plus)"]
    tables = _children(decision, "decisionTable")
    if len(tables) != 1:
        return None, [f"la décision « {decision_id} » doit être une table de décision "
                      "(decisionTable) et une seule"]
    table = tables[0]
    problems: list[str] = []
    policy = (table.get("hitPolicy") or "UNIQUE").upper()
    if policy not in HIT_POLICIES:
        problems.append(f"politique de résultat inconnue « {policy[:40]} » (UNIQUE, FIRST, "
                        "PRIORITY, ANY ou COLLECT)")
    aggregation = table.get("aggregation")
    if aggregation is not None:
        aggregation = aggregation.upper()
        if aggregation not in AGGREGATIONS:
            problems.append(f"agrégation inconnue « {aggregation[:40]} » (SUM, MIN, MAX ou "
                            "COUNT)")
        elif policy != "COLLECT":
            problems.append(f"une agrégation ({aggregation}) ne va qu'avec la politique COLLECT")
    inputs, outputs = [], []
    for el in _children(table, "input"):
        expr = _children(el, "inputExpression")
        text = (_text(expr[0]) or "").strip() if expr else ""
        col = Column(el.get("id") or "", el.get("label") or text or el.get("id") or "?", text,
                     type_ref=expr[0].get("typeRef") if expr else None)
        inputs.append(col)
    for el in _children(table, "output"):
        values, said = _output_values(el)
        col = Column(el.get("id") or "", el.get("label") or el.get("name") or el.get("id") or "?",
                     el.get("name") or "", values, el.get("typeRef"))
        if said:
            problems.append(f"colonne de sortie « {col.label} » : {said}")
        outputs.append(col)
    if not outputs:
        problems.append("la table n'a aucune colonne de sortie")
    rules = []
    for index, el in enumerate(_children(table, "rule"), start=1):
        cells_in = [(_text(c) or "").strip() for c in _children(el, "inputEntry")]
        cells_out = [(_text(c) or "").strip() for c in _children(el, "outputEntry")]
        if len(cells_in) != len(inputs) or len(cells_out) != len(outputs):
            problems.append(f"{_rule_name(index, el.get('id'))} : {len(cells_in)} entrée(s) et "
                            f"{len(cells_out)} sortie(s) pour {len(inputs)} colonne(s) d'entrée "
                            f"et {len(outputs)} de sortie")
            continue
        rules.append(Rule(index, el.get("id") or "",
                          tuple(None if c in ("", "-") else c for c in cells_in),
                          tuple(cells_out)))
    if len(rules) > MAX_RULES:
        problems.append(f"trop de règles : {len(rules)} (maximum {MAX_RULES})")
    return Table(decision_id, decision.get("name") or "", policy, aggregation, tuple(inputs),
                 tuple(outputs), tuple(rules)), problems


def _rule_name(index: int, rule_id: str | None) -> str:
    return f"règle {index}" + (f" (« {rule_id} »)" if rule_id else "")


# --- the checks at deployment ---------------------------------------------------------------------

def input_expression(column_expr: str, cell: str) -> tuple[str, frozenset[str]]:
    """The expression SpiffWorkflow evaluates for an input cell (DMNEngine.evaluate): the cell
    with "?" standing for the input's value, else `(input) == (cell)` when the cell is an
    expression on its own, else `input cell` ("> 4", "in (1, 2)"); and the extra names it reads."""
    if _QUESTION.search(cell):
        return _QUESTION.sub(INPUT_NAME, cell), frozenset({INPUT_NAME})
    try:
        ast.parse(cell)
        return f"({column_expr}) == ({cell})", frozenset()
    except (SyntaxError, ValueError):
        return f"{column_expr} {cell}", frozenset()


def _language_problems(root) -> list[str]:
    out = []
    for el in root.iter():
        lang = el.get("expressionLanguage") if isinstance(el.tag, str) else None
        if lang is not None and lang.strip().lower() != PYTHON:
            what = "les cellules" if el is root else f"l'élément {_local(el)}"
            out.append(f"langage d'expression « {lang[:60]} » refusé pour {what} : les cellules "
                       "sont des expressions Python restreintes (expressionLanguage=\"python\" ou "
                       "rien ; FEEL n'est pas pris en charge)")
    return out


def table_problems(table: Table, data_names: frozenset[str]) -> list[str]:
    """Every problem of a read table: its cells (restricted environment), its outputs, its
    hit policy's requirements."""
    out: list[str] = []
    names = frozenset(data_names)
    for kind, columns in (("d'entrée", table.inputs), ("de sortie", table.outputs)):
        for col in columns:
            said = type_ref_problem(col.type_ref)
            if said:
                out.append(f"colonne {kind} « {col.label} » : {said}")
    for col in table.inputs:
        if not col.name:
            out.append(f"colonne d'entrée « {col.label} » : expression d'entrée vide")
            continue
        for _line, msg in check_source(col.name, "eval", names):
            out.append(f"colonne d'entrée « {col.label} » : {msg}")
    seen = set()
    for col in table.outputs:
        said = output_name_problem(col.name)
        if said:
            out.append(f"colonne de sortie « {col.label} » : {said}")
        elif col.name in seen:
            out.append(f"colonne de sortie « {col.label} » : deux sorties nommées « {col.name} »")
        seen.add(col.name)
    if table.hit_policy == "PRIORITY" and not any(c.values for c in table.outputs):
        out.append("la politique PRIORITY demande l'ordre des valeurs d'une sortie "
                   "(outputValues, la première est la plus prioritaire)")
    if table.aggregation and len(table.outputs) != 1:
        out.append(f"l'agrégation {table.aggregation} demande une seule colonne de sortie")
    for rule in table.rules:
        where = _rule_name(rule.index, rule.id)
        for col, cell in zip(table.inputs, rule.inputs, strict=True):
            if cell is None or not col.name:
                continue
            expr, extra = input_expression(col.name, cell)
            found = check_source(expr, "eval", names | extra)
            for _line, msg in found:
                out.append(f"{where}, colonne « {col.label} » : cellule « {cell[:80]} » "
                           f"refusée : {msg}")
            said = None if found else _cell_type_problem(col, cell)
            if said:
                out.append(f"{where}, colonne « {col.label} » : {said}")
        for col, cell in zip(table.outputs, rule.outputs, strict=True):
            if not cell:
                continue
            found = check_source(cell, "eval", names)
            for _line, msg in found:
                out.append(f"{where}, colonne « {col.label} » : cellule « {cell[:80]} » "
                           f"refusée : {msg}")
            said = None if found else _cell_type_problem(col, cell)
            if said:
                out.append(f"{where}, colonne « {col.label} » : {said}")
            if not found and col.values and table.hit_policy == "PRIORITY":
                literal = _literal(cell)
                if literal is not _NOT_LITERAL and literal not in col.values:
                    out.append(f"{where}, colonne « {col.label} » : valeur « {cell[:80]} » "
                               "absente des valeurs de sortie (outputValues)")
    if table.hit_policy == "UNIQUE":
        out.extend(_overlaps(table))
    return out


def type_ref_problem(type_ref: str | None) -> str | None:
    """Why a column's declared typeRef cannot be honoured (None: it can)."""
    if type_ref is None or type_ref.strip() == "" or type_ref in TYPE_REFS:
        return None
    return (f"type « {type_ref[:60]} » (typeRef) non pris en charge : les cellules sont des "
            "expressions Python, rien n'est converti ; choisissez " + ", ".join(TYPE_REFS)
            + " (les dates, heures et durées FEEL ne sont pas prises en charge : écrivez une "
            "date ISO en texte, une durée en nombre de jours)")


def output_name_problem(name: str) -> str | None:
    """Why an output's name cannot be a variable the BPMN's scripts and conditions read
    (None: it can): a plain ASCII Python identifier, not a keyword (`class`, `None`…), not
    starting with `_`, not a name the restricted environment already gives (`dossier`, `len`…)."""
    if not name:
        return "sortie sans nom (name) : nommez-la comme une variable (par exemple « priorite »)"
    if (not name.isidentifier() or not name.isascii() or name.startswith("_")
            or len(name) > 80):
        why = "identifiant Python sans accent ni espace, de 80 caractères au plus, ne " \
              "commençant pas par « _ »"
    elif keyword.iskeyword(name):  # soft keywords (match, case) stay usable names
        why = "c'est un mot réservé de Python"
    elif name in RESERVED_OUTPUT_NAMES:
        why = "ce nom est déjà pris par l'environnement des scripts (dossier, actions, fonctions)"
    else:
        return None
    return (f"nom de variable « {name[:60]} » invalide ({why}) : les scripts et conditions du "
            "BPMN ne pourraient pas le lire ; renommez la sortie")


def _cell_type_problem(col: Column, cell: str) -> str | None:
    """A literal cell whose Python type is not the column's declared typeRef."""
    expected = TYPE_REFS.get(col.type_ref or "")
    value = _literal(cell)
    if not expected or value is _NOT_LITERAL or value is None \
            or type(value) not in _TYPE_NAMES:
        return None
    if isinstance(value, bool) and bool not in expected:  # True is an int to Python
        ok = False
    else:
        ok = isinstance(value, expected)
    if ok:
        return None
    return (f"valeur « {cell[:80]} » de type {_TYPE_NAMES[type(value)]} dans une colonne de "
            f"type « {col.type_ref} » (typeRef) : corrigez la valeur ou le type de la colonne")


_NOT_LITERAL = object()


def _literal(cell: str):
    try:
        return ast.literal_eval(cell)
    except (ValueError, SyntaxError, RecursionError, MemoryError, TypeError):
        return _NOT_LITERAL


def _overlaps(table: Table) -> list[str]:
    """Pairs of rules that obviously match the same inputs: in every column the same text or
    "-". (Cheap; overlaps it cannot see are errors at run time.)"""
    out = []
    for i, a in enumerate(table.rules):
        for b in table.rules[i + 1:]:
            if all(x is None or y is None or x == y for x, y in zip(a.inputs, b.inputs,
                                                                    strict=True)):
                out.append(f"{_rule_name(a.index, a.id)} et {_rule_name(b.index, b.id)} : "
                           "elles peuvent s'appliquer toutes deux, ce que la politique UNIQUE "
                           "interdit (utilisez FIRST, PRIORITY ou ANY, ou distinguez-les)")
    return out


def decision_problems(path: str, text: object, data_names: frozenset[str]
                      ) -> tuple[Table | None, list[str]]:
    """(table, French problems) of one `decisions/*.dmn` file of a bundle; each problem names
    the decision. Never raises."""
    try:
        root, said = parse_document(text)
        if said:
            return None, [f"table de décision {path} : {said}"]
        table, problems = read_table(root)
        problems = _language_problems(root) + problems
        if table is not None:
            problems += table_problems(table, data_names)
            expected = decision_path(table.decision_id)
            if path != expected:
                problems.insert(0, f"le fichier de la décision « {table.decision_id} » doit être "
                                   f"{expected}")
        if table is not None and not problems:
            said = _library_problem(root, path)
            if said:
                problems.append(said)
        label = (f"table de décision « {table.title} » ({table.decision_id}, {path})"
                 if table is not None else f"table de décision {path}")
        return table, [f"{label} : {p}" for p in problems]
    except Exception as exc:  # noqa: BLE001 - never raise on a file
        return None, [f"table de décision {path} : illisible ({type(exc).__name__})"]


def _library_problem(root, path: str) -> str | None:
    """What SpiffWorkflow's own DMN parser says of the document (it must take it)."""
    parser = DecisionParser()
    try:
        parser.add_dmn_xml(root, filename=path)
        for dmn in parser.dmn_parsers.values():
            dmn.parse()
    except ValidationException as exc:
        return f"refusée par le moteur : {str(exc).splitlines()[0][:200]}"
    except (KeyError, IndexError, AttributeError) as exc:
        return f"structure DMN incomplète ({type(exc).__name__} {str(exc)[:60]})"
    return None


def element_place(text: object, element_id: str | None) -> str:
    """Where an element of a DMN file is, in French, for a message of the engine about it:
    « table de décision « T » (id, path), règle 2 (« r2 »), colonne « Priorité » », or the
    column, or the table alone. Never raises."""
    try:
        root, _ = parse_document(text)
        table, _ = read_table(root) if root is not None else (None, [])
        if table is None:
            return "table de décision"
        where = f"table de décision « {table.title} » ({table.decision_id}, " \
                f"{decision_path(table.decision_id)})"
        found = root.xpath("//*[@id=$i]", i=element_id or "")
        if not found:
            return where
        el, local = found[0], _local(found[0])
        if local in ("inputEntry", "outputEntry"):
            rule, columns = el.getparent(), table.inputs if local == "inputEntry" \
                else table.outputs
            rules = _children(rule.getparent(), "rule")
            k = _children(rule, local).index(el)
            place = f"{where}, {_rule_name(rules.index(rule) + 1, rule.get('id'))}"
            return place + (f", colonne « {columns[k].label} »" if k < len(columns) else "")
        if local == "rule":
            index = _children(el.getparent(), "rule").index(el) + 1
            return f"{where}, {_rule_name(index, element_id)}"
        column = next((c for c in (*table.inputs, *table.outputs) if c.id == element_id), None)
        return f"{where}, colonne « {column.label} »" if column else where
    except Exception:  # noqa: BLE001 - a message's context, never a crash
        return "table de décision"


def rule_task_refs(root) -> dict[str, str | None]:
    """Business-rule task id -> the decision its camunda:decisionRef names (None: none)."""
    out = {}
    for el in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}businessRuleTask"):
        ref = (el.get(DECISION_REF) or "").strip()
        out[el.get("id") or ""] = ref or None
    return out


# --- the hit policies ----------------------------------------------------------------------------

def _rank(values: tuple, value) -> int:
    try:
        return values.index(value)
    except ValueError:
        raise DecisionError(f"la valeur {value!r} n'est pas dans l'ordre des valeurs de sortie "
                            "(outputValues) : la politique PRIORITY ne peut pas choisir") from None


def _aggregate(aggregation: str, name: str, values: list):
    if aggregation == "COUNT":
        return len(values)
    values = [v for v in values if v is not None]
    if not values:
        return None
    if aggregation in ("SUM", "MIN", "MAX") and not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise DecisionError(f"l'agrégation {aggregation} de « {name} » demande des nombres")
    return {"SUM": sum, "MIN": min, "MAX": max}[aggregation](values)


def apply_policy(policy: str, aggregation: str | None, outputs: tuple[Column, ...],
                 matched: list[tuple[int, dict]]) -> tuple[dict, list[int]]:
    """(the result's variables, the indexes of the rules retained) from the matched rules, each
    `(rule index, {output name: value})` in rule order. No match: every output None (COLLECT:
    empty lists, COUNT 0). DecisionError when the policy is broken."""
    names = [c.name for c in outputs]
    if policy == "COLLECT":
        lists = {n: [out[n] for _, out in matched] for n in names}
        if aggregation:
            return {n: _aggregate(aggregation, n, v) for n, v in lists.items()}, \
                [i for i, _ in matched]
        return lists, [i for i, _ in matched]
    if not matched:
        return {n: None for n in names}, []
    if policy == "UNIQUE":
        if len(matched) > 1:
            rules = ", ".join(str(i) for i, _ in matched)
            raise DecisionError(f"plusieurs règles s'appliquent ({rules}) alors que la politique "
                                "UNIQUE n'en admet qu'une")
        return dict(matched[0][1]), [matched[0][0]]
    if policy == "ANY":
        first = matched[0][1]
        for index, out in matched[1:]:
            if out != first:
                raise DecisionError(f"les règles {matched[0][0]} et {index} s'appliquent avec "
                                    "des sorties différentes, ce que la politique ANY interdit")
        return dict(first), [matched[0][0]]
    if policy == "PRIORITY":
        ranked = [c for c in outputs if c.values]
        best = min(matched, key=lambda m: tuple(_rank(c.values, m[1][c.name]) for c in ranked))
        return dict(best[1]), [best[0]]
    return dict(matched[0][1]), [matched[0][0]]  # FIRST


# --- the engine SpiffWorkflow calls --------------------------------------------------------------

@dataclass(frozen=True)
class DecisionMade:
    """One decision as the case history tells it."""
    decision_id: str
    name: str
    task_id: str
    inputs: list  # [(column label, value)]
    rules: list  # [(rule index, rule id)] retained
    outputs: dict  # {output variable: value}
    output_labels: dict = field(default_factory=dict)  # {output variable: its column's label}


_TRACE: ContextVar[list | None] = ContextVar("decisions_made", default=None)


@contextmanager
def collect(into: list) -> Iterator[list]:
    """Decisions made while in the block are appended to `into` (DecisionMade)."""
    token = _TRACE.set(into)
    try:
        yield into
    finally:
        _TRACE.reset(token)


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value if not isinstance(value, str) else value[:200]
    return str(value)[:200]


class PolicyEngine(DMNEngine):
    """SpiffWorkflow's DMNEngine (its cell matching, through the run's restricted script
    engine), with the project's hit policies and a trace."""

    def __init__(self, decision_table, table: Table):
        super().__init__(decision_table)
        self.table = table

    def decide(self, task):  # every rule is evaluated (the library stops at UNIQUE's first)
        return [rule for rule in self.decision_table.rules
                if self._DMNEngine__check_rule(rule, task)]

    def result(self, task):
        return bounded({}, lambda: self._result(task))  # one budget for the whole table

    def _result(self, task):
        script = task.workflow.script_engine
        matched = [(rule.row_number, dict(rule.output_as_dict(task))) for rule in self.decide(task)]
        columns = tuple(Column(o.id, o.label or o.name, o.name or o.label,
                               self._values(o.id)) for o in self.decision_table.outputs)
        result, retained = apply_policy(self.table.hit_policy, self.table.aggregation, columns,
                                        matched)
        trace = _TRACE.get()
        if trace is not None:
            inputs = []
            for col in self.table.inputs:
                try:
                    value = script.evaluate(task, col.name)
                except Exception:  # noqa: BLE001 - shown as unknown; matching already ran
                    value = None
                inputs.append((col.label, _plain(value)))
            ids = {r.index: r.id for r in self.table.rules}
            trace.append(DecisionMade(self.table.decision_id, self.table.title,
                                      task.task_spec.bpmn_id or task.task_spec.name, inputs,
                                      [(i, ids.get(i, "")) for i in retained],
                                      {k: _plain(v) if not isinstance(v, list)
                                       else [_plain(x) for x in v] for k, v in result.items()},
                                      {c.name: c.label for c in self.table.outputs if c.name}))
        return result

    def _values(self, output_id: str) -> tuple:
        return next((c.values for c in self.table.outputs if c.id == output_id), ())


class DecisionTaskParser(CamundaBusinessRuleTaskParser):
    """The library's Camunda business-rule task parser (`camunda:decisionRef`), building the
    Spiff flavour of the task spec (the project's serializer is SPIFF_CONFIG)."""

    def create_task(self):
        decision_ref = self.get_decision_ref(self.node)
        return self.spec_class(self.spec, self.bpmn_id,
                               dmnEngine=self.process_parser.parser.get_engine(decision_ref,
                                                                               self.node),
                               **self.bpmn_attributes)


class DecisionParser(SpiffBpmnParser):
    """SpiffBpmnParser whose business-rule tasks read `camunda:decisionRef` and run the
    project's hit policies."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("businessRuleTask"): (DecisionTaskParser, BusinessRuleTask),
    }

    def __init__(self, namespaces=None, validator=None):
        # the Camunda prefix too: the library's Camunda task parser reads camunda:properties
        super().__init__(namespaces=namespaces or CAMUNDA_NSMAP, validator=validator)

    def get_engine(self, decision_ref, node):
        engine = super().get_engine(decision_ref, node)
        dmn = self.dmn_parsers[decision_ref]
        table, _ = read_table(dmn.node)
        return PolicyEngine(engine.decision_table, table)

    def add_decisions(self, files: Mapping | None) -> None:
        for path, text in sorted(decision_files(files).items()):
            root, said = parse_document(text)
            if root is not None:
                self.add_dmn_xml(root, filename=path)


# --- the bundle's decisions as a whole ------------------------------------------------------------

def valid_id(decision_id: str) -> bool:
    return bool(_ID.match(decision_id))


def output_names(files: Mapping | None) -> frozenset[str]:
    """The variables the bundle's decisions set (what BPMN conditions after them may read)."""
    names = set()
    for text in decision_files(files).values():
        try:
            root, _ = parse_document(text)
            table = read_table(root)[0] if root is not None else None
        except Exception:  # noqa: BLE001 - its own problems are told
            table = None
        if table is not None:
            names.update(c.name for c in table.outputs if output_name_problem(c.name) is None)
    return frozenset(names)


def bundle_problems(root, files: Mapping | None, data_names: frozenset[str]
                    ) -> list[tuple[str, str]]:
    """(file path, French problem) of every decision table of a bundle whose BPMN parsed as
    `root`: each table's own, two files for one decision, a decision no business-rule task
    uses (camunda:decisionRef). Never raises."""
    try:
        found = decision_files(files)
        if len(found) > MAX_DECISIONS:
            return [(DECISIONS_DIR, f"trop de tables de décision : {len(found)} (maximum "
                                    f"{MAX_DECISIONS})")]
        used = {r for r in rule_task_refs(root).values() if r}
        out, seen = [], set()
        for path in sorted(found):
            table, problems = decision_problems(path, found[path], data_names)
            out.extend((path, p) for p in problems)
            if table is None:
                continue
            if table.decision_id in seen:
                out.append((path, f"deux tables de décision ont l'identifiant "
                                  f"« {table.decision_id} »"))
            seen.add(table.decision_id)
            if table.decision_id not in used:
                out.append((path, f"table de décision « {table.title} » ({table.decision_id}, "
                                  f"{path}) utilisée par aucune tâche de règle métier "
                                  "(camunda:decisionRef)"))
        return out
    except Exception as exc:  # noqa: BLE001
        return [(DECISIONS_DIR, f"tables de décision illisibles : {type(exc).__name__}")]


# --- the version diff ---------------------------------------------------------------------------

DIFF_WHAT = "table de décision"


def _rule_text(table: Table, rule: Rule) -> str:
    when = " et ".join(f"{c.label} {cell}" for c, cell in zip(table.inputs, rule.inputs,
                                                               strict=True) if cell is not None)
    then = ", ".join(f"{c.name} = {cell}" for c, cell in zip(table.outputs, rule.outputs,
                                                             strict=True))
    return f"règle {rule.index} ({rule.id}) : {when or 'toujours'} → {then}"


def _table_lines(table: Table) -> dict[str, str]:
    lines = {"politique": f"politique {table.hit_policy}"
                          + (f" {table.aggregation}" if table.aggregation else ""),
             "entrées": "entrées : " + ", ".join(f"{c.label} ({c.name})" for c in table.inputs),
             "sorties": "sorties : " + ", ".join(
                 f"{c.label} ({c.name})" + (f" [{', '.join(map(repr, c.values))}]"
                                            if c.values else "") for c in table.outputs)}
    for rule in table.rules:
        lines[f"règle {rule.id or rule.index}"] = _rule_text(table, rule)
    return lines


def table_changes(old_text: str | None, new_text: str | None) -> list[tuple[str | None,
                                                                             str | None]]:
    """(before, after) in French for each policy, column set or rule of a decision table that
    differs between two versions of its file (None: absent on that side). Never raises."""
    def lines(text):
        try:
            root, _ = parse_document(text) if text is not None else (None, None)
            table = read_table(root)[0] if root is not None else None
        except Exception:  # noqa: BLE001 - an unreadable table diffs as absent
            table = None
        return _table_lines(table) if table is not None else {}

    old, new = lines(old_text), lines(new_text)
    return [(old.get(k), new.get(k)) for k in [*old, *(k for k in new if k not in old)]
            if old.get(k) != new.get(k)]


def task_tables(root, files: Mapping | None) -> dict[str, str]:
    """Business-rule task id -> the text of the decision file it names (present ones only)."""
    found = decision_files(files)
    return {task: found[decision_path(ref)] for task, ref in rule_task_refs(root).items()
            if ref and decision_path(ref) in found}
