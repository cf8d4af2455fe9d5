"""What the service lifecycle spends inside SQLAlchemy (issue 17, item 1): every outermost call
into the persistence layer on the command path is timed (CPU), nested calls ignored, engine
rounds and service groups alternated as in the ratio's section. The figure includes the
database driver's own work and the session's commit hooks; the wrappers add a little to both
(read the share, and the ceiling it implies, not the absolute figures)."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

# (module path, owner attribute or None for the module, function): the entry points a command
# reaches SQLAlchemy through; what they call inside is counted once, in the outermost
ENTRY_POINTS = [
    ("sqlalchemy.orm.session", "Session", "execute"),
    ("sqlalchemy.orm.session", "Session", "get"),
    ("sqlalchemy.orm.session", "Session", "scalar"),
    ("sqlalchemy.orm.session", "Session", "scalars"),
    ("sqlalchemy.orm.session", "Session", "commit"),
    ("sqlalchemy.orm.session", "Session", "flush"),
    ("sqlalchemy.orm.session", "Session", "refresh"),
    ("sqlalchemy.engine.base", "Connection", "execute"),
    ("sqlalchemy.engine.base", "Connection", "exec_driver_sql"),
    ("sqlalchemy.orm.loading", None, "_load_scalar_attributes"),  # expired columns
    ("sqlalchemy.orm.strategies", "_LazyLoader", "_load_for_state"),  # relationships
]


class Meter:
    def __init__(self):
        self.cpu, self.calls, self.active = Counter(), Counter(), False

    def wrap(self, label: str, function):
        def timed(*args, **kwargs):
            if self.active:
                return function(*args, **kwargs)
            self.active, start = True, time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.cpu[label] += time.process_time() - start
                self.calls[label] += 1
                self.active = False
        return timed


@contextmanager
def metered():
    import importlib

    meter, undo = Meter(), []
    for module_name, owner_name, name in ENTRY_POINTS:
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        original = getattr(owner, name)
        setattr(owner, name, meter.wrap(f"{owner_name or module_name}.{name}", original))
        undo.append((owner, name, original))
    try:
        yield meter
    finally:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)


def measure(tmp: Path, seconds: float) -> dict:
    """Installs the wrappers first: SQLAlchemy keeps a reference to its lazy loader and its
    expired-attribute loader when it configures the mappers, so they are replaced before."""
    with metered() as meter:
        meter.active = True  # set-up, warm-up and engine rounds: not the service's
        return _measure(meter, tmp, seconds)


def _measure(meter: Meter, tmp: Path, seconds: float) -> dict:
    from bench import common
    from bench.engine import Baseline

    base = Baseline(tmp / "persistence-engine.sqlite")
    base.lifecycle()  # warm-up
    with common.warm_service(tmp / "persistence.sqlite", "7") as (nums, today):
        engine_cpu = service_cpu = 0.0
        engine_n = service_n = 0
        t_end = time.perf_counter() + seconds
        while time.perf_counter() < t_end:
            c = time.process_time()
            for _ in range(common.GROUP):
                base.lifecycle()
            engine_cpu += time.process_time() - c
            engine_n += common.GROUP
            meter.active = False
            c = time.process_time()
            service_n += len(common.service_group(nums, today))
            service_cpu += time.process_time() - c
            meter.active = True
    base.close()
    per = 1000 / service_n
    inside = sum(meter.cpu.values()) * per
    service_ms, engine_ms = service_cpu * per, 1000 * engine_cpu / engine_n
    return {
        "lifecycles": service_n,
        "engine_cpu_ms_per_lifecycle": round(engine_ms, 1),
        "service_cpu_ms_per_lifecycle": round(service_ms, 1),
        "inside_sqlalchemy_cpu_ms_per_lifecycle": round(inside, 1),
        "inside_sqlalchemy_share": round(inside / service_ms, 3),
        "ratio_cpu_time": round(engine_ms / service_ms, 3),
        # the ratio if the persistence layer cost nothing (the driver's own work included)
        "ratio_cpu_time_without_it": round(engine_ms / (service_ms - inside), 3),
        "by_entry_point": {label: {"cpu_ms_per_lifecycle": round(cpu * per, 2),
                                   "calls_per_lifecycle": round(meter.calls[label] * per
                                                                / 1000, 1)}
                           for label, cpu in meter.cpu.most_common()},
    }
