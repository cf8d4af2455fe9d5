"""The process that lays letters out with WeasyPrint, apart from the web or outbox process that
asks (services/letters/layout.py starts it: `python -I <this file>`, so it imports WeasyPrint
and the standard library only, not the application).

WeasyPrint's layout has no bound of its own: a designer's HTML of a few kilobytes can make it
run for minutes or take gigabytes (thousands of page breaks, deep floats). Here it runs alone,
so the parent can kill it at its deadline or past its memory (it reads the child's resident
memory as it waits). This process stops a letter past its page limit while it is being laid out,
bounds its own address space per letter as a backstop (RLIMIT_AS, a margin above the parent's
limit: a burst of allocation between two of its reads gets a MemoryError), and exits when its
parent is gone or when it has been idle for a while.

Protocol on stdin/stdout: the child writes b"R" once WeasyPrint is loaded and warmed up; then,
per letter, the parent writes REQUEST (timeout, memory MiB, page limit, HTML length) and the
HTML in UTF-8, the child answers REPLY (kind, length) and the payload: PDF the PDF, MEMORY,
PAGES (the page limit, as text) or ERROR (the exception's class name)."""

from __future__ import annotations

import math
import os
import resource
import select
import signal
import struct
import sys
import threading
import time

REQUEST = struct.Struct("!dIIQ")
REPLY = struct.Struct("!cQ")
READY, PDF, MEMORY, PAGES, ERROR = b"R", b"P", b"M", b"N", b"E"
PDF_VARIANT = "pdf/a-3b"
IDLE_SECONDS = 300  # an idle child exits (its parent starts another when a letter comes)
ALARM_GRACE = 5  # past its deadline plus this, a letter kills the child even without a parent
PARENT_POLL_SECONDS = 0.5
# the address space a letter may add: twice the parent's limit on resident memory, plus room for
# the threads' stacks that Pango starts (a C library denied one aborts the whole process)
BACKSTOP_FACTOR, BACKSTOP_MARGIN_MB = 2, 256


class TooManyPages(Exception):
    pass


def _read_exactly(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _limit_pages(weasyprint) -> None:
    """WeasyPrint makes the pages one by one (layout.make_all_pages, a generator): counted as
    they come, a letter past its limit stops at the first page too many, not after laying out
    thousands. An internal name: absent in another WeasyPrint, the count after layout stays."""
    layout = weasyprint.layout
    make_all_pages = getattr(layout, "make_all_pages", None)
    if make_all_pages is None:
        return

    def counted(*args, **kwargs):
        for number, page in enumerate(make_all_pages(*args, **kwargs), start=1):
            if number > _limit_pages.max_pages:
                raise TooManyPages
            yield page

    layout.make_all_pages = counted


_limit_pages.max_pages = 1_000_000


def _watch_parent(parent: int) -> None:
    """The parent gone (killed web worker, crashed outbox worker): this child goes too, even in
    the middle of a letter."""
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(PARENT_POLL_SECONDS)


def main() -> None:
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    import weasyprint

    class NoFetch(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"ressource externe refusée : {url[:80]}")

    def lay_out(html: str, max_pages: int) -> bytes:
        _limit_pages.max_pages = max_pages
        document = weasyprint.HTML(string=html, url_fetcher=NoFetch(allowed_protocols=()),
                                   base_url=None).render()
        if len(document.pages) > max_pages:
            raise TooManyPages
        return document.write_pdf(pdf_variant=PDF_VARIANT)

    _limit_pages(weasyprint)
    lay_out("<p>.</p>", 1)  # fonts and caches loaded now, not in the first letter's time
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    _write(stdout, READY)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    while True:
        if not select.select([stdin], [], [], IDLE_SECONDS)[0]:
            return  # idle: its memory back to the machine
        try:
            timeout, memory_mb, max_pages, size = REQUEST.unpack(
                _read_exactly(stdin, REQUEST.size))
            html = _read_exactly(stdin, size).decode("utf-8")
        except EOFError:
            return  # the parent closed the pipe (it stopped, or dropped this child)
        signal.alarm(math.ceil(timeout) + ALARM_GRACE)  # SIGALRM's default: the process ends
        backstop = (BACKSTOP_FACTOR * memory_mb + BACKSTOP_MARGIN_MB) * 1024**2
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + backstop, hard))
        try:
            kind, payload = PDF, lay_out(html, max_pages)
        except MemoryError:
            kind, payload = MEMORY, b""
        except TooManyPages:
            kind, payload = PAGES, str(max_pages).encode()
        except Exception as exc:  # noqa: BLE001 - told to the parent by its kind
            kind, payload = ERROR, type(exc).__name__.encode()
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
            signal.alarm(0)
        _write(stdout, REPLY.pack(kind, len(payload)) + payload)
        if kind == MEMORY:
            return  # after a MemoryError, a fresh process rather than a doubtful one


if __name__ == "__main__":
    try:
        main()
    except (BrokenPipeError, KeyboardInterrupt):
        pass
