"""Clerks, designers and centre staff read the application's messages in a browser or an API
client; none of them runs `flask …`. Read from the source: every string of services/ and web/
(docstrings and comments aside), the UI's templates and scripts; only the command line's own
modules (web/cli*.py) may name a command."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMAND = re.compile(r"\bflask\s+(?:--app\b|[a-z][a-z-]*\b)")
CLI_MODULES = re.compile(r"^web/cli(_[a-z]+)?\.py$")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _python_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip]


def test_no_message_to_a_user_tells_them_to_run_a_command():
    found = []
    for folder in ("services", "web"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if CLI_MODULES.match(name):
                continue
            found += [f"{name}:{line}: {value}" for line, value in _python_strings(path)
                      if COMMAND.search(value)]
    for pattern in ("web/ui/templates/**/*.html", "web/ui/static/*.js"):
        for path in sorted(ROOT.glob(pattern)):
            for line, value in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if COMMAND.search(value):
                    found.append(f"{path.relative_to(ROOT).as_posix()}:{line}: {value.strip()}")
    assert found == []
