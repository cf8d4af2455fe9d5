"""The ceiling: the shipped mandatory BPMN run by the engine alone (workflows.ProcessEngine, the
thin adapter that gives SpiffWorkflow its restricted script environment), with the instance's
JSON saved to and loaded from SQLite at every wait state, one transaction per step."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

from workflows import ProcessEngine, ScriptContext
from workflows.contract import ACTION_NAMES

ROOT = Path(__file__).resolve().parents[1]
KEY = "stage_obligatoire"


class Baseline:
    """One SQLite file and one engine; `lifecycle()` runs one complete mandatory course."""

    def __init__(self, path: Path):
        self.xml = (ROOT / "bpmn" / f"{KEY}.bpmn").read_bytes()
        # the bundle's decision tables (bpmn/decisions), parsed with the BPMN
        self.files = {f"decisions/{p.name}": p.read_text("utf-8")
                      for p in sorted((ROOT / "bpmn" / "decisions").glob("*.dmn"))}
        now = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
        self.engine = ProcessEngine(lambda: now)
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS instances (id INTEGER PRIMARY KEY, "
                          "state TEXT)")
        self.noop = {n: (lambda *a: None) for n in ACTION_NAMES}

    def _ctx(self, facts):
        # the service tasks' catalogue actions (letters) are the service's: none here
        return ScriptContext(dict(facts), self.noop, lambda call: None)

    def _step(self, iid, facts, act):
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        state = conn.execute("SELECT state FROM instances WHERE id=?", (iid,)).fetchone()[0]
        wf = self.engine.resume(1, self.xml, KEY, state, self._ctx(facts), files=self.files)
        act(wf)
        conn.execute("UPDATE instances SET state=? WHERE id=?", (wf.state_json(), iid))
        conn.execute("COMMIT")
        return wf

    def lifecycle(self) -> None:
        facts = {"echeance_timer": "2026-07-11T00:00:00+02:00", "attestation_delivree": False,
                 "conformite": "en_attente", "examen_manuel_requis": False,
                 "stage_a_crediter": False}
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        wf = self.engine.start(1, self.xml, KEY, self._ctx(facts), files=self.files)
        iid = conn.execute("INSERT INTO instances (state) VALUES (?)",
                           (wf.state_json(),)).lastrowid
        conn.execute("COMMIT")
        self._step(iid, facts, lambda w: w.send_message("inscription"))
        facts["attestation_delivree"] = True
        self._step(iid, facts, lambda w: w.send_message("resultat_session"))
        self._step(iid, facts, lambda w: w.send_message("attestation_recue"))
        self._step(iid, facts, lambda w: w.complete_task("verification_attestation",
                                                         {"decision": "valider", "motif": ""}))
        facts["conformite"] = "conforme"
        wf = self._step(iid, facts, lambda w: w.send_message("conformite_connue"))
        assert wf.is_completed()

    def close(self) -> None:
        self.conn.close()


def run(path: Path, seconds: float = 20.0, max_lifecycles: int = 300) -> dict:
    base = Baseline(path)
    base.lifecycle()  # warm-up: parse and cache the spec
    done, t0 = 0, time.perf_counter()
    while done < max_lifecycles and time.perf_counter() - t0 < seconds:
        base.lifecycle()
        done += 1
    elapsed = time.perf_counter() - t0
    base.close()
    return {"lifecycles": done, "seconds": round(elapsed, 2),
            "engine_baseline_lifecycles_per_s": round(done / elapsed, 2)}
