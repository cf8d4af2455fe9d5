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


def test_the_examples_shapes_and_labels_do_not_overlap():
    """As the shipped diagrams (tests/workflows/test_definitions.py): the designer's elements
    were given room, not dropped on top of others."""
    from lxml import etree

    ns = {"bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
          "dc": "http://www.omg.org/spec/DD/20100524/DC"}
    containers = ("participant_", "parcours_stage", "invalidation_48si_recue")
    boxes = []
    for shape in etree.parse(str(EXAMPLE / f"{KEY}.bpmn")).iterfind(".//bpmndi:BPMNShape", ns):
        element = shape.get("bpmnElement")
        if not element.startswith(containers):
            boxes += [(element, *(float(b.get(a)) for a in ("x", "y", "width", "height")))
                      for b in shape.iterfind(".//dc:Bounds", ns)]
    assert {"choisir_groupe_signalement", "confier_signalement", "signale_gw",
            "courrier_procureur"} <= {b[0] for b in boxes}
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[0] == b[0] or not (a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
                                        and a[2] < b[2] + b[4] and b[2] < a[2] + a[4]), (a, b)
