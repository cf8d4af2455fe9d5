"""Collects every scenario of features/*.feature (French Gherkin) as a test; BDD_FEATURES
(comma-separated feature file stems) restricts them, as the designers' sandbox does."""

import os
from pathlib import Path

from pytest_bdd import scenarios

FEATURES = Path(__file__).resolve().parents[2] / "features"
SUBSET = [stem.strip() for stem in os.environ.get("BDD_FEATURES", "").split(",") if stem.strip()]

if SUBSET:
    scenarios(*(str(FEATURES / f"{stem}.feature") for stem in SUBSET))
else:
    scenarios(str(FEATURES))
