"""The cost of what issue 15 added to the shipped mandatory process: the letters made by its
service tasks (`generer_courrier`) and the decision table of its business-rule task. The
service lifecycle (bench/common.service_group) runs on the shipped process and on the same
process with those tasks taken out (deployed as a newer version in a second database),
interleaved round by round so that both see the same load; CPU time per lifecycle
(`time.process_time`) for both, and the difference. Two lifecycles: a course credited (two
letters) and a case referred to the prosecutor after its deadline (the decision table and a
letter)."""

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


def _made(ids: list[int]) -> tuple[int, int]:
    """The letters and the decision-table events of the cases `ids`."""
    from sqlalchemy import func, select

    from services.db import db
    from services.models import CaseEvent, Letter
    letters = db.session.scalar(select(func.count(Letter.id)).where(Letter.case_id.in_(ids)))
    decisions = db.session.scalar(select(func.count(CaseEvent.id)).where(
        CaseEvent.case_id.in_(ids), CaseEvent.type == "decision_table"))
    return letters, decisions


def referral_group(numbers, today) -> list[int]:
    """GROUP mandatory cases past their deadline (R21): opened, the deadline timer fired (the
    business-rule task sets the reminder delay), the referral decided « signaler » (with the
    shipped process: the prosecutor letter)."""
    from sqlalchemy import select

    from bench import common
    from services import tasks, timers, users
    from services.db import db, transaction
    from services.models import HumanTask

    agent = users.get_by_name("agent")
    ids = [common.open_mandatory(numbers, today, days_ago=140) for _ in range(common.GROUP)]
    timers.run_due("bench")
    for cid in ids:
        task_id = db.session.scalar(select(HumanTask.id).where(
            HumanTask.case_id == cid, HumanTask.state != "completed",
            HumanTask.key == "signalement_parquet"))
        with transaction():
            tasks.complete(task_id, {"decision": "signaler", "motif": "délai dépassé"}, agent)
    return ids


LIFECYCLES = {"credit": None, "referral": referral_group}  # None: common.service_group


def measure(tmp: Path, seconds: float) -> dict:
    from bench import common

    runs = {"avec": {"app": _app(tmp / "avec.sqlite", False), "prefix": "6"},
            "sans": {"app": _app(tmp / "sans.sqlite", True), "prefix": "7"}}
    for run in runs.values():
        run["numbers"] = common.Numbers(run["prefix"])
        run["kinds"] = {kind: {"n": 0, "cpu": 0.0, "wall": 0.0, "letters": 0,
                                 "decisions": 0}
                        for kind in LIFECYCLES}
        with run["app"].app_context():
            from services.clock import clock
            for group in LIFECYCLES.values():  # warm-up
                (group or common.service_group)(run["numbers"], clock().today())
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        for kind, group in LIFECYCLES.items():
            for run in runs.values():
                with run["app"].app_context():
                    from services.clock import clock
                    today = clock().today()
                    figures = run["kinds"][kind]
                    w, c = time.perf_counter(), time.process_time()
                    ids = (group or common.service_group)(run["numbers"], today)
                    figures["cpu"] += time.process_time() - c
                    figures["wall"] += time.perf_counter() - w
                    figures["n"] += len(ids)
                    letters, decisions = _made(ids)
                    figures["letters"] += letters
                    figures["decisions"] += decisions
    out: dict = {}
    for kind in LIFECYCLES:
        per = {}
        for name, run in runs.items():
            f = run["kinds"][kind]
            per[name] = {"lifecycles": f["n"], "seconds": round(f["wall"], 2),
                         "cpu_ms_per_lifecycle": round(1000 * f["cpu"] / f["n"], 1),
                         "letters_per_lifecycle": round(f["letters"] / f["n"], 2),
                         "decisions_per_lifecycle": round(f["decisions"] / f["n"], 2)}
        with_, without = per["avec"]["cpu_ms_per_lifecycle"], per["sans"]["cpu_ms_per_lifecycle"]
        out[kind] = {"with_letters_and_decision": per["avec"],
                     "without_letters_and_decision": per["sans"],
                     "extra_cpu_ms_per_lifecycle": round(with_ - without, 1),
                     "ratio_cpu_with_vs_without": round(with_ / without, 3)}
    out["note"] = ("credit: bench/common.service_group (open, enrol, attendance, attestation, "
                   "validation: the credit notice and the refund decision); referral: a case "
                   "opened past its deadline, the timer fired (the decision table "
                   "delai_relance_signalement), the referral decided « signaler » (the "
                   "prosecutor letter). Without: the same process minus its service and "
                   "business-rule tasks, as a newer version in a second database.")
    return out
