"""Collects every scenario of features/*.feature (French Gherkin) as a test; BDD_FEATURES
(comma-separated feature file stems, or paths to .feature files) restricts them, as the
designers' sandbox does. A file that cannot be read leaves out only its own scenarios;
`test_fichier_de_fonctionnalites` says, in French, what is wrong with each file
(tests/bdd/controle_fonctionnalites.py)."""

import os
from pathlib import Path

import pytest
from pytest_bdd import scenarios

from tests.bdd.controle_fonctionnalites import problems, readable

FEATURES = Path(__file__).resolve().parents[2] / "features"
SUBSET = [stem.strip() for stem in os.environ.get("BDD_FEATURES", "").split(",") if stem.strip()]
# a stem names a file of features/; a path ending in .feature, any file (the tests of the
# checks below run one written for them)
FILES = ([Path(stem) if stem.endswith(".feature") else FEATURES / f"{stem}.feature"
          for stem in SUBSET] if SUBSET else sorted(FEATURES.rglob("*.feature")))

scenarios(*readable(FILES))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_fichier_de_fonctionnalites(path):
    found = problems(path)
    if found:
        pytest.fail(f"{path.name} :\n" + "\n".join(f"  - {p}" for p in found), pytrace=False)
