"""A normal letter's layout: WeasyPrint in this process (as before the layout's limits) against
the bounded child (services/letters/layout.py), interleaved so that both meet the same load; and
what starting a child costs (what a process per letter would pay each time).

    .venv/bin/python -m bench.letter_layout [iterations]      (docs/performance.md)
"""

from __future__ import annotations

import statistics
import sys
import time

import weasyprint

from services.letters import layout, render
from services.letters.context import sample_context
from tests.unit.test_letters_render import shipped


class NoFetch(weasyprint.URLFetcher):
    def fetch(self, url, headers=None):
        raise ValueError(url)


def in_process(html: str) -> bytes:
    document = weasyprint.HTML(string=html, url_fetcher=NoFetch(allowed_protocols=()),
                               base_url=None)
    return document.write_pdf(pdf_variant=render.PDF_VARIANT)


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    return (f"{name}: median {statistics.median(values):.1f} ms, min {values[0]:.1f}, "
            f"max {values[-1]:.1f}")


def main(iterations: int) -> None:
    html = render.render_html(shipped(), "signalement_procureur", sample_context())
    print(f"first layout in this process (WeasyPrint imported): {timed(in_process, html):.0f} ms")
    print(f"first layout by a child (its start included): {timed(layout.to_pdf, html):.0f} ms")
    before, after = [], []
    for _ in range(iterations):
        before.append(timed(in_process, html))
        after.append(timed(layout.to_pdf, html))
    print(summary("in this process (before)", before))
    print(summary("in the child (after)", after))
    starts = []
    for _ in range(5):
        start = time.perf_counter()
        child = layout._Child()  # noqa: SLF001 - what a process per letter would pay
        starts.append((time.perf_counter() - start) * 1000)
        child.kill()
    print(summary("a new child (imports WeasyPrint, lays out a warm-up)", starts))
    layout.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
