"""Collects every scenario of features/*.feature (French Gherkin) as a test."""

from pathlib import Path

from pytest_bdd import scenarios

scenarios(str(Path(__file__).resolve().parents[2] / "features"))
