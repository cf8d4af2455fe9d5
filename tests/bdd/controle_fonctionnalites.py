"""What an analyst's feature file gets wrong before any step runs, said in French: a file that
cannot be read (only that file's scenarios are left out, the others run), and the lines Gherkin
silently takes for description text although they were meant as keywords (`Scenario:` without
its accent, an English keyword): their scenario would never run, and nothing would say so."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from gherkin.dialect import Dialect
from pytest_bdd.exceptions import GherkinParseError
from pytest_bdd.feature import get_feature

FEATURES = Path(__file__).resolve().parents[2] / "features"
FRENCH = Dialect.for_name("fr")
ENGLISH = Dialect.for_name("en")
_SECTIONS = ("feature_keywords", "rule_keywords", "background_keywords", "scenario_keywords",
             "scenario_outline_keywords", "examples_keywords")
_STEPS = ("given_keywords", "when_keywords", "then_keywords", "and_keywords", "but_keywords")
_LANGUAGE = re.compile(r"^\s*#\s*language\s*:\s*fr\s*$")
# the rule ids a tag may name (DOMAIN.md: rules R1–R57, date rules D1–D12, open questions
# Q1–Q17); docs/traceability.md and `-m R26` read them
RULE_TAGS = ({f"R{i}" for i in range(1, 58)} | {f"D{i}" for i in range(1, 13)}
             | {f"Q{i}" for i in range(1, 18)})
_RULE_LIKE = re.compile(r"^[RDQ]\s*0*\d+$", re.I)
_TAG = re.compile(r"@(\S*)")


def _fold(text: str) -> str:
    """Without accents nor case: « Scénario » and « scenario » fold alike."""
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn").casefold().strip()


def _keywords(dialect: Dialect, names) -> set[str]:
    return {k.strip() for name in names for k in getattr(dialect, name) if k.strip() != "*"}


FRENCH_SECTIONS = _keywords(FRENCH, _SECTIONS)
# what a section keyword looks like when mistyped: folded French ones, and English ones
_LOOKALIKE_SECTIONS = ({_fold(k): k for k in _keywords(ENGLISH, _SECTIONS)}
                       | {_fold(k): k for k in FRENCH_SECTIONS})
_LOOKALIKE_STEPS = {_fold(k) for k in _keywords(ENGLISH, _STEPS)}


def _section_problem(line: str) -> str | None:
    head, colon, _ = line.strip().partition(":")
    head = head.strip()
    if not colon or head in FRENCH_SECTIONS or _fold(head) not in _LOOKALIKE_SECTIONS:
        return None
    closest = next((k for k in FRENCH_SECTIONS if _fold(k) == _fold(head)), None)
    hint = f"écrivez « {closest} : »" if closest else \
        "les mots-clés sont en français (Fonctionnalité, Contexte, Scénario, " \
        "Plan du scénario, Exemples)"
    return f"« {head} : » n'est pas un mot-clé du Gherkin français : {hint}. Tel quel, ce qui " \
           "suit est lu comme du texte et ne s'exécute jamais."


def _step_problem(line: str) -> str | None:
    words = line.strip().split(maxsplit=1)
    if not words or _fold(words[0]) not in _LOOKALIKE_STEPS:  # an English step keyword
        return None
    return f"« {words[0]} » n'est pas un mot-clé d'étape du Gherkin français (Étant donné, " \
           "Quand, Alors, Et, Mais) : cette ligne ne s'exécute jamais."


def feature_files() -> list[Path]:
    """The feature files to run: every one of features/, or those BDD_FEATURES names
    (comma-separated): a stem names a file of features/; a path ending in .feature, any file
    (the tests of these checks run one written for them)."""
    subset = [s.strip() for s in os.environ.get("BDD_FEATURES", "").split(",") if s.strip()]
    if not subset:
        return sorted(FEATURES.rglob("*.feature"))
    return [Path(s) if s.endswith(".feature") else FEATURES / f"{s}.feature" for s in subset]


def problems(path: Path) -> list[str]:
    """Every problem of the file, each with its line, in French; [] for a good file."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found: list[str] = []
    first = next((line for line in lines if line.strip()), "")
    if not _LANGUAGE.match(first):
        found.append("ligne 1 : le fichier doit commencer par « # language: fr » (sans elle, "
                     "les mots-clés français ne sont pas reconnus).")
    try:
        get_feature(str(path.parent), path.name)
    except GherkinParseError as exc:
        found.append(f"ligne {exc.line} : fichier illisible ({_parse_error_fr(exc.message)}) : "
                     f"« {exc.line_content.strip()[:120]} ». Ses scénarios ne sont pas "
                     "exécutés ; les autres fichiers, si.")
        return found
    in_doc_string = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith(('"""', "```")):
            in_doc_string = not in_doc_string
        if stripped.startswith("@") and not in_doc_string:
            found.extend(f"ligne {number} : {p}" for p in _tag_problems(stripped))
        if in_doc_string or stripped.startswith(("#", "|", "@")):
            continue
        problem = _section_problem(line) or _step_problem(line)
        if problem:
            found.append(f"ligne {number} : {problem}")
    return found


def _tag_problems(line: str) -> list[str]:
    """A tag that looks like a rule id but names none of DOMAIN.md (« @R99 », « @r17 »,
    « @R017 »), or tags run together (« @R5@R9 », « @R5,@R9 »): the scenario would run, but
    neither `-m R17` nor docs/traceability.md would find it under its rule."""
    found = []
    for tag in _TAG.findall(line.split("#", 1)[0]):
        if tag in RULE_TAGS:
            continue
        if "@" in tag or "," in tag or ";" in tag:
            found.append(f"« @{tag} » : séparez les étiquettes par une espace (« "
                         + " ".join(f"@{t}" for t in re.split(r"[@,;]+", tag) if t) + " »).")
        elif _RULE_LIKE.match(tag):
            juste = f"{tag[0].upper()}{int(tag[1:].strip())}"
            if juste in RULE_TAGS:
                found.append(f"« @{tag} » : écrivez « @{juste} » (l'identifiant de la règle, "
                             "tel que DOMAIN.md l'écrit).")
            else:
                found.append(f"« @{tag} » ne désigne aucune règle de DOMAIN.md (R1 à R57, D1 "
                             "à D12, questions Q1 à Q17) : ni « -m » ni docs/traceability.md "
                             "ne relieront ce scénario à une règle.")
    return found


def _parse_error_fr(message: str) -> str:
    if "inconsistent cell count" in message:
        return "une ligne de tableau n'a pas autant de cellules que l'en-tête"
    if "expected:" in message or "Unexpected token" in message:
        return "mot-clé ou ligne inattendus à cet endroit"
    return message.splitlines()[0][:160]


def readable(paths) -> list[str]:
    """The feature files pytest-bdd can read (their scenarios are collected)."""
    good = []
    for path in paths:
        try:
            get_feature(str(path.parent), path.name)
        except GherkinParseError:
            continue
        good.append(str(path))
    return good
