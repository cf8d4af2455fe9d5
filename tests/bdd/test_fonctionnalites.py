"""Collects every scenario of features/*.feature (French Gherkin) as a test; BDD_FEATURES
(comma-separated feature file stems, or paths to .feature files) restricts them, as the
designers' sandbox does. A file that cannot be read leaves out only its own scenarios;
`test_fichier_de_fonctionnalites` says, in French, what is wrong with each file
(tests/bdd/controle_fonctionnalites.py)."""

import pytest
from pytest_bdd import scenarios

from tests.bdd.controle_fonctionnalites import feature_files, problems, readable

FILES = feature_files()

scenarios(*readable(FILES))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_fichier_de_fonctionnalites(path):
    found = problems(path)
    if found:
        pytest.fail(f"{path.name} :\n" + "\n".join(f"  - {p}" for p in found), pytrace=False)
