"""Generate docs/traceability.md: rule id (R1–R57, D1–D12) → code in services/rules → tests.

Sources of the table:
- code: rule ids named in the docstrings and comments of services/rules (``# R26: …``), and
  string constants equal to a rule id (``Explanation("R26", …)``), attributed to the enclosing
  function or class (``ledger.replay``, ``ledger.Ledger.cap_on``);
- tests: test functions of tests/unit/rules whose name carries the id (``test_R26_…``);
- Gherkin scenarios: ``@R26`` tags of ``features/**/*.feature`` (included by default;
  ``--without-features`` leaves that column empty).

Usage: ``.venv/bin/python tools/traceability.py`` (rewrites the file) or ``--check``.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = ROOT / "services" / "rules"
TESTS_DIR = ROOT / "tests" / "unit" / "rules"
FEATURES_DIR = ROOT / "features"
OUTPUT = ROOT / "docs" / "traceability.md"
COMMAND = ".venv/bin/python tools/traceability.py"

RULE_IDS = [f"R{i}" for i in range(1, 58)] + [f"D{i}" for i in range(1, 13)]
ID_RE = re.compile(r"(?<![A-Za-z0-9])([RD][1-9][0-9]?)(?![0-9])")
EXACT_ID_RE = re.compile(r"^[RD][1-9][0-9]?$")

# Rules not decided by services/rules, with the reason (French, shown in the table).
NOT_IN_RULES = {
    "R12": "lettre 47 : courrier de notification du crédit, hors logiciel",
    "R13": "lettre 48M : informative, sans obligation",
    "R14": "informatif : l'absence d'information n'affecte ni le retrait ni l'invalidation",
    "R23": "agrément du centre et autorisations d'animer : vérifiés par l'API (centres, sessions) "
           "et la tâche de vérification de l'attestation",
    "R30": "organisation du centre, hors logiciel",
    "R33": "organisation du centre ; une absence d'animateur passe par l'examen manuel "
           "(processus BPMN)",
    "R37": "pièces à présenter par le candidat : informatif",
    "R47": "pièces de la demande de remboursement : informatif (formulaire)",
    "R55": "48N perdue : procédure RII / duplicata ; l'échéance reste celle de la réception "
           "d'origine (D1)",
    "R56": "recours sur le solde : informatif (adresse du BNDC)",
    "R57": "permis étrangers : hors périmètre",
}


def _qualified_ranges(tree: ast.Module) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function and class, nested included."""
    ranges: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                ranges.append((first, child.end_lineno or child.lineno, name))
                visit(child, name + ".")

    visit(tree, "")
    for node in tree.body:  # module-level constants: `MAX_POINTS = 12  # R1`
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if names:
                ranges.append((node.lineno, node.end_lineno or node.lineno, names[0]))
    return ranges


def _owner(ranges: list[tuple[int, int, str]], line: int, module: str) -> str:
    """Innermost function/class (or constant) containing ``line``; the module otherwise."""
    best: tuple[int, str] | None = None
    for first, last, name in ranges:
        if first <= line <= last and (best is None or last - first < best[0]):
            best = (last - first, name)
    return f"{module}.{best[1]}" if best else module


def scan_code(rules_dir: Path = RULES_DIR) -> dict[str, list[str]]:
    """Rule id → sorted code locations (``module.function``) in services/rules."""
    found: dict[str, set[str]] = {}
    for path in sorted(rules_dir.glob("*.py")):
        if path.name == "__init__.py":
            continue
        module = path.stem
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        ranges = _qualified_ranges(tree)
        hits: list[tuple[int, str]] = []
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                hits += [(tok.start[0], m) for m in ID_RE.findall(tok.string)]
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                doc = ast.get_docstring(node)
                if doc:
                    hits += [(node.lineno, m) for m in ID_RE.findall(doc)]
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and EXACT_ID_RE.match(node.value)):
                hits.append((node.lineno, node.value))
        for line, rule in hits:
            found.setdefault(rule, set()).add(_owner(ranges, line, module))
    result: dict[str, list[str]] = {}
    for rule, locs in found.items():
        # a section comment at module level only counts when nothing more precise names the rule
        precise = sorted(loc for loc in locs if "." in loc)
        result[rule] = precise or sorted(locs)
    return result


def scan_tests(tests_dir: Path = TESTS_DIR) -> dict[str, list[str]]:
    """Rule id → ``file::test_name`` of the unit tests whose name carries the id."""
    found: dict[str, list[str]] = {}
    for path in sorted(tests_dir.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                for token in node.name.split("_"):
                    if EXACT_ID_RE.match(token):
                        found.setdefault(token, []).append(f"{path.name}::{node.name}")
    return found


def scan_features(features_dir: Path = FEATURES_DIR) -> dict[str, list[str]]:
    """Rule id → ``file: scenario`` of Gherkin scenarios tagged ``@R26`` (tags on the
    Feature line apply to all its scenarios)."""
    found: dict[str, list[str]] = {}
    if not features_dir.is_dir():
        return found
    for path in sorted(features_dir.rglob("*.feature")):
        feature_tags: list[str] = []
        pending: list[str] = []
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if line.startswith("@"):
                pending += [t[1:] for t in line.split() if EXACT_ID_RE.match(t[1:])]
            elif line.startswith(("Feature:", "Fonctionnalité:")):
                feature_tags, pending = pending, []
            elif line.startswith(("Scenario", "Scénario", "Plan du scénario")):
                title = line.split(":", 1)[1].strip()
                for rule in dict.fromkeys(feature_tags + pending):
                    found.setdefault(rule, []).append(
                        f"{path.relative_to(features_dir).as_posix()}: {title}")
                pending = []
    return found


def _cell(items: list[str]) -> str:
    return "<br>".join(f"`{i}`" for i in items)


def generate(with_features: bool = True) -> str:
    code = scan_code()
    tests = scan_tests()
    features = scan_features() if with_features else {}
    lines = [
        "# Traçabilité des règles",
        "",
        "Règle (DOMAIN.md R1–R57, D1–D12) → code du paquet `services/rules` → tests unitaires "
        "(`tests/unit/rules`) → scénarios Gherkin.",
        "",
        f"Fichier généré par `{COMMAND}` ; ne pas modifier à la main "
        "(`tests/unit/rules/test_traceability.py` vérifie qu'il est à jour).",
        "",
        "| Règle | Code (`services/rules`) | Tests unitaires | Scénarios Gherkin | Remarque |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in RULE_IDS:
        remark = ""
        if rule in NOT_IN_RULES:
            remark = "Hors `services/rules` : " + NOT_IN_RULES[rule]
        elif rule not in code:
            remark = "**Non implémentée**"
        elif rule not in tests:
            remark = "**Sans test unitaire**"
        lines.append(f"| {rule} | {_cell(code.get(rule, []))} | {_cell(tests.get(rule, []))} | "
                     f"{_cell(features.get(rule, []))} | {remark} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = generate(with_features="--without-features" not in argv)
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} est périmé : lancez `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)} écrit")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
