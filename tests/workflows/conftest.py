"""Fixtures for the workflows package: a fake clock, fake facts/actions, and a harness that
round-trips the instance through its state JSON at every wait state (as production does)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workflows import ProcessEngine, ScriptContext
from workflows.contract import ACTION_NAMES

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"
# the shipped decision tables (bpmn/decisions/*.dmn): the bundle files the shipped BPMN needs
SHIPPED_FILES = {f"decisions/{p.name}": p.read_text("utf-8")
                 for p in sorted((BPMN_DIR / "decisions").glob("*.dmn"))}
UTC = dt.UTC
PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2))


def pytest_configure(config):
    config.addinivalue_line("markers", "corpus: validates the third-party BPMN corpus")


class Harness:
    """Drives one case: every command = resume from JSON, act, save JSON."""

    def __init__(self, process_key: str, version_id: int = 1):
        self.process_key = process_key
        self.version_id = version_id
        self.xml = (BPMN_DIR / f"{process_key}.bpmn").read_bytes()
        self.now = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
        self.engine = ProcessEngine(lambda: self.now)
        self.calls: list[tuple] = []
        # the catalogue actions the service tasks called: (element, action, parameters)
        self.service_calls: list[tuple] = []
        self.facts: dict[str, object] = {
            "echeance_timer": "2026-07-11T00:00:00+02:00",  # deadline 2026-07-10 (D1)
            "attestation_delivree": False,
            "conformite": "en_attente",
            "examen_manuel_requis": False,
            "stage_a_crediter": False,
        }
        self.state: str | None = None
        self.run = None

    def context(self) -> ScriptContext:
        def action(name):
            def record(*args):
                self.calls.append((name, *args))

            return record

        def call_action(call):
            self.service_calls.append((call.element_id, call.action, dict(call.params)))

        return ScriptContext(dict(self.facts), {n: action(n) for n in ACTION_NAMES}, call_action)

    def start(self):
        self.run = self.engine.start(self.version_id, self.xml, self.process_key, self.context(),
                                     files=SHIPPED_FILES)
        self.state = self.run.state_json()
        return self.run

    def resume(self):
        assert self.state is not None
        self.run = self.engine.resume(
            self.version_id, self.xml, self.process_key, self.state, self.context(),
            files=SHIPPED_FILES,
        )
        return self.run

    def _save(self):
        self.state = self.run.state_json()

    def send(self, message: str) -> bool:
        result = self.resume().send_message(message)
        self._save()
        return result

    def complete(self, key: str, **data):
        self.resume().complete_task(key, data)
        self._save()

    def tick(self, at: dt.datetime) -> int:
        self.now = at
        fired = self.resume().fire_due_timers()
        self._save()
        return fired

    # views, always on a freshly restored instance
    def view(self):
        return self.resume()

    def open_keys(self) -> list[str]:
        return [t.key for t in self.view().open_tasks()]

    def action_names(self) -> list[str]:
        return [c[0] for c in self.calls]

    def letters(self) -> list[str]:
        """The letter templates the service tasks asked for (`generer_courrier`), in order."""
        return [c[2]["modele"] for c in self.service_calls if c[1] == "generer_courrier"]

    def take_course(self, *, attestation=True):
        assert self.send("inscription")
        self.facts["attestation_delivree"] = attestation
        assert self.send("resultat_session")
        if attestation:
            assert self.send("attestation_recue")


@pytest.fixture
def obligatoire() -> Harness:
    h = Harness("stage_obligatoire")
    h.start()
    return h


@pytest.fixture
def volontaire() -> Harness:
    h = Harness("stage_volontaire")
    h.facts.update(echeance_timer=None, conformite="sans_objet")
    h.start()
    return h
