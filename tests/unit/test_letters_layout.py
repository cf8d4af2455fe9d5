"""WeasyPrint's layout of a letter, in a child process bounded in wall time, memory and pages
(services/letters/layout.py): a designer's HTML that would run for minutes or take gigabytes is
refused in French, the child killed and replaced, nothing left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from services.letters import layout
from services.letters.context import sample_context
from services.letters.render import LetterError, laid_out, render_html
from tests.unit.test_letters_render import pdf_text, shipped

# 3,000 page breaks: tens of seconds of WeasyPrint (2,000 took 16 s), from 100 kB of HTML
ENDLESS = '<p style="break-after: page">x</p>' * 3000
ONLY_TIME = {"max_pages": 1_000_000}  # the page limit would stop it first on a fast machine
MANY_PAGES = '<p style="break-after: page">x</p>' * 300  # quick to read, 300 pages
HUNGRY = "<p>" + "<span>m</span> " * 5000 + "</p>"  # about 80 Mio more, in a few seconds


@pytest.fixture(autouse=True)
def fresh_pool():
    layout.shutdown()
    yield
    layout.shutdown()


def normal_html() -> str:
    return render_html(shipped(), "signalement_procureur", sample_context())


def gone(pid: int) -> bool:
    """Not running and reaped: no process, not even a zombie."""
    return not os.path.exists(f"/proc/{pid}")


def test_a_normal_letter_is_laid_out_by_one_child_kept_between_letters():
    html = normal_html()
    first = layout.to_pdf(html)
    assert first.startswith(b"%PDF-") and "STG-2026-000001" in pdf_text(first)
    pids = layout.child_pids()
    assert len(pids) == 1 and pids[0] != os.getpid()
    assert layout.to_pdf(html).startswith(b"%PDF-")
    assert layout.child_pids() == pids  # WeasyPrint imported once, not per letter


def test_a_layout_past_its_time_is_refused_in_french_and_its_child_killed():
    layout.to_pdf("<p>x</p>")
    [pid] = layout.child_pids()
    started = time.monotonic()
    with pytest.raises(layout.LayoutRefused, match=r"^la mise en page a dépassé 0,5 secondes$"):
        layout.to_pdf(ENDLESS, layout.Limits(timeout=0.5, **ONLY_TIME))
    assert time.monotonic() - started < 5  # not the tens of seconds WeasyPrint wanted
    assert gone(pid) and layout.child_pids() == []


def test_the_next_letter_after_a_kill_is_laid_out_by_a_new_child():
    with pytest.raises(layout.LayoutRefused):
        layout.to_pdf(ENDLESS, layout.Limits(timeout=0.5, **ONLY_TIME))
    assert "STG-2026-000001" in pdf_text(layout.to_pdf(normal_html()))
    assert len(layout.child_pids()) == 1


def test_a_layout_past_its_memory_is_refused_and_the_next_letter_works():
    layout.to_pdf("<p>x</p>")
    [pid] = layout.child_pids()
    with pytest.raises(layout.LayoutRefused,
                       match=r"^la mise en page a utilisé trop de mémoire \(limite 16 Mio\)$"):
        layout.to_pdf(HUNGRY, layout.Limits(memory_mb=16))
    assert gone(pid)
    assert layout.to_pdf(normal_html()).startswith(b"%PDF-")


def test_a_letter_past_its_pages_is_refused_while_laid_out_and_the_child_kept():
    layout.to_pdf("<p>x</p>")
    pids = layout.child_pids()
    with pytest.raises(layout.LayoutRefused, match=r"^le courrier dépasse 20 pages$"):
        layout.to_pdf(MANY_PAGES, layout.Limits(max_pages=20))
    assert layout.child_pids() == pids  # a sound child: nothing to restart
    assert len(layout.to_pdf(MANY_PAGES, layout.Limits(max_pages=300))) > 0


def test_laid_out_names_the_template_and_the_limit(monkeypatch):
    """What the download (409), the outbox (its reason) and the designer's preview show."""
    monkeypatch.setattr(layout, "current_limits", lambda: layout.Limits(timeout=0.5, **ONLY_TIME))
    with pytest.raises(LetterError) as err:
        laid_out(ENDLESS, "relance")
    assert str(err.value) == "courriers/relance.html : la mise en page a dépassé 0,5 secondes"


def test_two_letters_at_once_each_get_a_child():
    html = normal_html()
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(layout.to_pdf(html)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 2 and all(r.startswith(b"%PDF-") for r in results)
    assert 1 <= len(layout.child_pids()) <= 2


def test_shutdown_kills_and_reaps_every_child():
    layout.to_pdf("<p>x</p>")
    [pid] = layout.child_pids()
    layout.shutdown()
    assert layout.child_pids() == [] and gone(pid)


def test_a_child_whose_parent_dies_mid_letter_exits():
    """A web worker killed by gunicorn (SIGKILL: no atexit) leaves no WeasyPrint behind."""
    script = textwrap.dedent(f"""
        import sys, threading
        sys.path.insert(0, {os.getcwd()!r})
        from services.letters import layout
        layout.to_pdf("<p>x</p>")
        print(layout.child_pids()[0], flush=True)
        layout.to_pdf({ENDLESS!r}, layout.Limits(timeout=600, max_pages=10**6))
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              text=True)
    try:
        child = int(parent.stdout.readline())
        time.sleep(0.5)  # in the middle of the endless letter
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{child}"):
        time.sleep(0.1)
    assert gone(child)  # exited, and reaped by init once its parent was gone


def test_the_settings_defaults_are_the_layout_defaults(tmp_path):
    from services.settings import load_settings

    config = load_settings(str(tmp_path), {"DATABASE_URL": "sqlite:///x.sqlite",
                                           "SECRET_KEY": "une-cle"})
    assert (config["LETTER_LAYOUT_TIMEOUT_SECONDS"], config["LETTER_LAYOUT_MEMORY_MB"],
            config["LETTER_LAYOUT_MAX_PAGES"]) == (layout.DEFAULT_TIMEOUT_SECONDS,
                                                   layout.DEFAULT_MEMORY_MB,
                                                   layout.DEFAULT_MAX_PAGES)
    config = load_settings(str(tmp_path), {"DATABASE_URL": "sqlite:///x.sqlite",
                                           "SECRET_KEY": "une-cle",
                                           "LETTER_LAYOUT_TIMEOUT_SECONDS": "2.5"})
    assert config["LETTER_LAYOUT_TIMEOUT_SECONDS"] == 2.5


@pytest.mark.parametrize("name", ["LETTER_LAYOUT_TIMEOUT_SECONDS", "LETTER_LAYOUT_MEMORY_MB",
                                  "LETTER_LAYOUT_MAX_PAGES"])
def test_an_invalid_layout_setting_stops_start_up_named(tmp_path, name):
    from services.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match=f"^{name} : "):
        load_settings(str(tmp_path), {"DATABASE_URL": "sqlite:///x.sqlite",
                                      "SECRET_KEY": "une-cle", name: "-1"})
