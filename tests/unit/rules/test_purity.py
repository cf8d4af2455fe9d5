"""services/rules is pure: no framework, no database, no other project package, no clock."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "services" / "rules"
FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "spiffworkflow", "web", "workflows",
             "app", "services", "flask_smorest", "marshmallow", "alembic", "flask_migrate"}
ALLOWED_THIRD_PARTY = {"holidays", "dateutil"}
CLOCK_CALLS = {"now", "today", "utcnow", "time", "monotonic", "perf_counter"}


def _files():
    files = sorted(PACKAGE.rglob("*.py"))
    assert files
    return files


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                yield node.module


def test_rules_package_imports_only_stdlib_holidays_and_dateutil():
    for path in _files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in _imports(tree):
            top = name.split(".")[0]
            assert top.lower() not in FORBIDDEN, f"{path.name} imports {name}"
            assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, (
                f"{path.name} imports {name}")
            assert top != "__future__" or name == "__future__"


def test_rules_package_never_reads_the_clock():
    for path in _files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr not in CLOCK_CALLS, (
                    f"{path.name}:{node.lineno} calls .{node.func.attr}()")


def test_rules_package_uses_paris_zoneinfo():
    source = (PACKAGE / "calendar.py").read_text(encoding="utf-8")
    assert 'ZoneInfo("Europe/Paris")' in source
