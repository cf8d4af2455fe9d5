"""The example bundle features/exemples/signalement_par_groupe (issue 15's acceptance): a
service task's expression parameter (`groupe` = `=groupe_signalement`) may read the output of
a DMN table of the bundle, and only a name some table, form field or the engine gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from services import processes
from services.db import transaction
from services.errors import Invalid

KEY = "stage_obligatoire"
EXAMPLE = Path(__file__).resolve().parents[2] / "features" / "exemples" / "signalement_par_groupe"


def example() -> tuple[bytes, dict]:
    files = {f"decisions/{p.name}": p.read_text(encoding="utf-8")
             for p in sorted(EXAMPLE.glob("*.dmn"))}
    return (EXAMPLE / f"{KEY}.bpmn").read_bytes(), files


def test_the_example_deploys_its_expression_reading_the_tables_output(api):
    xml, files = example()
    with transaction():
        version, created = processes.deploy(KEY, xml, "tests", files=files)
    assert created
    assert "decisions/groupe_signalement.dmn" in version.files
    assert "courriers/signalement_procureur.html" in version.files  # inherited


def test_a_name_no_table_gives_is_refused_on_the_service_task(api):
    xml, files = example()
    xml = xml.replace(b">=groupe_signalement<", b">=groupe_inconnu<")
    with pytest.raises(Invalid) as refused:
        with transaction():
            processes.deploy(KEY, xml, "tests", files=files)
    assert "confier_signalement" in refused.value.errors, refused.value.errors
