"""The restricted Python environment in which BPMN scripts, conditions and timer expressions run.

Two layers:

* a static check (:func:`check_source`), run at deployment by ``definitions.validate`` and again
  before every compilation: no import, no ``while``, no function/class definition, no name or
  attribute starting with ``_``, no ``**``, no huge literal, only known names;
* RestrictedPython (``compile_restricted_exec`` / ``compile_restricted_eval``) with guarded
  ``_getattr_``/``_getitem_``/``_getiter_``/``_write_`` and a small builtins whitelist; ``range``
  is capped. The engine's default ``exec``/``eval`` of SpiffWorkflow is never used.

Bounds (issue 12, item 4), so that no designer's code can take the web process's CPU or memory:

* the static check also refuses what the guards would refuse at run time and can be seen in the
  source: generator expressions, an attribute or method that is not on the allowlist
  (``.format``, ``format_map``...), ``%`` formatting of a literal text, f-string format specs
  that are not short literals;
* the compiled code routes ``*``, ``+``, ``<<``, ``%`` (and ``*=``...) through :func:`_binop`,
  which checks the size of the result (sequence length, text length, integer bits) BEFORE it is
  computed, and every attribute through :func:`_guarded_getattr` (an allowlist per type, with a
  size check on the methods that grow a value: ``join``, ``replace``, ``extend``, ``update``...);
* the compiled code calls ``_step_()`` before every statement and at every item of a
  comprehension (there is no ``while``, no function, no recursion: that is all the work it can
  repeat); each evaluation has a step budget, and every few steps ``_step_`` checks a wall-clock
  deadline (time spent in action functions is not counted) and the growth of the process's
  resident memory (``/proc/self/statm``). Only restricted code pays for it: no ``sys.settrace``,
  so action functions and the library run at full speed.

A bound that is hit raises :class:`LimitExceeded` (French, names the bound); the engine wraps it
with the element's BPMN id and the service layer records an incident on the case.

Only ``dossier`` (a read-only ``MappingProxyType``) and the action functions are exposed.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import json
import operator
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import CodeType, MappingProxyType, ModuleType

from RestrictedPython import (
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
)
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.util.task import TaskState

from .contract import (
    ACTION_NAMES,
    DATA_GROUP_ASSIGNMENTS,
    DOSSIER_NAME,
    ActionCall,
    ScriptContext,
)

# Variables user tasks put in the task data (form fields), readable by scripts.
TASK_DATA_NAMES = frozenset({"decision", "motif"})
MAX_RANGE = 10_000
MAX_INT_LITERAL = 10**6
MAX_STR_LITERAL = 10_000
MAX_SOURCE_CHARS = 20_000


FILENAME = "<bpmn>"  # the code objects of restricted code, and only they, carry this name


class ScriptRejected(Exception):  # deliberately NOT a SyntaxError (see SPIFFWORKFLOW.md s09)
    """The source of a script/expression is not allowed in the restricted environment."""


class LimitExceeded(Exception):
    """Restricted code hit a bound (steps, time, memory, size of a value); French message."""


class TimerValueRejected(LimitExceeded):
    """A timer's value the engine cannot use (not ISO 8601, out of range): told as what it is,
    not as a bound hit (still a LimitExceeded for the callers that stop on one)."""


@dataclass(frozen=True)
class Limits:
    steps: int = 100_000  # line events in restricted frames, per evaluation
    seconds: float = 1.0  # wall clock per evaluation, time spent in action functions excluded
    memory_bytes: int = 256 * 1024**2  # growth of the process's resident memory
    length: int = 100_000  # items of a list/tuple/dict/set, characters of a text
    int_bits: int = 4096  # bits of an integer (about 1 233 decimal digits)
    memory_every: int = 64  # steps between two reads of the resident memory


LIMITS = Limits()


def configure_limits(**values: object) -> Limits:
    """Replace the bounds (settings of the application); returns the new ones."""
    global LIMITS
    LIMITS = Limits(**{**LIMITS.__dict__, **{k: v for k, v in values.items() if v is not None}})
    return LIMITS


_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
_MISSING = object()


def _too_long(n: int) -> None:
    if n > LIMITS.length:
        raise LimitExceeded(f"valeur trop grande : {n} éléments ou caractères "
                            f"(limite {LIMITS.length})")


def _too_many_bits(bits: int) -> None:
    if bits > LIMITS.int_bits:
        raise LimitExceeded(f"nombre entier trop grand : {bits} bits (limite {LIMITS.int_bits})")


def _is_int(x: object) -> bool:
    return isinstance(x, int)  # bool included


def _deep_len(x: object) -> int:
    """len() of a text; the deep size (elements counted with repetition, sub-lists included,
    stopped past the bound) of a list or tuple: `[[0] * 3000] * 3000` is 9 million elements
    that a comparison walks, not 3000."""
    if isinstance(x, (str, bytes)):
        return len(x)
    return _measure(x, LIMITS.length)


def _check_binop(op: str, a: object, b: object) -> None:
    """Refuse, before computing it, a result larger than the bounds."""
    if op == "*":
        if isinstance(a, _SIZED) and _is_int(b):
            _too_long(_deep_len(a) * max(int(b), 0))
        elif isinstance(b, _SIZED) and _is_int(a):
            _too_long(_deep_len(b) * max(int(a), 0))
        elif _is_int(a) and _is_int(b):
            _too_many_bits(int(a).bit_length() + int(b).bit_length())
    elif op == "+":
        if isinstance(a, _SIZED) and isinstance(b, _SIZED):
            _too_long(_deep_len(a) + _deep_len(b))
        elif _is_int(a) and _is_int(b):
            _too_many_bits(max(int(a).bit_length(), int(b).bit_length()) + 1)
    elif op == "<<":
        if _is_int(a) and _is_int(b):
            _too_many_bits(int(a).bit_length() + max(int(b), 0))
    elif op == "%":
        if isinstance(a, (str, bytes)):
            raise LimitExceeded("le formatage de texte avec « % » est interdit "
                                "(utilisez une f-chaîne ou str())")


_BINOPS: dict[str, Callable] = {"*": operator.mul, "+": operator.add, "<<": operator.lshift,
                                "%": operator.mod}


def _binop(op: str, a: object, b: object) -> object:
    _check_binop(op, a, b)
    return _BINOPS[op](a, b)


def _capped_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise ValueError(f"range() limité à {MAX_RANGE} éléments")
    return r


_NUMBERS = (int, float, Decimal)


def _safe_sum(iterable, start=0):
    """sum() of numbers only: sum(lists, []) would concatenate in C, out of every bound."""
    if not isinstance(start, _NUMBERS):
        raise LimitExceeded("sum() n'additionne que des nombres")
    total = start
    for item in iterable:
        if not isinstance(item, _NUMBERS):
            raise LimitExceeded("sum() n'additionne que des nombres")
        total = total + item
        if isinstance(total, int):
            _too_many_bits(total.bit_length())
    return total


_CONTAINERS = (list, tuple, set, frozenset, dict, MappingProxyType)
_CONTAINER_TYPES = frozenset(_CONTAINERS)


def _leaf_text(item: object) -> int:
    if isinstance(item, (str, bytes)):
        return len(item) + 2
    if isinstance(item, int) and not isinstance(item, bool):
        return item.bit_length() // 3 + 1
    return 1


def _measure(x: object, budget: int, text: bool = False) -> int:
    """The size of `x` counted WITH repetition, stopped as soon as it passes `budget` (the value
    returned is then some number above it).

    ``text=True``: an upper bound of the characters str(x) writes (what a shared list prints is
    printed each time it is reached). ``text=False``: the *deep size*, the number of elements
    reachable in x, a container counted each time it is reached: what a comparison, a hash or
    a copy walks in C. Only a container on the current path is counted once (a real cycle,
    printed « [...] »). A container met again elsewhere reuses its measured size (memo), so a
    value shared a million times costs one walk: the whole measure costs at most about
    `budget` Python steps whatever the value.
    """
    if not isinstance(x, _CONTAINERS):
        return _leaf_text(x) if text else 1
    memo: dict[int, int] = {}
    on_path: set[int] = set()
    count = 0
    # frames: [container id, count when entered, iterator over the children still to see]
    stack: list[list] = []

    def enter(c) -> None:
        nonlocal count
        count += len(c) + (1 if text else 0)
        if not text and not (_CONTAINER_TYPES & set(map(type, _flat(c)))):
            memo[id(c)] = len(c)  # flat: nothing more to walk (C speed)
            return
        on_path.add(id(c))
        stack.append([id(c), count - len(c) - (1 if text else 0), iter(_flat(c))])

    enter(x)
    while stack and count <= budget:
        frame = stack[-1]
        child = next(frame[2], _MISSING)
        if child is _MISSING:
            stack.pop()
            on_path.discard(frame[0])
            memo[frame[0]] = count - frame[1]
            continue
        if isinstance(child, _CONTAINERS):
            if id(child) in memo:
                count += memo[id(child)]
            elif id(child) in on_path:
                count += 1
            else:
                enter(child)
        elif text:
            count += _leaf_text(child)
    return count


def _flat(c):
    if isinstance(c, (dict, MappingProxyType)):
        return [*c.keys(), *c.values()]
    return c


def _text_size(x: object, budget: int) -> int:
    """An upper bound of how many characters str(x) writes, stopped past budget."""
    return _measure(x, budget, text=True)


def text_size(x: object, budget: int) -> int:
    """An upper bound of the characters str(x) writes, counting a shared value each time it
    appears, stopped past `budget` (costs about `budget` steps at most). Also used by the
    letters' sandbox (services/letters/render.py)."""
    return _text_size(x, budget)


def _deep_guard(x: object) -> object:
    """A value about to be compared, hashed or sorted in C: its deep size is bounded."""
    if isinstance(x, _CONTAINERS):
        n = _measure(x, LIMITS.length)
        if n > LIMITS.length:
            raise LimitExceeded(f"valeur trop grande pour être comparée : plus de "
                                f"{LIMITS.length} éléments en tout, sous-listes comprises")
    return x


def _deep_arg(fn: Callable) -> Callable:
    """A builtin that compares or hashes the elements of its first argument."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        if len(args) == 1:
            _deep_guard(args[0])
        elif args:
            _deep_guard(args)  # max(a, b): all of them together
        return fn(*args, **kwargs)
    return call


MAX_ROUND_DIGITS = 30


def _safe_round(number, ndigits=None):
    """round() with |ndigits| <= 30: round(7, -10**8) works for minutes in C."""
    if ndigits is not None and (not _is_int(ndigits) or abs(int(ndigits)) > MAX_ROUND_DIGITS):
        raise LimitExceeded(f"round() : le nombre de chiffres doit être un entier entre "
                            f"-{MAX_ROUND_DIGITS} et {MAX_ROUND_DIGITS}")
    return round(number) if ndigits is None else round(number, ndigits)


def _safe_int(*args):
    """int() whose result stays within the integer bound (a text of 4 000 digits parses in C
    quadratic time; Python refuses more than 4 300 anyway)."""
    if args and isinstance(args[0], (str, bytes)) and len(args[0]) > LIMITS.int_bits:
        raise LimitExceeded(f"int() : texte trop long ({len(args[0])} caractères)")
    value = int(*args)
    _too_many_bits(value.bit_length())
    return value


def _text_guard(x: object) -> object:
    """The value about to be written as text (str(), f-string) is not too large to write."""
    _too_long(_text_size(x, LIMITS.length))
    return x


def _safe_str(*args):
    if args:
        _text_guard(args[0])
    return str(*args)


def _guarded_list_extend(target: list):
    def extend(iterable):
        items = list(iterable) if not isinstance(iterable, _SIZED) else iterable
        _too_long(len(target) + len(items))
        return target.extend(items)
    return extend


_COMPARING = {name: kinds for kinds, names in (
    (("list", "tuple"), ("index", "count", "remove", "sort")),
    (("dict", "mapping", "set"), ("get", "pop", "difference", "discard", "intersection",
                                  "isdisjoint", "issubset", "issuperset", "remove")),
) for name in names}


def _grow_guard(kind: str, target: object, name: str):
    """The bound method `name` of `target`, with a size check when it can grow a value."""
    method = getattr(target, name)
    length = LIMITS.length
    if name in _COMPARING and kind in _COMPARING[name]:
        # these compare or hash values in C: the target and the arguments are deep-bounded
        def compare(*args):
            _deep_guard(args if kind in ("dict", "set", "mapping") else (target, args))
            return method(*args)
        if name not in ("update", "union", "symmetric_difference", "setdefault", "add"):
            return compare

    if kind == "str":
        if name == "join":
            def join(iterable):
                items = list(iterable)
                _too_long(sum(len(i) if isinstance(i, str) else 0 for i in items)
                          + len(target) * max(len(items) - 1, 0))
                return method(items)
            return join
        if name == "replace":
            def replace(old, new, count=-1):
                if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
                    n = target.count(old) if old else len(target) + 1
                    if count >= 0:
                        n = min(n, count)
                    _too_long(len(target) + n * (len(new) - len(old)))
                return method(old, new, count)
            return replace
        if name in ("ljust", "rjust", "center", "zfill"):
            def pad(width, *rest):
                if isinstance(width, int):
                    _too_long(width)
                return method(width, *rest)
            return pad
        if name == "expandtabs":
            def expandtabs(tabsize=8):
                _too_long(len(target) * max(int(tabsize), 1))
                return method(tabsize)
            return expandtabs
    elif kind == "list":
        if name == "extend":
            return _guarded_list_extend(target)
        if name in ("append", "insert"):
            def grow(*args):
                _too_long(len(target) + 1)
                return method(*args)
            return grow
    elif kind in ("dict", "set") and name in ("update", "union", "symmetric_difference"):
        def grow_many(*others):
            total = len(target)
            for other in others:
                total += len(other) if isinstance(other, _SIZED) else length + 1
            _too_long(total)
            return method(*others)
        return grow_many
    elif kind == "set" and name == "add":
        def add(item):
            _too_long(len(target) + 1)
            return method(item)
        return add
    elif kind == "dict" and name == "setdefault":
        def setdefault(*args):
            _too_long(len(target) + 1)
            return method(*args)
        return setdefault
    return method


_STR_NAMES = frozenset({
    "capitalize", "casefold", "center", "count", "endswith", "expandtabs", "find", "index",
    "isalnum", "isalpha", "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle",
    "isupper", "join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix",
    "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split",
    "splitlines", "startswith", "strip", "swapcase", "title", "upper", "zfill",
})
_LIST_NAMES = frozenset({"append", "clear", "copy", "count", "extend", "index", "insert", "pop",
                         "remove", "reverse", "sort"})
_TUPLE_NAMES = frozenset({"count", "index"})
_DICT_NAMES = frozenset({"clear", "copy", "get", "items", "keys", "pop", "popitem", "setdefault",
                         "update", "values"})
_MAPPING_NAMES = frozenset({"get", "items", "keys", "values"})
_SET_NAMES = frozenset({"add", "clear", "copy", "difference", "discard", "intersection",
                        "isdisjoint", "issubset", "issuperset", "pop", "remove",
                        "symmetric_difference", "union", "update"})
_NUMBER_NAMES = frozenset({"real", "imag", "is_integer", "bit_length"})
_DATE_NAMES = frozenset({"year", "month", "day", "weekday", "isoweekday", "isoformat",
                         "isocalendar", "toordinal"})
_DATETIME_NAMES = _DATE_NAMES | {"hour", "minute", "second", "microsecond", "date", "time",
                                 "tzinfo", "utcoffset", "timestamp"}
_TIMEDELTA_NAMES = frozenset({"days", "seconds", "microseconds", "total_seconds"})

# (type, kind, names), the most specific first (bool is an int, datetime a date)
_ALLOWED_ATTRIBUTES: tuple[tuple[type, str, frozenset[str]], ...] = (
    (str, "str", _STR_NAMES),
    (list, "list", _LIST_NAMES),
    (tuple, "tuple", _TUPLE_NAMES),
    (dict, "dict", _DICT_NAMES),
    (MappingProxyType, "mapping", _MAPPING_NAMES),
    (set, "set", _SET_NAMES),
    (frozenset, "set", _SET_NAMES - {"add", "clear", "discard", "pop", "remove", "update"}),
    (bool, "number", _NUMBER_NAMES),
    (int, "number", _NUMBER_NAMES),
    (float, "number", _NUMBER_NAMES),
    (Decimal, "number", frozenset()),
    (dt.datetime, "datetime", _DATETIME_NAMES),
    (dt.date, "date", _DATE_NAMES),
    (dt.timedelta, "timedelta", _TIMEDELTA_NAMES),
)
# Every attribute name code may write at all: the static check refuses any other at validation.
ALLOWED_ATTRIBUTE_NAMES = frozenset().union(*(names for _, _, names in _ALLOWED_ATTRIBUTES))


def _guarded_getattr(obj: object, name: str, *default: object) -> object:
    """The allowlist of attributes per type; the methods that grow a value check its size."""
    if isinstance(name, str) and not name.startswith("_"):
        for typ, kind, names in _ALLOWED_ATTRIBUTES:
            if isinstance(obj, typ):
                if name in names:
                    return _grow_guard(kind, obj, name)
                break
    raise ScriptRejected(f"attribut ou méthode « {str(name)[:40]} » non permis "
                         f"sur une valeur de type {type(obj).__name__}")


_TYPE_OF: dict[object, type] = {}  # a guarded builtin -> the type it stands for


def _typed(fn: Callable, typ: type) -> Callable:
    _TYPE_OF[fn] = typ
    return fn


def _safe_isinstance(obj: object, types: object) -> bool:
    """isinstance() that takes the guarded `int`, `dict`, `set`, `tuple` for their types."""
    if isinstance(types, tuple):
        types = tuple(_TYPE_OF.get(t, t) for t in types)
    else:
        types = _TYPE_OF.get(types, types)
    return isinstance(obj, types)


SAFE_BUILTINS: Mapping[str, object] = MappingProxyType(
    {
        "True": True,
        "False": False,
        "None": None,
        "abs": abs,
        "all": all,
        "any": any,
        "bool": bool,
        "dict": _typed(_deep_arg(dict), dict),  # compares or hashes its elements
        "enumerate": enumerate,
        "float": float,
        "int": _typed(_safe_int, int),
        "isinstance": _safe_isinstance,
        "len": len,
        "list": list,
        "max": _deep_arg(max),  # compares or hashes its elements
        "min": _deep_arg(min),  # compares or hashes its elements
        "range": _capped_range,
        "round": _safe_round,
        "set": _typed(_deep_arg(set), set),  # compares or hashes its elements
        "sorted": _deep_arg(sorted),  # compares or hashes its elements
        "str": str,  # a call `str(x)` is compiled as `_str_(x)` (size checked)
        "sum": _safe_sum,
        "tuple": _typed(_deep_arg(tuple), tuple),  # compares or hashes its elements
        "zip": zip,
    }
)

_INPLACE = {
    "+=": (operator.iadd, "+"),
    "-=": (operator.isub, None),
    "*=": (operator.imul, "*"),
    "/=": (operator.itruediv, None),
    "//=": (operator.ifloordiv, None),
    "%=": (operator.imod, "%"),
    "<<=": (operator.ilshift, "<<"),
}


def _inplacevar(op: str, x: object, y: object) -> object:
    try:
        fn, checked = _INPLACE[op]
    except KeyError:
        raise ScriptRejected(f"opérateur « {op} » interdit") from None
    if checked:
        _check_binop(checked, x, y)
    return fn(x, y)


class _ListWrites:
    """What `x[i] = v`, `x[a:b] = v` and `del x[i]` write to when x is a list: assigning a
    slice can grow the list in C, out of every other bound (`x[:0] = x` doubles it; a dozen
    doublings of a 100 000-item list took gigabytes in a dozen steps, before the memory check
    ran), so the length it would reach is checked first."""

    __slots__ = ("_target",)

    def __init__(self, target: list):
        object.__setattr__(self, "_target", target)

    def __setitem__(self, key: object, value: object) -> None:
        target = self._target
        if isinstance(key, slice):
            items = value if isinstance(value, _SIZED) else list(value)  # an iterator is read
            _too_long(len(target) - len(range(*key.indices(len(target)))) + len(items))
            value = items
        target[key] = value

    def __delitem__(self, key: object) -> None:
        del self._target[key]

    def __setattr__(self, name: str, value: object) -> None:
        raise ScriptRejected(f"attribut « {str(name)[:40]} » non modifiable")


def _write_guard(ob: object) -> object:
    """RestrictedPython's write guard, with a list's slice assignments bounded."""
    return _ListWrites(ob) if type(ob) is list else full_write_guard(ob)


def _apply(f: Callable, *args: object, **kwargs: object) -> object:
    return f(*args, **kwargs)


_GUARDS = {
    "_getattr_": _guarded_getattr,
    "_getitem_": lambda ob, key: ob[_deep_guard(key) if isinstance(key, tuple) else key],
    "_deep_": _deep_guard,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": _write_guard,
    "_inplacevar_": _inplacevar,
    "_apply_": _apply,
    "_binop_": _binop,
    "_text_": _text_guard,
    "_str_": _safe_str,
}

_GUARDED_OPS = {ast.Mult: "*", ast.Add: "+", ast.LShift: "<<", ast.Mod: "%"}


class BoundingTransformer(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: `a * b`, `a + b`, `a << b`, `a % b` become
    `_binop_("*", a, b)`... and an f-string's values go through `_text_(value)`."""

    def visit_BinOp(self, node: ast.BinOp):
        node = self.node_contents_visit(node)
        op = _GUARDED_OPS.get(type(node.op))
        if op is None:
            return node
        call = ast.Call(func=ast.Name("_binop_", ast.Load()),
                        args=[ast.Constant(op), node.left, node.right], keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_Compare(self, node: ast.Compare):
        """`a == b < c` becomes `_deep_(a) == _deep_(b) < _deep_(c)`: the comparison of two
        containers walks them in C, out of the step budget; their deep size is bounded first
        (evaluation order and short-circuit unchanged)."""
        node = self.node_contents_visit(node)
        node.left = _wrap("_deep_", node.left)
        node.comparators = [_wrap("_deep_", c) for c in node.comparators]
        return node

    def visit_Tuple(self, node: ast.Tuple):
        """A tuple written in the code (hashable: a dict key, a set item) is deep-bounded when
        built, as `tuple()`, `*` and `+` are: hashing it walks it in C."""
        node = self.node_contents_visit(node)
        if isinstance(node.ctx, ast.Load):
            return _wrap("_deep_", node)
        return node

    def visit_Call(self, node: ast.Call):
        node = super().visit_Call(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "str":
            node.func = ast.copy_location(ast.Name("_str_", ast.Load()), node.func)
        return node

    def visit_comprehension(self, node: ast.comprehension):
        node = self.node_contents_visit(node)
        node.ifs = [_step_call(node.target), *node.ifs]  # every item counts, kept or not
        return node

    def visit_Module(self, node: ast.Module):
        node = self.node_contents_visit(node)
        for parent in ast.walk(node):
            for name in ("body", "orelse"):
                block = getattr(parent, name, None)
                if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                    setattr(parent, name, [s for stmt in block for s in (
                        ast.copy_location(ast.Expr(_step_call(stmt)), stmt), stmt)])
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue):
        node = self.node_contents_visit(node)
        node.value = ast.fix_missing_locations(ast.copy_location(
            ast.Call(func=ast.Name("_text_", ast.Load()), args=[node.value], keywords=[]),
            node.value))
        return node


def _wrap(guard: str, value: ast.expr) -> ast.Call:
    call = ast.Call(func=ast.Name(guard, ast.Load()), args=[value], keywords=[])
    return ast.fix_missing_locations(ast.copy_location(call, value))


def _step_call(where: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name("_step_", ast.Load()), args=[], keywords=[])
    return ast.fix_missing_locations(ast.copy_location(call, where))


# ---- the budget: steps, wall clock, resident memory -------------------------------------------

try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # pragma: no cover - not a POSIX system
    _PAGE = 4096
_statm_fd: int | None = None
_statm_lock = threading.Lock()


def resident_bytes() -> int | None:
    """The process's resident memory (Linux /proc/self/statm; None elsewhere)."""
    global _statm_fd
    try:
        if _statm_fd is None:
            with _statm_lock:
                if _statm_fd is None:
                    _statm_fd = os.open("/proc/self/statm", os.O_RDONLY)
        return int(os.pread(_statm_fd, 128, 0).split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


class _Budget:
    """The bounds of one evaluation. `step()` is called by the compiled code before every
    statement and at every item of a comprehension (BoundingTransformer): as there is no
    `while`, no function and no recursion, that counts all the work the code can repeat."""

    __slots__ = ("steps", "deadline", "rss_limit", "every", "countdown", "limits")

    def __init__(self, limits: Limits):
        self.limits = limits
        self.steps = limits.steps
        self.deadline = time.monotonic() + limits.seconds
        # the resident memory is first read at the first check (most evaluations are a few
        # steps long and never get there): what the first steps allocate is bounded by the
        # size guards
        self.rss_limit: int | None = -1
        self.every = self.countdown = max(1, limits.memory_every)

    def step(self) -> bool:
        self.steps -= 1
        if self.steps < 0:
            raise LimitExceeded(f"trop d'étapes de calcul (limite {self.limits.steps} étapes : "
                                "instructions exécutées et tours de boucle)")
        self.countdown -= 1
        if self.countdown <= 0:
            self.countdown = self.every
            self.check()
        return True

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"temps de calcul dépassé (limite {self.limits.seconds:g} s)")
        if self.rss_limit is not None:
            rss = resident_bytes()
            if rss is None or self.rss_limit < 0:
                self.rss_limit = None if rss is None else rss + self.limits.memory_bytes
            elif rss > self.rss_limit:
                raise LimitExceeded(
                    "mémoire dépassée (limite "
                    f"{self.limits.memory_bytes // 1024**2} Mio de plus pendant le calcul)")


_current: threading.local = threading.local()


def bounded(g: dict, run: Callable[[], object]) -> object:
    """Run `run()` (restricted code reading its globals `g`) under the bounds of LIMITS;
    LimitExceeded when one is hit."""
    if getattr(_current, "budget", None) is not None:  # nested: the outer budget applies
        g["_step_"] = _current.budget.step
        return run()
    budget = _Budget(LIMITS)
    g["_step_"] = budget.step
    _current.budget = budget
    try:
        return run()
    finally:
        _current.budget = None


ACTION_STEPS = 1000  # an action call writes to the database: it costs that many steps


def _untimed(action: Callable) -> Callable:
    """An action function whose time (database work) is not counted in the deadline, but whose
    call costs ACTION_STEPS steps (at most 100 calls per evaluation with the default budget)."""
    @functools.wraps(action)
    def call(*args, **kwargs):
        budget = getattr(_current, "budget", None)
        if budget is not None:
            budget.steps -= ACTION_STEPS - 1
            budget.step()
        started = time.monotonic()
        try:
            return action(*args, **kwargs)
        finally:
            if budget is not None:
                budget.deadline += time.monotonic() - started
    return call


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
    ast.GeneratorExp: "les expressions génératrices « (… for …) » sont interdites : "
                      "utilisez une liste « […] »",
}
_ATTRIBUTE_HINTS = {
    "format": "« .format » est interdit : utilisez une f-chaîne (f\"…{x}\")",
    "format_map": "« .format_map » est interdit : utilisez une f-chaîne (f\"…{x}\")",
}
_WIDE_SPEC = re.compile(r"\d{4,}")


def _attribute_problem(node: ast.Attribute) -> str | None:
    if node.attr.startswith("_"):
        return f"l'attribut « {node.attr} » est interdit (commence par « _ »)"
    if node.attr in _ATTRIBUTE_HINTS:
        return _ATTRIBUTE_HINTS[node.attr]
    if not isinstance(node.ctx, ast.Load):
        return f"modifier l'attribut « {node.attr} » est interdit"
    receiver = node.value
    if isinstance(receiver, ast.Name) and receiver.id == DOSSIER_NAME:
        names = _MAPPING_NAMES  # the facts: a read-only mapping
    elif isinstance(receiver, (ast.JoinedStr, ast.Constant)) and isinstance(
            getattr(receiver, "value", ""), str):
        names = _STR_NAMES
    else:
        names = ALLOWED_ATTRIBUTE_NAMES
    if node.attr not in names:
        return (f"l'attribut ou la méthode « {node.attr} » n'est pas permis "
                "(voir la liste des méthodes permises dans la documentation des concepteurs)")
    return None


def _bare_str_problems(tree: ast.AST) -> list[tuple[int | None, str]]:
    """`str` may be called (`str(x)`, size checked) or named as a type in `isinstance`; handed
    over as a function (`key=str`, `f = str`) it would convert values unchecked."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                allowed.add(id(node.func))
                if node.func.id == "isinstance" and len(node.args) == 2:
                    types = node.args[1]
                    for t in (types.elts if isinstance(types, ast.Tuple) else [types]):
                        allowed.add(id(t))
    return [(node.lineno, "« str » ne peut être qu'appelé (str(x)) ou nommé dans isinstance")
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id == "str"
            and isinstance(node.ctx, ast.Load) and id(node) not in allowed]


def _format_spec_problem(node: ast.FormattedValue) -> str | None:
    spec = node.format_spec
    if spec is None:
        return None
    parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
    if not all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in parts):
        return "un format calculé dans une f-chaîne (« {x:{y}} ») est interdit"
    if any(_WIDE_SPEC.search(v.value) for v in parts):
        return "une largeur ou une précision de plus de 3 chiffres dans une f-chaîne est interdite"
    return None


def check_source(source: object, mode: str, data_names: frozenset[str] = frozenset()
                 ) -> list[tuple[int | None, str]]:
    """Static check of a script (``mode='exec'``) or expression (``mode='eval'``).
    `data_names`: the task data's variables it may read besides the contract's (the keys of
    the bundle's form fields at deployment, the variables of the task data when it runs).

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
        if isinstance(node, ast.Attribute):
            said = _attribute_problem(node)
            if said:
                problems.append((line, said))
        elif isinstance(node, ast.FormattedValue):
            said = _format_spec_problem(node)
            if said:
                problems.append((line, said))
        elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod)
              and isinstance(node.left, (ast.Constant, ast.JoinedStr))
              and isinstance(getattr(node.left, "value", ""), str)):
            problems.append((line, "le formatage de texte avec « % » est interdit "
                                   "(utilisez une f-chaîne)"))
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
    problems.extend(_bare_str_problems(tree))
    known = ALLOWED_GLOBAL_NAMES | TASK_DATA_NAMES | assigned
    for name in loaded:
        if name.id not in known and name.id not in data_names:
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
        return compile_restricted_eval(source, FILENAME, policy=BoundingTransformer)
    return compile_restricted_exec(source, FILENAME, policy=BoundingTransformer)


@functools.lru_cache(maxsize=2048)
def compile_checked(source: str, mode: str, data_names: frozenset[str] = frozenset()
                    ) -> CodeType:
    """Statically check then compile restricted; raise :class:`ScriptRejected` (French)."""
    problems = check_source(source, mode, data_names)
    if problems:
        raise ScriptRejected("; ".join(_fmt(line, msg) for line, msg in problems))
    result = _restricted_compile(source, mode)
    if result.code is None:  # pragma: no cover - check_source already reported errors
        raise ScriptRejected("code refusé par l'environnement restreint")
    return result.code


def _fmt(line: int | None, msg: str) -> str:
    return f"ligne {line} : {msg}" if line else msg


class AnyDataName:
    """Every name a task data variable may have (not starting with "_"): for parsing a version
    already deployed, whose names were checked against its bundle's forms at deployment."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.isidentifier() and not name.startswith("_")


ANY_DATA_NAME = AnyDataName()


def _data_names(source: object, data: Mapping[str, object]) -> frozenset[str]:
    """The task data's variables the source names (the answers of the forms): known names for
    the static check, so that a condition reads a form's field by its key."""
    if not isinstance(source, str):
        return frozenset()
    return frozenset(k for k in data if isinstance(k, str) and not k.startswith("_")
                     and k.isidentifier() and k in source)


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
        actions = {name: _untimed(fn) for name, fn in context.actions.items()}
        self.context = context
        super().__init__({DOSSIER_NAME: facts, **actions})

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
        # external_context: what SpiffWorkflow adds for one evaluation (a DMN cell's "?" value)
        if external_context:
            context = {**context, **external_context}
        code = compile_checked(expression, "eval", _data_names(expression, context))
        g = self._globals(context)
        return bounded(g, lambda: eval(code, g))  # noqa: S307 - restricted bytecode only

    def execute(self, script, context, external_context=None):
        code = compile_checked(script, "exec", _data_names(script, context))
        g = self._globals(context)
        before = set(g)
        left: dict[str, object] = {}
        bounded(g, lambda: exec(code, g))  # noqa: S102 - restricted bytecode only
        for key, value in g.items():
            if key.startswith("_") or key in self.globals or key in SAFE_BUILTINS:
                continue
            if callable(value) or isinstance(value, ModuleType):
                continue
            if key in before and context.get(key, _MISSING) is value:
                continue
            _check_estimate(key, value)
            left[key] = value
        # bounded estimates first (the variables, then all the task data), JSON only then
        _check_total({**context, **left})
        for key, value in left.items():
            _check_storable(key, value)
            context[key] = value
        return True

    def call_service(self, context, **kwargs):  # pragma: no cover - see BoundedScriptEngine
        raise ScriptRejected("tâche de service appelée hors du moteur")


MAX_VARIABLE_CHARS = 1_000_000  # a variable's JSON in the stored process state
MAX_DATA_CHARS = 1_000_000  # all the variables of a task's data together
_STORABLE_AS_TEXT = (dt.date, dt.datetime, dt.timedelta, Decimal)


def _storable_default(value: object) -> object:
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, _STORABLE_AS_TEXT):
        return str(value)
    raise TypeError(type(value).__name__)


def _not_storable(name: str) -> str:
    return f"la variable « {name} » ne peut pas être enregistrée dans les données du processus"


def _check_estimate(name: str, value: object) -> None:
    """A bounded estimate (shared sub-lists counted each time, as JSON writes them): a value
    too large is refused without being serialised."""
    if _measure(value, MAX_VARIABLE_CHARS, text=True) > MAX_VARIABLE_CHARS:
        raise LimitExceeded(f"{_not_storable(name)} : plus de {MAX_VARIABLE_CHARS} caractères "
                            f"une fois enregistrée (limite {MAX_VARIABLE_CHARS})")


def _check_storable(name: str, value: object) -> int:
    """A variable a script leaves goes into the stored process state (JSON): refuse, on the
    script's element, what could not be stored, instead of failing when the case is saved."""
    what = _not_storable(name)
    _check_estimate(name, value)
    try:
        text = json.dumps(value, default=_storable_default)
    except TypeError as exc:
        raise ScriptRejected(f"{what} : valeur de type {exc} (attendu : texte, nombre, booléen, "
                             "None, liste, dictionnaire, ensemble ou date)") from None
    except (ValueError, RecursionError, OverflowError):
        raise LimitExceeded(f"{what} : valeur trop imbriquée ou non représentable") from None
    if len(text) > MAX_VARIABLE_CHARS:
        raise LimitExceeded(f"{what} : {len(text)} caractères une fois enregistrée "
                            f"(limite {MAX_VARIABLE_CHARS})")
    return len(text)


def _check_total(data: Mapping[str, object]) -> None:
    """All the variables of the task data together (what goes into the stored process state)
    stay within MAX_DATA_CHARS (bounded estimate, each shared value counted each time)."""
    total = 0
    for value in data.values():
        total += _measure(value, MAX_DATA_CHARS - total, text=True)
        if total > MAX_DATA_CHARS:
            raise LimitExceeded(f"les données du processus dépasseraient {MAX_DATA_CHARS} "
                                "caractères en tout une fois enregistrées : réduisez les "
                                "variables laissées par les scripts")

# ---- timer values: bounded durations and dates --------------------------------------------------

MAX_TIMER_DAYS = 3660  # about ten years
TIMER_YEARS = (1970, 2999)  # far from datetime's limits (year 9999) whatever is added
_NUM = r"(\d{1,20}(?:[.,]\d{1,9})?)"
_DURATION = re.compile(
    rf"^P(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$",
    re.I)
_DAYS_PER = (366, 31, 7, 1, 1 / 24, 1 / 1440, 1 / 86400)


def timer_value_problem(value: object, duration: bool) -> str | None:
    """Why a timer's value (a duration for timeDuration, an instant for timeDate) cannot be
    used; None when it can. Bounded so that the engine never computes with it out of range."""
    if not isinstance(value, str):
        return f"la minuterie doit valoir un texte ISO 8601, pas une valeur de type " \
               f"{type(value).__name__}"
    text = value.strip()
    if duration:
        m = _DURATION.match(text)
        if m is None or text.upper() in ("P", "PT") or text.upper().endswith("T"):
            return f"« {text[:80]} » n'est pas une durée ISO 8601 (ex. \"P30D\")"
        days = sum(float(g.replace(",", ".")) * k
                   for g, k in zip(m.groups(), _DAYS_PER, strict=True) if g)
        if days > MAX_TIMER_DAYS:
            return (f"durée « {text[:80]} » hors limites : une minuterie dure au plus "
                    f"{MAX_TIMER_DAYS} jours (environ dix ans)")
        return None
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        return (f"« {text[:80]} » n'est pas une date ISO 8601 avec son fuseau horaire "
                '(ex. "2026-07-11T00:00:00+02:00")')
    low, high = TIMER_YEARS
    if not low <= instant.year <= high:
        return (f"date « {text[:80]} » hors limites : une minuterie échoit entre le 1er janvier "
                f"{low} et le 31 décembre {high}")
    return None


class BoundedScriptEngine(PythonScriptEngine):
    """Checks the value of a timer expression before SpiffWorkflow computes with it."""

    def evaluate(self, task, expression, external_context=None):
        value = super().evaluate(task, expression, external_context)
        kind = _timer_kind(task, expression)
        if kind is not None:
            problem = timer_value_problem(value, duration=kind == "duration")
            if problem:
                cause = TimerValueRejected(f"minuterie : {problem}")
                raise WorkflowTaskException(f"minuterie : {problem}", task=task,
                                            exception=cause) from cause
        return value


    def call_service(self, task, operation_name, operation_params):
        """A service task: its catalogue action, through the run's `call_action`. Any failure
        becomes an ActionFailed on the task (an incident on the case, never a crash)."""
        call = self.environment.context.call_action
        try:
            if call is None:
                raise ActionFailed("aucune action du catalogue ne peut s'exécuter ici")
            params = {name: p["value"] for name, p in operation_params.items()}
            call(ActionCall(task.task_spec.bpmn_id or task.task_spec.name, operation_name,
                            params, functools.partial(_assign_task, task)))
        except ActionFailed as exc:
            raise WorkflowTaskException(str(exc), task=task, exception=exc) from exc
        except Exception as exc:  # noqa: BLE001 - an action's bug is an incident, not a 500
            cause = ActionFailed(f"l'action « {operation_name} » a échoué "
                                 f"({type(exc).__name__})")
            cause.__cause__ = exc  # kept for the logs; the incident says the French cause
            raise WorkflowTaskException(str(cause), task=task, exception=cause) from cause
        return "null"


class ActionFailed(Exception):
    """A catalogue action could not run (French message): an incident on the case."""


def _assign_task(task, task_key: str, group: str) -> None:
    """Offer user task `task_key` of the instance to `group`: in the data its later tasks
    inherit, and on its tasks open now (runtime.open_tasks reads it first)."""
    def assign(data) -> None:
        current = data.get(DATA_GROUP_ASSIGNMENTS)
        data[DATA_GROUP_ASSIGNMENTS] = {**(current if isinstance(current, dict) else {}),
                                        task_key: group}
    assign(task.data)
    top = getattr(task.workflow, "top_workflow", task.workflow)
    for open_task in top.get_tasks(state=TaskState.READY, manual=True):
        if open_task.task_spec.name == task_key:
            assign(open_task.data)


def _timer_kind(task, expression: str) -> str | None:
    ed = getattr(getattr(task, "task_spec", None), "event_definition", None)
    for d in [ed, *getattr(ed, "event_definitions", ())]:
        if isinstance(d, TimerEventDefinition) and d.expression == expression:
            if isinstance(d, CycleTimerEventDefinition):
                return None
            return "duration" if isinstance(d, DurationTimerEventDefinition) else "date"
    return None


def make_script_engine(context: ScriptContext) -> PythonScriptEngine:
    """A Spiff script engine bound to one run's facts and actions."""
    return BoundedScriptEngine(environment=RestrictedEnvironment(context))
