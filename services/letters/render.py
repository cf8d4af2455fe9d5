"""A letter template (`courriers/<id>.html` of a version bundle) to HTML, then to PDF.

Templates are designers' text: they are rendered ONLY by a sandboxed Jinja environment
(autoescape on, undefined names refused, no attribute of Python's internals reachable) whose
loader sees the bundle's `courriers/` files and nothing else, so a letter can extend the shared
layout `courriers/_mise_en_page.html`. WeasyPrint then lays the HTML out as a PDF/A, in a child
process bounded in time, memory and pages (layout.py); it fetches no URL and no file (a template
cannot read the server's disk or reach the network)."""

from __future__ import annotations

import functools
import gc
import re
import string
import sys
import threading
import time
import traceback
from dataclasses import dataclass

import lxml.html
from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError, meta
from jinja2.compiler import CodeGenerator, operators
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace

from workflows.script_env import resident_bytes, text_size

LETTERS_DIR = "courriers"
LETTER_SUFFIX = ".html"
LAYOUT = f"{LETTERS_DIR}/_mise_en_page.html"
PDF_VARIANT = "pdf/a-3b"
MAX_OUTPUT_CHARS = 1_000_000  # one letter's HTML
MAX_RENDER_SECONDS = 2.0  # the rendering thread's CPU time, checked as the output grows
MAX_POWER = 1000  # `a ** b`: b at most this (a huge power is a denial of service)
# a list, tuple, dict or namespace a letter builds, written as text (a shared value counted each
# time it appears): measuring it costs up to about a second per million characters
MAX_VALUE_CHARS = 100_000
MAX_INT_BITS = 4096  # an integer a letter computes (as the processes' scripts)
MAX_MEMORY_GROWTH = 256 * 1024**2  # resident memory one rendering may add
MEMORY_EVERY = 64  # traced lines between two reads of the resident memory


TEMPLATE_ID = re.compile(r"_?[a-z0-9][a-z0-9_]{0,79}")  # a letter's id (`_`: a partial)


def letter_path(template_id: str) -> str:
    return f"{LETTERS_DIR}/{template_id}{LETTER_SUFFIX}"


def is_letter_path(path: str) -> bool:
    return path.startswith(f"{LETTERS_DIR}/") and path.endswith(LETTER_SUFFIX) \
        and "/" not in path[len(LETTERS_DIR) + 1:]


def template_ids(files: dict | None) -> list[str]:
    """The ids of the letters of a bundle (its `courriers/*.html` but the `_` partials)."""
    out = []
    for path in sorted(files or {}):
        name = str(path)[len(LETTERS_DIR) + 1:-len(LETTER_SUFFIX)]
        if is_letter_path(str(path)) and name and not name.startswith("_"):
            out.append(name)
    return out


class LetterError(Exception):
    """A template could not be rendered: French `message`, the `path` and `line` at fault."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}{f' ligne {line}' if line else ''} : {message}")


class _BundleLoader(BaseLoader):
    """The bundle's `courriers/*.html` files, by their path; nothing else exists."""

    def __init__(self, files: dict):
        self.files = {str(p): t for p, t in files.items() if is_letter_path(str(p))}

    def get_source(self, environment, template):
        if template not in self.files or not isinstance(self.files[template], str):
            raise TemplateNotFound(template)
        return self.files[template], template, lambda: True


class LetterBoundExceeded(SecurityError):
    """A letter's code would build a value, or use memory, beyond the bounds (French)."""


def _too_large(what: str, limit: int = MAX_OUTPUT_CHARS) -> LetterBoundExceeded:
    return LetterBoundExceeded(f"{what} (limite {limit} caractères)")


def bounded(value):
    """`value` unless, written as text, it would exceed what a letter may hold. Every value a
    letter's code builds passes here (literals, operators, calls, filters, concatenation, what
    is printed): a list repeated, shared or nested is counted each time it appears, so no one C
    operation (str(), a join, a comparison, a sort) can work on more than that (security
    review: `{{ [l] * 1000 }}`, `'a'.ljust(10**9)`, `s|center(10**9)`… took gigabytes)."""
    if isinstance(value, str):
        if len(value) > MAX_OUTPUT_CHARS:
            raise _too_large("texte trop long")
    elif isinstance(value, Namespace):
        bounded(dict(value._Namespace__attrs))  # noqa: SLF001 - what it holds
    elif isinstance(value, list | tuple | set | frozenset | dict):
        if text_size(value, MAX_VALUE_CHARS) > MAX_VALUE_CHARS:
            raise _too_large("valeur trop grande", MAX_VALUE_CHARS)
    return value


def _bounded_items(value):
    """An iterator (a `map`, a `select`…) read into a list, its items bounded as a whole."""
    if isinstance(value, str | list | tuple | set | frozenset | dict | Namespace) or \
            not hasattr(value, "__next__"):
        return bounded(value)
    items, total = [], 0
    for item in value:
        total += text_size(item, MAX_VALUE_CHARS) if not isinstance(item, str) else len(item)
        if total > MAX_OUTPUT_CHARS:
            raise _too_large("valeur trop grande")
        items.append(item)
    return items


def _int_too_large(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise LetterBoundExceeded(f"nombre entier trop grand (limite {MAX_INT_BITS} bits)")


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent(fmt: str) -> None:
    """`'%09999999d' % 1` writes what its width says, in C: widths and precisions are literal
    and at most 3 digits."""
    for width, precision in _PERCENT_SPEC.findall(fmt):
        for part in (width, precision):
            if part == "*" or len(part) > 3:
                raise LetterBoundExceeded("largeur de formatage « % » trop grande ou calculée")


def _check_format(fmt: str) -> None:
    """The same for `'{:>9999999}'.format(…)`."""
    try:
        specs = [spec for _, _, spec, _ in string.Formatter().parse(fmt) if spec]
    except ValueError:
        return  # str.format raises it again, as an error of the template
    for spec in specs:
        if "{" in spec or re.search(r"\d{4,}", spec):
            raise LetterBoundExceeded("largeur de formatage trop grande ou calculée")


def _width(value, limit: int = MAX_OUTPUT_CHARS) -> None:
    if isinstance(value, int) and value > limit:
        raise _too_large("largeur trop grande")


def _replace_size(text: str, old, new, count=-1) -> None:
    if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        n = text.count(old) if old else len(text) + 1
        if isinstance(count, int) and count >= 0:
            n = min(n, count)
        if len(text) + n * (len(new) - len(old)) > MAX_OUTPUT_CHARS:
            raise _too_large("texte trop long")


def _check_str_method(text: str, name: str, args: tuple, kwargs: dict) -> None:
    """The methods of a text that can make a much longer one, checked before they run."""
    if name in ("ljust", "rjust", "center", "zfill"):
        _width(args[0] if args else kwargs.get("width"))
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int) and len(text) * max(size, 1) > MAX_OUTPUT_CHARS:
            raise _too_large("texte trop long")
    elif name == "replace":
        _replace_size(text, *args, **kwargs)
    elif name == "join" and args:
        items = _bounded_items(args[0])
        if len(text) * max(len(items) - 1, 0) + sum(
                len(i) if isinstance(i, str) else text_size(i, MAX_VALUE_CHARS) for i in items) \
                > MAX_OUTPUT_CHARS:
            raise _too_large("texte trop long")
        args = (items,)
    elif name in ("format", "format_map"):
        _check_format(text)
        bounded(args)
        bounded(kwargs)
    elif name in ("translate", "maketrans"):
        raise LetterBoundExceeded(f"la méthode « {name} » n'est pas permise")
    return args


def _guarded_filter(name: str, fn):
    """A filter (or a test) whose value is bounded before and after it runs, and whose own
    arguments cannot make it write more than a letter may hold."""
    pass_arg = getattr(fn, "jinja_pass_arg", None)
    lead = 1 if pass_arg is not None else 0

    @functools.wraps(fn)
    def run(*args, **kwargs):
        args = list(args)
        if len(args) > lead:
            args[lead] = _bounded_items(args[lead])
        rest = args[lead + 1:]
        bounded(rest)
        bounded(kwargs)
        value = args[lead] if len(args) > lead else None
        if name == "center":
            _width(rest[0] if rest else kwargs.get("width", 80))
        elif name == "indent":
            width = rest[0] if rest else kwargs.get("width", 4)
            width = len(width) if isinstance(width, str) else width
            lines = str(value).count("\n") + 1 if value is not None else 1
            if isinstance(width, int) and width * lines > MAX_OUTPUT_CHARS:
                raise _too_large("texte trop long")
        elif name in ("batch", "slice"):
            _width(rest[0] if rest else kwargs.get("linecount", kwargs.get("slices")),
                   limit=10_000)
        elif name == "replace" and isinstance(value, str):
            _replace_size(value, *rest[:3])
        elif name == "format" and isinstance(value, str):
            _check_percent(value)
        elif name == "join":
            sep = rest[0] if rest else kwargs.get("d", "")
            if isinstance(sep, str) and isinstance(value, list | tuple) and \
                    len(sep) * len(value) > MAX_OUTPUT_CHARS:
                raise _too_large("texte trop long")
        elif name == "sum":
            start = rest[1] if len(rest) > 1 else kwargs.get("start", 0)
            if not isinstance(start, int | float):
                raise LetterBoundExceeded("sum n'additionne que des nombres")
        return bounded(fn(*args, **kwargs))

    return run


class _BoundedCode(CodeGenerator):
    """Jinja's compiler, with every list, tuple and dict written in a template, every operand of
    a comparison and every piece of a `~` concatenation passed through `bounded` (the sandbox
    intercepts calls, attributes and some operators, but not these)."""

    def _guarded(self, visit, node, frame) -> None:
        self.write("environment.bounded(")
        visit(node, frame)
        self.write(")")

    def visit_List(self, node, frame) -> None:
        self._guarded(super().visit_List, node, frame)

    def visit_Tuple(self, node, frame) -> None:
        self._guarded(super().visit_Tuple, node, frame)

    def visit_Dict(self, node, frame) -> None:
        self._guarded(super().visit_Dict, node, frame)

    def visit_Compare(self, node, frame) -> None:
        self.write("(")
        self._guarded(self.visit, node.expr, frame)
        for op in node.ops:
            self.visit(op, frame)
        self.write(")")

    def visit_Operand(self, node, frame) -> None:
        self.write(f" {operators[node.op]} ")
        self._guarded(self.visit, node.expr, frame)

    def visit_Concat(self, node, frame) -> None:
        func = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        if frame.eval_ctx.volatile:
            func = "(markup_join if context.eval_ctx.volatile else str_join)"
        self.write(f"environment.bounded({func}((")
        for arg in node.nodes:
            self._guarded(self.visit, arg, frame)
            self.write(", ")
        self.write(")))")


class _Sandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"**", "*", "+", "%"})
    code_generator_class = _BoundedCode

    @staticmethod
    def bounded(value):
        return bounded(value)

    def wrap_str_format(self, value):
        """`'…'.format` / `format_map`: Jinja's sandboxed formatter, after the widths of its
        format are checked (`'{:>300000000}'.format(1)` wrote 300 MB in C)."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text = value.__self__

        @functools.wraps(wrapped)
        def checked(*args, **kwargs):
            _check_format(text)
            bounded(args)
            bounded(kwargs)
            return bounded(wrapped(*args, **kwargs))

        return checked

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_POWER:
            raise SecurityError("puissance trop grande")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            _int_too_large(left.bit_length() * right)
        if operator == "*" and _huge_repeat(left, right):
            raise _too_large("répétition trop grande")
        if operator == "*" and isinstance(left, int) and isinstance(right, int):
            _int_too_large(left.bit_length() + right.bit_length())
        if operator == "%" and isinstance(left, str):
            _check_percent(left)
            bounded(right)
        return bounded(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            args = _check_str_method(owner, getattr(__obj, "__name__", ""), args, kwargs) \
                or args
        elif isinstance(owner, list | dict | set):  # append, extend, update…: what it becomes
            bounded(args)
            bounded(kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(owner, list | dict | set):
            bounded(owner)
        return bounded(result)


def _huge_repeat(left, right) -> bool:
    """`'x' * n` or `[…] * n` that would hold more than a letter may (a list's items counted
    as the text they write, each time they appear)."""
    for seq, n in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(n, int) and n > 0:
            size = len(seq) if isinstance(seq, str) else text_size(seq, MAX_VALUE_CHARS)
            if size * n > (MAX_OUTPUT_CHARS if isinstance(seq, str) else MAX_VALUE_CHARS):
                return True
    return False


_UNTRACED = frozenset({__file__, sys.modules[text_size.__module__].__file__})


class _CpuBound:
    """A trace on the template's frames and on every Python function they call (a filter such as
    `wordwrap` or `slice` loops in Python, outside the template's own lines): past the CPU
    budget, or past MAX_MEMORY_GROWTH of resident memory, the rendering stops, even in a loop
    that writes nothing. The budget is this thread's CPU time, without the garbage collector's
    passes: another request's thread, or a full collection of a large process's heap (a CI
    run's, a long-lived worker's), is not the letter's cost and must not refuse it. (The
    collector runs as allocations call for it: a template that allocates much is still stopped
    by its own lines' time and by its memory.)"""

    def __init__(self, path: str):
        self.path = path
        self.deadline = time.thread_time() + MAX_RENDER_SECONDS
        self.countdown = MEMORY_EVERY
        self.collecting_since: float | None = None
        self.thread = threading.get_ident()
        start = resident_bytes()
        self.rss_limit = None if start is None else start + MAX_MEMORY_GROWTH

    def __enter__(self):
        self.previous = sys.gettrace()
        # first at a pass's start, last at its end: the whole pass, other callbacks included
        gc.callbacks.insert(0, self._collection_starts)
        gc.callbacks.append(self._collection_ends)
        sys.settrace(self._call)
        return self

    def __exit__(self, *exc):
        sys.settrace(self.previous)
        gc.callbacks.remove(self._collection_starts)
        gc.callbacks.remove(self._collection_ends)
        return False

    def _collection_starts(self, phase: str, info: dict) -> None:
        if phase == "start" and threading.get_ident() == self.thread:
            self.collecting_since = time.thread_time()

    def _collection_ends(self, phase: str, info: dict) -> None:
        """The garbage collector's pass, run by this thread, moves the deadline on by its time.
        (A pass another thread runs is not in this thread's CPU time.)"""
        if phase == "stop" and self.collecting_since is not None \
                and threading.get_ident() == self.thread:
            self.deadline += time.thread_time() - self.collecting_since
            self.collecting_since = None

    def _call(self, frame, event, arg):
        if frame.f_code.co_filename in _UNTRACED:
            return None  # the bounds' own code: bounded by its budget, not slowed by the trace
        return self._line

    def _line(self, frame, event, arg):
        if self.collecting_since is None and time.thread_time() > self.deadline:
            raise LetterError(*self._where(frame), "le rendu du courrier prend trop de temps")
        self.countdown -= 1
        if self.countdown <= 0:
            self.countdown = MEMORY_EVERY
            rss = resident_bytes() if self.rss_limit is not None else None
            if rss is not None and rss > self.rss_limit:
                raise LetterError(*self._where(frame), "le rendu du courrier utilise trop de "
                                  f"mémoire (limite {MAX_MEMORY_GROWTH // 1024**2} Mio)")
        return self._line

    def _where(self, frame) -> tuple[str, int | None]:
        """The template's file and line the rendering is at (the innermost template frame)."""
        while frame is not None:
            if frame.f_code.co_filename.startswith(f"{LETTERS_DIR}/"):
                return frame.f_code.co_filename, _template_lineno(frame)
            frame = frame.f_back
        return self.path, None


def _template_lineno(frame) -> int | None:
    """The template's line of a compiled template's frame (Jinja's `debug_info`: pairs
    template line = code line)."""
    best = None
    for pair in str(frame.f_globals.get("debug_info") or "").split("&"):
        template_line, _, code_line = pair.partition("=")
        if code_line.isdigit() and int(code_line) <= frame.f_lineno:
            best = int(template_line)
    return best


def _absent_as_dash(value):
    """A fact the case does not have yet (None) is printed « — », never « None »."""
    return "—" if value is None else value


def environment(files: dict | None, cache_size: int = 0) -> SandboxedEnvironment:
    env = _Sandbox(loader=_BundleLoader(dict(files or {})), autoescape=True,
                   undefined=StrictUndefined, auto_reload=False, cache_size=cache_size,
                   finalize=_absent_as_dash)
    env.filters["date_fr"] = date_in_words
    env.filters["points"] = points_in_words
    env.filters = {name: _guarded_filter(name, fn) for name, fn in env.filters.items()}
    env.tests = {name: _guarded_filter(name, fn) for name, fn in env.tests.items()}
    env.globals.pop("lipsum", None)  # paragraphs of lorem ipsum: n of them, no letter needs it
    return env


_VERSION_ENVS: dict[tuple[int, str], SandboxedEnvironment] = {}
_VERSION_ENVS_LOCK = threading.Lock()
_VERSION_ENVS_MAX = 32


def version_environment(version_id: int, checksum: str, files) -> SandboxedEnvironment:
    """The environment of a deployed version's letters, its compiled templates kept: a version
    is immutable (cached by id and checksum, like its forms and spec), and compiling a letter
    cost more than rendering it. `files` is called only on a miss."""
    key = (version_id, checksum)
    env = _VERSION_ENVS.get(key)
    if env is None:
        env = environment(files(), cache_size=64)
        with _VERSION_ENVS_LOCK:
            if len(_VERSION_ENVS) >= _VERSION_ENVS_MAX:
                _VERSION_ENVS.pop(next(iter(_VERSION_ENVS)))
            _VERSION_ENVS[key] = env
    return env


def points_in_words(value) -> str:
    """« 1 point », « 8 points » (French takes the plural from 2), « — » when unknown: the
    filter `points` (a QA finding: « 3 point(s) »)."""
    from services.rules.explain import fr_points

    return "—" if value is None or isinstance(value, bool) or not isinstance(value, int) \
        else fr_points(value)


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")


def date_in_words(value) -> str:
    """« 4 décembre 2026 » (« 1er » for the first day); an ISO text is read; None → « — »."""
    import datetime as dt

    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def _template_line(exc: BaseException, default_path: str) -> tuple[str, int | None]:
    """Where in the templates `exc` was raised: Jinja rewrites its traceback so the template's
    frames carry the template's path and line."""
    path, line = default_path, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(f"{LETTERS_DIR}/"):
            path, line = frame.filename, frame.lineno
    return path, line


# Jinja's messages are English: the usual ones are told in French, the others by their kind only.
_SYNTAX_FR = (
    (re.compile(r"Expected an expression, got '(.*)'"), "expression attendue, trouvé « {0} »"),
    (re.compile(r"expected token '(.*)', got '(.*)'"), "« {0} » attendu, trouvé « {1} »"),
    (re.compile(r"Encountered unknown tag '(\w+)'"), "balise inconnue « {0} »"),
    (re.compile(r"Unexpected end of template.*looking for.*?'(\w+)'", re.S),
     "fin du modèle inattendue : il manque la balise « {0} »"),
    (re.compile(r"unexpected end of template", re.I), "fin du modèle inattendue"),
    (re.compile(r"unexpected char '(.*?)'"), "caractère inattendu « {0} »"),
    (re.compile(r"unexpected '(.*?)'"), "« {0} » inattendu"),
    (re.compile(r"[Bb]lock '(\w+)' defined twice"), "bloc « {0} » défini deux fois"),
    (re.compile(r"no filter named '(\w+)'"), "filtre inconnu « {0} »"),
    (re.compile(r"no test named '(\w+)'"), "test inconnu « {0} »"),
)
_UNDEFINED_FR = (
    (re.compile(r"'(\w+)' is undefined"), "nom inconnu « {0} »"),
    (re.compile(r"has no attribute '(.*?)'"), "attribut inconnu « {0} »"),
    (re.compile(r"has no element (.*)"), "élément inconnu {0}"),
)


# Jinja's names of what it expected, as the designer writes them
_TOKENS_FR = {"end of print statement": "}}", "end of statement block": "%}",
              "end of comment": "#}", "end of template": "fin du modèle", "name": "un nom",
              "string": "un texte", "integer": "un nombre", "float": "un nombre"}
# what a letter's code did at run time, for people (the exception's name follows)
_RUNTIME_FR = {"OverflowError": "nombre trop grand", "ZeroDivisionError": "division par zéro",
               "TypeError": "opération entre valeurs de types incompatibles",
               "ValueError": "valeur invalide", "KeyError": "élément absent",
               "IndexError": "élément absent", "RecursionError": "imbrication trop profonde",
               "MemoryError": "mémoire dépassée"}


def _french(message: str | None, table, default: str) -> str:
    for pattern, text in table:
        found = pattern.search(message or "")
        if found:
            return text.format(*(_TOKENS_FR.get(g, g)[:80] for g in found.groups()))
    return default


def syntax_message(exc: TemplateSyntaxError) -> str:
    return "erreur de syntaxe (" + _french(exc.message, _SYNTAX_FR, "syntaxe incorrecte ici") \
        + ")"


def _message(exc: BaseException) -> str:
    if isinstance(exc, UndefinedError):
        return "variable ou attribut inconnu (" + _french(
            exc.message, _UNDEFINED_FR, "valeur absente du dossier") + ")"
    if isinstance(exc, LetterBoundExceeded):
        return f"limite dépassée : {exc}"
    if isinstance(exc, SecurityError):
        found = re.search(r"attribute '(.*?)'", str(exc))
        what = f"accès à « {found.group(1)[:80]} »" if found else "opération"
        return f"{what} interdit par le bac à sable"
    if isinstance(exc, TemplateNotFound):
        return f"modèle introuvable « {exc.name} » (seuls les fichiers courriers/*.html du " \
               "paquet existent)"
    if isinstance(exc, TemplateError):
        return f"erreur de modèle ({type(exc).__name__})"
    kind = type(exc).__name__
    what = _RUNTIME_FR.get(kind)
    return f"erreur à l'exécution du modèle : {what} ({kind})" if what \
        else f"erreur à l'exécution du modèle ({kind})"


def render_html(files: dict | None, template_id: str, context: dict,
                env: SandboxedEnvironment | None = None) -> str:
    """The letter's HTML; LetterError (French, with the file and the line) on any failure.
    `env`: a deployed version's environment (version_environment) instead of `files`'."""
    path = letter_path(template_id)
    env = env or environment(files)
    try:
        template = env.get_template(path)
        out: list[str] = []
        size = 0
        with _CpuBound(path):
            for chunk in template.generate(**context):
                size += len(chunk)
                out.append(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise LetterError(path, None, "le courrier produit est trop long "
                                      f"(plus de {MAX_OUTPUT_CHARS} caractères)")
        return "".join(out)
    except LetterError:
        raise
    except TemplateSyntaxError as exc:
        raise LetterError(exc.filename or exc.name or path, exc.lineno,
                          syntax_message(exc)) from None
    except TemplateNotFound as exc:
        if exc.name == path:
            raise LetterError(path, None, "courrier absent du paquet") from None
        raise LetterError(*_template_line(exc, path), _message(exc)) from None
    except (RecursionError, MemoryError) as exc:
        raise LetterError(path, None, f"modèle trop complexe ({type(exc).__name__})") from None
    except Exception as exc:  # noqa: BLE001 - any error of a designer's template is told
        raise LetterError(*_template_line(exc, path), _message(exc)) from None


def to_pdf(html: str) -> bytes:
    """The HTML laid out as a PDF/A-3b by WeasyPrint, in a child process bounded in time, memory
    and pages (services/letters/layout.py); no external resource is ever fetched."""
    from services.letters import layout

    return layout.to_pdf(html)


@dataclass(frozen=True)
class Rendered:
    html: str
    pdf: bytes


def laid_out(html: str, template_id: str) -> bytes:
    """to_pdf, its failures as a LetterError (French) naming the template: a limit of the
    layout (« la mise en page a dépassé 10 secondes »), else WeasyPrint's error by its kind."""
    from services.letters.layout import LayoutFailed, LayoutRefused

    try:
        return to_pdf(html)
    except LayoutRefused as exc:
        raise LetterError(letter_path(template_id), None, str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - WeasyPrint's errors are many; told, never a 5xx
        kind = exc.kind if isinstance(exc, LayoutFailed) else type(exc).__name__
        raise LetterError(letter_path(template_id), None,
                          f"la mise en page PDF a échoué ({kind})") from None


EMPTY_TEMPLATE = ("le modèle de courrier est vide : écrivez le courrier, qui commence "
                  "d'ordinaire par {% extends \"courriers/_mise_en_page.html\" %}")
EMPTY_LETTER = ("le courrier produit pour le dossier d'exemple est vide (aucun texte) : il "
                "donnerait une page blanche")
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
# what a reader sees of a letter: the body's text, an image, a drawing (not the <title>, which
# is the PDF's metadata, nor the style sheet)
_UNSEEN_TAGS = ("head", "title", "style", "script", "template")
_SEEN_TAGS = ("img", "svg", "object", "embed", "canvas")


def _blank(source: str) -> bool:
    """A template with nothing but blanks and Jinja comments."""
    return not _JINJA_COMMENT.sub("", source or "").strip()


def _shows_nothing(html: str) -> bool:
    """The rendered letter has no text and no image a reader would see: a blank page."""
    if not html.strip():
        return True
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - an unreadable HTML is WeasyPrint's to tell
        return False
    for el in root.iter(*_UNSEEN_TAGS):
        el.drop_tree()
    if next(root.iter(*_SEEN_TAGS), None) is not None:
        return False
    return not root.text_content().strip()


def empty_problem(files: dict | None, template_id: str, html: str | None) -> LetterError | None:
    """Why the letter would come out as a blank page (a QA finding: previewing an empty
    template gave a blank PDF without a word): its template is empty, or what it renders for
    `html` shows nothing. None when it shows something."""
    path = letter_path(template_id)
    if _blank(str((files or {}).get(path, ""))):
        return LetterError(path, None, EMPTY_TEMPLATE)
    if html is not None and _shows_nothing(html):
        return LetterError(path, None, EMPTY_LETTER)
    return None


def render(files: dict | None, template_id: str, context: dict) -> Rendered:
    """The letter's HTML and PDF (a preview): LetterError for a template that fails, and for
    one that would give a blank page (empty_problem), before any layout."""
    html = render_html(files, template_id, context)
    empty = empty_problem(files, template_id, html)
    if empty is not None:
        raise empty
    return Rendered(html, laid_out(html, template_id))


def template_problems(files: dict | None, context: dict) -> list[LetterError]:
    """Every letter of the bundle rendered against `context` (a sample case): what fails."""
    found: list[LetterError] = []
    env = environment(files)
    for path in sorted(p for p in (files or {}) if is_letter_path(str(p))):
        try:  # partials too: their syntax, even when no letter extends them
            env.parse(files[path], name=path, filename=path)
        except TemplateSyntaxError as exc:
            found.append(LetterError(path, exc.lineno, syntax_message(exc)))
            continue
        except Exception as exc:  # noqa: BLE001
            found.append(LetterError(path, None, _message(exc)))
            continue
    broken = {e.path for e in found}
    for template_id in template_ids(files):
        if letter_path(template_id) in broken:
            continue
        try:
            html = render_html(files, template_id, context)
        except LetterError as exc:
            found.append(exc)
            continue
        empty = empty_problem(files, template_id, html)
        if empty is not None:
            found.append(empty)
    return found


def changed_letters(files: dict | None, base_files: dict | None) -> list[str]:
    """The ids of the letters of `files` whose HTML may differ from the same letter of
    `base_files` (the version a deployment follows; None: every letter): a letter whose own
    template, or a template it extends, includes or imports (at any depth: the shared layout),
    was added, changed or removed. A template that names another by an expression, or that does
    not parse, depends on every template."""
    ids = template_ids(files)
    if base_files is None:
        return ids
    paths = {str(p) for p in (*(files or {}), *base_files) if is_letter_path(str(p))}
    changed = {p for p in paths if (files or {}).get(p) != base_files.get(p)}
    if not changed:
        return []
    env = environment(files)
    names: dict[str, set[str] | None] = {}  # the templates each one names; None: any
    for path in sorted(p for p in (files or {}) if is_letter_path(str(p))):
        try:
            found = set(meta.find_referenced_templates(env.parse(files[path])))
        except Exception:  # noqa: BLE001 - it does not render either: template_problems says so
            found = {None}
        names[path] = None if None in found else found
    out = []
    for template_id in ids:
        seen, todo = set(), [letter_path(template_id)]
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            named = names.get(path, set())
            if named is None:
                seen = paths
                break
            todo.extend(named)
        if seen & changed:
            out.append(template_id)
    return out


def layout_problems(files: dict | None, ids: list[str], context: dict,
                    budget: float | None = None) -> list[LetterError]:
    """The letters `ids` of the bundle rendered against `context` and laid out as PDF one after
    the other by the bounded child (laid_out: layout.py's limits, as for a clerk's letter): each
    one refused (past a limit, or WeasyPrint failing) as a LetterError naming it. A letter that
    does not render is left to template_problems. No letter starts past `budget` seconds (default:
    the layout's time limit) since the first: those left are refused as not checked, so the
    whole takes at most about twice the time limit."""
    from services.letters.layout import current_limits, seconds_fr

    budget = current_limits().timeout if budget is None else budget
    env = environment(files)
    found: list[LetterError] = []
    started = time.monotonic()
    for n, template_id in enumerate(ids):
        if time.monotonic() - started > budget:
            found.extend(LetterError(letter_path(t), None, "mise en page non vérifiée : celle des "
                                     f"courriers modifiés a dépassé {seconds_fr(budget)} "
                                     "secondes en tout") for t in ids[n:])
            break
        try:
            html = render_html(files, template_id, context, env=env)
        except LetterError:
            continue
        try:
            laid_out(html, template_id)
        except LetterError as exc:
            found.append(exc)
    return found
