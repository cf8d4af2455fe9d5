"""The cost of what issue 15 added to the shipped mandatory process: the letters made by its
service tasks (`generer_courrier`) and the decision table of its business-rule task. The
service lifecycle (bench/common.service_group) runs on the shipped process and on the same
process with those tasks taken out (deployed as a newer version in a second database),
interleaved round by round so that both see the same load; CPU time per lifecycle
(`time.process_time`) for both, and the difference."""

from __future__ import annotations

import time
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
KEY = "stage_obligatoire"


def _q(tag: str) -> str:
    return f"{{{BPMN}}}{tag}"


def without_letters_and_decisions(xml: bytes) -> bytes:
    """`xml` without its service and business-rule tasks: each one's incoming flow goes straight
    to where its outgoing flow went. The reminder timer that reads the table's result
    (`delai_relance`) goes too, with its end event: nothing would set it."""
    root = etree.fromstring(xml)
    removed: set[str] = set()
    for proc in root.iter(_q("process"), _q("subProcess")):
        flows = {f.get("id"): f for f in proc.findall(_q("sequenceFlow"))}
        for task in [*proc.findall(_q("serviceTask")), *proc.findall(_q("businessRuleTask"))]:
            (incoming,) = [f for f in flows.values() if f.get("targetRef") == task.get("id")]
            (outgoing,) = [f for f in flows.values() if f.get("sourceRef") == task.get("id")]
            target = proc.find(f"*[@id='{outgoing.get('targetRef')}']")
            incoming.set("targetRef", target.get("id"))
            for ref in target.findall(_q("incoming")):
                if ref.text == outgoing.get("id"):
                    ref.text = incoming.get("id")
            for gone in (task, outgoing):
                removed.add(gone.get("id"))
                proc.remove(gone)
                flows.pop(gone.get("id"), None)
        for timer in proc.findall(_q("boundaryEvent")):
            duration = timer.find(f"{_q('timerEventDefinition')}/{_q('timeDuration')}")
            if duration is None or (duration.text or "").strip() != "delai_relance":
                continue
            (outgoing,) = [f for f in flows.values() if f.get("sourceRef") == timer.get("id")]
            end = proc.find(f"*[@id='{outgoing.get('targetRef')}']")
            for gone in (timer, outgoing, end):
                removed.add(gone.get("id"))
                proc.remove(gone)
    for plane in root.iter(f"{{{DI}}}BPMNPlane"):
        for shape in list(plane):
            if shape.get("bpmnElement") in removed:
                plane.remove(shape)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _app(path: Path, variant: bool):
    from bench import common
    from services import bundles, processes
    from services.db import transaction

    app = common.fresh_app(f"sqlite:///{path}")
    with app.app_context():
        from services.clock import clock
        common.bootstrap(clock().today())
        if variant:
            directory = processes.bpmn_dir()
            xml = without_letters_and_decisions((directory / f"{KEY}.bpmn").read_bytes())
            with transaction():
                processes.deploy(KEY, xml, "bench", origin="fichiers_livres",
                                 files=bundles.shipped_files(xml, directory / bundles.FORMS_DIR))
    return app


def _letters(ids: list[int]) -> int:
    from sqlalchemy import func, select

    from services.db import db
    from services.models import Letter
    return db.session.scalar(select(func.count(Letter.id)).where(Letter.case_id.in_(ids)))


def measure(tmp: Path, seconds: float) -> dict:
    from bench import common

    runs = {"avec": {"app": _app(tmp / "avec.sqlite", False), "prefix": "6"},
            "sans": {"app": _app(tmp / "sans.sqlite", True), "prefix": "7"}}
    for run in runs.values():
        run.update(n=0, cpu=0.0, wall=0.0, letters=0, numbers=common.Numbers(run["prefix"]))
        with run["app"].app_context():
            from services.clock import clock
            common.service_group(run["numbers"], clock().today())  # warm-up
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        for run in runs.values():
            with run["app"].app_context():
                from services.clock import clock
                today = clock().today()
                w, c = time.perf_counter(), time.process_time()
                ids = common.service_group(run["numbers"], today)
                run["cpu"] += time.process_time() - c
                run["wall"] += time.perf_counter() - w
                run["n"] += len(ids)
                run["letters"] += _letters(ids)
    out = {}
    for name, run in runs.items():
        out[name] = {"lifecycles": run["n"], "seconds": round(run["wall"], 2),
                     "cpu_ms_per_lifecycle": round(1000 * run["cpu"] / run["n"], 1),
                     "letters_per_lifecycle": round(run["letters"] / run["n"], 2)}
    with_, without = out["avec"]["cpu_ms_per_lifecycle"], out["sans"]["cpu_ms_per_lifecycle"]
    return {"with_letters_and_decision": out["avec"],
            "without_letters_and_decision": out["sans"],
            "extra_cpu_ms_per_lifecycle": round(with_ - without, 1),
            "ratio_cpu_with_vs_without": round(with_ / without, 3),
            "note": "service lifecycle of bench/common.service_group (open, enrol, attendance, "
                    "attestation, validation: credit and refund letters); its happy path does "
                    "not reach the business-rule task (on the referral path), so the decision "
                    "table is not in these figures"}
