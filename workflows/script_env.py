"""The restricted Python environment in which BPMN scripts, conditions and timer expressions run.

Two layers:

* a static check (:func:`check_source`), run at deployment by ``definitions.validate`` and again
  before every compilation: no import, no ``while``, no function/class definition, no name or
  attribute starting with ``_``, no ``**``, no huge literal, only known names;
* RestrictedPython (``compile_restricted_exec`` / ``compile_restricted_eval``) with guarded
  ``_getattr_``/``_getitem_``/``_getiter_``/``_write_`` and a small builtins whitelist; ``range``
  is capped. The engine's default ``exec``/``eval`` of SpiffWorkflow is never used.

Only ``dossier`` (a read-only ``MappingProxyType``) and the action functions are exposed.
"""

from __future__ import annotations

import ast
import functools
import operator
import re
from collections.abc import Callable, Mapping
from types import CodeType, MappingProxyType, ModuleType

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .contract import ACTION_NAMES, DOSSIER_NAME, ScriptContext

# Variables user tasks put in the task data (form fields), readable by scripts.
TASK_DATA_NAMES = frozenset({"decision", "motif"})
MAX_RANGE = 10_000
MAX_INT_LITERAL = 10**6
MAX_STR_LITERAL = 10_000
MAX_SOURCE_CHARS = 20_000


class ScriptRejected(Exception):  # deliberately NOT a SyntaxError (see SPIFFWORKFLOW.md s09)
    """The source of a script/expression is not allowed in the restricted environment."""


def _capped_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise ValueError(f"range() limité à {MAX_RANGE} éléments")
    return r


SAFE_BUILTINS: Mapping[str, object] = MappingProxyType(
    {
        "True": True,
        "False": False,
        "None": None,
        "abs": abs,
        "all": all,
        "any": any,
        "bool": bool,
        "dict": dict,
        "enumerate": enumerate,
        "float": float,
        "int": int,
        "isinstance": isinstance,
        "len": len,
        "list": list,
        "max": max,
        "min": min,
        "range": _capped_range,
        "round": round,
        "set": set,
        "sorted": sorted,
        "str": str,
        "sum": sum,
        "tuple": tuple,
        "zip": zip,
    }
)

_INPLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
}


def _inplacevar(op: str, x: object, y: object) -> object:
    try:
        return _INPLACE[op](x, y)
    except KeyError:
        raise ScriptRejected(f"opérateur « {op} » interdit") from None


def _apply(f: Callable, *args: object, **kwargs: object) -> object:
    return f(*args, **kwargs)


_GUARDS = {
    "_getattr_": safer_getattr,
    "_getitem_": lambda ob, key: ob[key],
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    "_apply_": _apply,
}

ALLOWED_GLOBAL_NAMES = frozenset(SAFE_BUILTINS) | {DOSSIER_NAME} | frozenset(ACTION_NAMES)

_FORBIDDEN_NODES: dict[type, str] = {
    ast.Import: "« import » est interdit",
    ast.ImportFrom: "« import » est interdit",
    ast.While: "les boucles « while » sont interdites",
    ast.FunctionDef: "la définition de fonctions est interdite",
    ast.AsyncFunctionDef: "la définition de fonctions est interdite",
    ast.Lambda: "les fonctions « lambda » sont interdites",
    ast.ClassDef: "la définition de classes est interdite",
    ast.Global: "« global » est interdit",
    ast.Nonlocal: "« nonlocal » est interdit",
    ast.Try: "« try » est interdit",
    ast.With: "« with » est interdit",
    ast.AsyncWith: "« with » est interdit",
    ast.AsyncFor: "« async for » est interdit",
    ast.Await: "« await » est interdit",
    ast.Yield: "« yield » est interdit",
    ast.YieldFrom: "« yield » est interdit",
    ast.Raise: "« raise » est interdit",
    ast.Delete: "« del » est interdit",
    ast.Pow: "l'opérateur « ** » est interdit",
    ast.Starred: "le dépaquetage « * » est interdit",
    ast.NamedExpr: "l'opérateur « := » est interdit",
}


def check_source(source: object, mode: str) -> list[tuple[int | None, str]]:
    """Static check of a script (``mode='exec'``) or expression (``mode='eval'``).

    Returns ``[(line_in_source_or_None, french_message), ...]``; empty when allowed.
    """
    if not isinstance(source, str):
        return [(None, "le code doit être un texte")]
    if len(source) > MAX_SOURCE_CHARS:
        return [(None, f"le code dépasse {MAX_SOURCE_CHARS} caractères")]
    if mode == "eval" and not source.strip():
        return [(None, "expression vide")]
    try:
        tree = ast.parse(source, "<bpmn>", mode)
    except SyntaxError as exc:
        column = f" (colonne {exc.offset})" if exc.offset else ""
        return [(exc.lineno, f"erreur de syntaxe Python : {_syntax_fr(exc.msg)}{column}")]
    except (ValueError, RecursionError, MemoryError) as exc:
        return [(None, f"code illisible : {type(exc).__name__}")]
    problems: list[tuple[int | None, str]] = []
    assigned: set[str] = set()
    loaded: list[ast.Name] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        msg = _FORBIDDEN_NODES.get(type(node))
        if msg:
            problems.append((line, msg))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            problems.append((line, _FORBIDDEN_NODES[ast.Pow]))
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Pow):
            problems.append((line, _FORBIDDEN_NODES[ast.Pow]))
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            problems.append((line, f"l'attribut « {node.attr} » est interdit (commence par « _ »)"))
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                problems.append((line, f"le nom « {node.id} » est interdit (commence par « _ »)"))
            elif isinstance(node.ctx, ast.Store):
                assigned.add(node.id)
            else:
                loaded.append(node)
        elif isinstance(node, ast.Constant):
            value = node.value
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and abs(value) > MAX_INT_LITERAL
            ):
                problems.append((line, "nombre littéral trop grand"))
            elif isinstance(value, (str, bytes)) and len(value) > MAX_STR_LITERAL:
                problems.append((line, "texte littéral trop long"))
        elif isinstance(node, ast.keyword) and node.arg is None:
            problems.append(
                (getattr(node.value, "lineno", None), "le dépaquetage « ** » est interdit")
            )
    known = ALLOWED_GLOBAL_NAMES | TASK_DATA_NAMES | assigned
    for name in loaded:
        if name.id not in known:
            problems.append((name.lineno, f"nom inconnu « {name.id} »"))
    if not problems:
        result = _restricted_compile(source, mode)
        for err in result.errors:
            problems.append(_restricted_fr(str(err)))
    return sorted(set(problems), key=lambda p: (p[0] or 0, p[1]))


_SYNTAX_FR = (
    ("was never closed", "parenthèse, crochet ou accolade jamais fermé"),
    ("unterminated triple-quoted string", "texte entre triples guillemets non terminé"),
    ("unterminated string literal", "texte entre guillemets non terminé"),
    ("unexpected EOF", "fin de code inattendue"),
    ("unexpected indent", "indentation inattendue"),
    ("unindent does not match", "indentation incohérente"),
    ("expected an indented block", "bloc indenté attendu"),
    ("inconsistent use of tabs", "mélange de tabulations et d'espaces"),
    ("invalid character", "caractère invalide"),
    ("invalid non-printable character", "caractère invisible invalide"),
    ("does not match opening parenthesis", "parenthèses mal appariées"),
    ("unmatched", "parenthèse, crochet ou accolade fermant sans ouvrant"),
    ("cannot assign to", "affectation impossible à cet endroit"),
    ("expected ':'", "« : » attendu"),
    ("invalid decimal literal", "nombre invalide"),
    ("leading zeros", "zéros en tête d'un nombre interdits"),
    ("Perhaps you forgot a comma", "virgule manquante ?"),
    ("positional argument follows keyword argument",
     "argument positionnel après un argument nommé"),
    ("outside function", "instruction hors d'une fonction"),
    ("outside loop", "instruction hors d'une boucle"),
    ("source code cannot contain null bytes", "le code contient un octet nul"),
)


def _syntax_fr(msg: str | None) -> str:
    for needle, french in _SYNTAX_FR:
        if needle in (msg or ""):
            return french
    return "syntaxe invalide"


_LINE = re.compile(r"^Line (\d+):")


def _restricted_fr(err: str) -> tuple[int | None, str]:
    """A RestrictedPython compile error in French (its English text stays out)."""
    m = _LINE.match(err)
    line = int(m.group(1)) if m else None
    if "starts with" in err and "_" in err:
        what = "nom commençant par « _ » interdit"
    elif "Exec calls" in err or "Eval calls" in err:
        what = "exec et eval interdits"
    elif "Print statements" in err or "print" in err:
        what = "print interdit"
    else:
        what = "construction interdite"
    return line, f"refusé par l'environnement restreint : {what}"


@functools.lru_cache(maxsize=2048)
def _restricted_compile(source: str, mode: str):
    if mode == "eval":
        return compile_restricted_eval(source, "<bpmn>")
    return compile_restricted_exec(source, "<bpmn>")


@functools.lru_cache(maxsize=2048)
def compile_checked(source: str, mode: str) -> CodeType:
    """Statically check then compile restricted; raise :class:`ScriptRejected` (French)."""
    problems = check_source(source, mode)
    if problems:
        raise ScriptRejected("; ".join(_fmt(line, msg) for line, msg in problems))
    result = _restricted_compile(source, mode)
    if result.code is None:  # pragma: no cover - check_source already reported errors
        raise ScriptRejected("code refusé par l'environnement restreint")
    return result.code


def _fmt(line: int | None, msg: str) -> str:
    return f"ligne {line} : {msg}" if line else msg


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment running restricted code against one ScriptContext."""

    def __init__(self, context: ScriptContext):
        unknown = set(context.actions) - set(ACTION_NAMES)
        if unknown:
            raise ValueError(f"actions inconnues du contrat : {sorted(unknown)}")
        # a read-only view handed over as such is kept (the service computes its facts on
        # first read); anything else is copied, so later changes to it are not seen
        facts = (context.facts if isinstance(context.facts, MappingProxyType)
                 else MappingProxyType(dict(context.facts)))
        super().__init__({DOSSIER_NAME: facts, **context.actions})

    def _globals(self, data: Mapping[str, object]) -> dict[str, object]:
        clash = (set(self.globals) | set(SAFE_BUILTINS)).intersection(data)
        if clash:
            raise ValueError(
                f"les données de la tâche masquent des noms réservés : {sorted(clash)}"
            )
        g: dict[str, object] = {"__builtins__": dict(SAFE_BUILTINS), **_GUARDS}
        g.update(self.globals)
        g.update(data)
        return g

    def evaluate(self, expression, context, external_context=None):
        code = compile_checked(expression, "eval")
        return eval(code, self._globals(context))  # noqa: S307 - restricted bytecode only

    def execute(self, script, context, external_context=None):
        code = compile_checked(script, "exec")
        g = self._globals(context)
        before = set(g)
        exec(code, g)  # noqa: S102 - restricted bytecode only
        for key, value in g.items():
            if key.startswith("_") or key in self.globals or key in SAFE_BUILTINS:
                continue
            if callable(value) or isinstance(value, ModuleType):
                continue
            if key in before and context.get(key, _MISSING) is value:
                continue
            context[key] = value
        return True

    def call_service(self, context, **kwargs):  # pragma: no cover - no service tasks allowed
        raise ScriptRejected("les tâches de service ne sont pas prises en charge")


_MISSING = object()


def make_script_engine(context: ScriptContext) -> PythonScriptEngine:
    """A Spiff script engine bound to one run's facts and actions."""
    return PythonScriptEngine(environment=RestrictedEnvironment(context))
