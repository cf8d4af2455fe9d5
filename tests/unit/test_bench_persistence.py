"""bench/persistence.py's meter: a call into SQLAlchemy is counted once, in its outermost entry
point, and the library is left as it was found."""

import importlib
import time

from bench.persistence import ENTRY_POINTS, Meter, metered


def _busy(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_a_nested_call_counts_once_in_the_outer_entry_point():
    meter = Meter()
    inner = meter.wrap("inner", lambda: _busy(0.01))

    def outer_body():
        inner()
        _busy(0.01)

    meter.wrap("outer", outer_body)()
    assert meter.calls == {"outer": 1}
    assert meter.cpu["outer"] >= 0.02
    assert "inner" not in meter.cpu


def test_an_inactive_meter_counts_nothing_and_an_error_still_counts_the_call():
    meter = Meter()
    meter.active = True  # as during the set-up and the engine rounds
    meter.wrap("a", lambda: None)()
    assert not meter.calls

    meter.active = False

    def fails():
        raise ValueError("x")

    try:
        meter.wrap("b", fails)()
    except ValueError:
        pass
    assert meter.calls == {"b": 1} and meter.active is False


def test_metered_replaces_every_entry_point_and_puts_the_originals_back():
    def current():
        out = []
        for module_name, owner_name, name in ENTRY_POINTS:
            module = importlib.import_module(module_name)
            out.append(getattr(getattr(module, owner_name) if owner_name else module, name))
        return out

    before = current()
    with metered():
        during = current()
    assert all(a is not b for a, b in zip(before, during, strict=True))
    assert current() == before
