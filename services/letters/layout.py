"""A letter's HTML laid out as a PDF by WeasyPrint in a child process bounded in time and memory.

WeasyPrint's layout has no limit of its own, and the HTML is a designer's (services/letters/
render.py bounds its rendering, not its layout): a few kilobytes of page breaks run for minutes
or take gigabytes. The layout therefore runs in a child (layout_child.py) that the caller kills
at LETTER_LAYOUT_TIMEOUT_SECONDS or when its resident memory grows by more than
LETTER_LAYOUT_MEMORY_MB (read every MEMORY_POLL_SECONDS); the child bounds its own pages
(LETTER_LAYOUT_MAX_PAGES) and, as a backstop against a burst between two reads, its address
space. Any of them → LayoutRefused, in French: a download's 409, the outbox's retry, the
designer's preview page.

A child lives on between letters (importing WeasyPrint and loading its fonts costs about 0.85 s,
a letter about 80 ms: docs/performance.md), is replaced when killed, and exits by itself when
idle or when its parent dies. Each process (gunicorn worker, outbox worker, dev server, tests)
has its own pool, one child per letter being laid out at once, at most MAX_CHILDREN; a forked
copy of a process starts its own pool and never touches its parent's children."""

from __future__ import annotations

import atexit
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context

from services import settings
from services.letters import layout_child as wire

CHILD_SCRIPT = str(Path(wire.__file__).resolve())
# the settings' defaults, for a layout outside an application (the bench, unit tests)
DEFAULT_TIMEOUT_SECONDS = settings.LETTER_LAYOUT_TIMEOUT_SECONDS
DEFAULT_MEMORY_MB = settings.LETTER_LAYOUT_MEMORY_MB
DEFAULT_MAX_PAGES = settings.LETTER_LAYOUT_MAX_PAGES
STARTUP_SECONDS = 60.0  # importing WeasyPrint on a loaded machine; not the letter's time
MAX_CHILDREN = 4  # per process: letters laid out at once (a sync gunicorn worker: one)
STALE_SECONDS = wire.IDLE_SECONDS - 30  # an idle child is replaced before it exits by itself
MEMORY_POLL_SECONDS = 0.05  # a letter of 80 ms is read twice; /proc costs microseconds
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class LayoutRefused(Exception):
    """The layout went past a limit, or the child stopped: French, for designers."""


class LayoutFailed(Exception):
    """WeasyPrint raised `kind` (the child's exception, by its class name)."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(kind)


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    max_pages: int = DEFAULT_MAX_PAGES


def current_limits() -> Limits:
    """The running application's settings (services/settings.py); the defaults outside one."""
    if not has_app_context():
        return Limits()
    config = current_app.config  # checked by services/settings.py at start-up
    return Limits(config["LETTER_LAYOUT_TIMEOUT_SECONDS"], config["LETTER_LAYOUT_MEMORY_MB"],
                  config["LETTER_LAYOUT_MAX_PAGES"])


def seconds_fr(value: float) -> str:
    """10 → « 10 », 0.5 → « 0,5 »."""
    return f"{value:g}".replace(".", ",")


class _TimedOut(Exception):
    pass


class _Died(Exception):
    pass


class _OverMemory(Exception):
    pass


class _Child:
    """One WeasyPrint process, used by one thread at a time (the pool sees to it)."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-I", CHILD_SCRIPT], bufsize=0,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        close_fds=True)
        self.used_at = time.monotonic()
        self.memory_limit: int | None = None
        try:
            ready = self._read(1, time.monotonic() + STARTUP_SECONDS)
        except (_TimedOut, _Died):
            ready = b""
        if ready != wire.READY:
            self.kill()
            raise LayoutRefused("la mise en page n'a pas pu démarrer (WeasyPrint indisponible)")

    @property
    def pid(self) -> int:
        return self.process.pid

    def usable(self) -> bool:
        return self.process.poll() is None and time.monotonic() - self.used_at < STALE_SECONDS

    def lay_out(self, html: str, limits: Limits) -> tuple[bytes, bytes]:
        """(kind, payload) of the child's reply; _TimedOut past the deadline, _OverMemory past
        its memory, _Died when the child stopped (the caller kills it in each case)."""
        data = html.encode("utf-8", "replace")  # a lone surrogate: « ? »
        self.memory_limit = self._resident() + limits.memory_mb * 1024**2
        deadline = time.monotonic() + limits.timeout
        try:
            os.write(self.process.stdin.fileno(), wire.REQUEST.pack(
                limits.timeout, limits.memory_mb, limits.max_pages, len(data)))
            view = memoryview(data)
            while view:  # the child reads as we write: it waits for nothing else
                view = view[os.write(self.process.stdin.fileno(), view):]
        except OSError:
            raise _Died from None
        kind, size = wire.REPLY.unpack(self._read(wire.REPLY.size, deadline))
        payload = self._read(size, deadline)
        self.used_at = time.monotonic()
        return kind, payload

    def _read(self, n: int, deadline: float) -> bytes:
        fd = self.process.stdout.fileno()
        chunks, left = [], n
        while left:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _TimedOut
            ready = select.select([fd], [], [], min(remaining, MEMORY_POLL_SECONDS))[0]
            if self.memory_limit is not None and self._resident() > self.memory_limit:
                raise _OverMemory
            if not ready:
                continue
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise _Died
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _resident(self) -> int:
        """The child's resident memory in bytes (0 once it is gone: its reply says why)."""
        try:
            with open(f"/proc/{self.process.pid}/statm") as statm:
                return int(statm.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            return 0

    def kill(self) -> None:
        """Killed and reaped (no zombie), its pipes closed."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()


class _Pool:
    def __init__(self):
        self.pid = os.getpid()
        self.idle: list[_Child] = []
        self.children: set[_Child] = set()
        self.busy = 0
        self.changed = threading.Condition()

    def take(self, wait: float) -> _Child | None:
        """An idle child, or None when the caller may start one; LayoutRefused when
        MAX_CHILDREN are busy for `wait` seconds."""
        deadline = time.monotonic() + wait
        with self.changed:
            while True:
                while self.idle:
                    child = self.idle.pop()
                    if child.usable():
                        self.busy += 1
                        return child
                    self._forget(child)
                if self.busy < MAX_CHILDREN:
                    self.busy += 1
                    return None
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.changed.wait(remaining):
                    raise LayoutRefused("trop de courriers en cours de mise en page ; "
                                        "réessayez dans un instant")

    def started(self, child: _Child) -> None:
        with self.changed:
            self.children.add(child)

    def give_back(self, child: _Child | None, keep: bool) -> None:
        with self.changed:
            self.busy -= 1
            if child is not None:
                if keep and os.getpid() == self.pid:
                    self.idle.append(child)
                else:
                    self._forget(child)
            self.changed.notify()

    def _forget(self, child: _Child) -> None:
        self.children.discard(child)
        child.kill()

    def shutdown(self) -> None:
        with self.changed:
            if os.getpid() != self.pid:
                return  # a forked copy: those children are its parent's
            for child in list(self.children):
                self._forget(child)
            self.idle.clear()


_POOL: _Pool | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> _Pool:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL.pid != os.getpid():
            _POOL = _Pool()  # a forked copy owns none of its parent's children
        return _POOL


def child_pids() -> list[int]:
    """The pids of this process's layout children (tests: nothing leaked)."""
    pool = _pool()
    with pool.changed:
        return sorted(c.pid for c in pool.children)


def shutdown() -> None:
    """Every child of this process killed and reaped (at exit; tests)."""
    if _POOL is not None:
        _POOL.shutdown()


atexit.register(shutdown)


def to_pdf(html: str, limits: Limits | None = None) -> bytes:
    """The HTML as a PDF/A; LayoutRefused (French) past a limit, LayoutFailed when WeasyPrint
    raised. Starting a child is not counted in the layout's time."""
    limits = limits or current_limits()
    pool = _pool()
    child = pool.take(wait=limits.timeout)
    keep = False
    try:
        if child is None:
            child = _Child()
            pool.started(child)
        try:
            kind, payload = child.lay_out(html, limits)
        except _TimedOut:
            raise LayoutRefused(f"la mise en page a dépassé {seconds_fr(limits.timeout)} "
                                "secondes") from None
        except _OverMemory:
            raise LayoutRefused(f"la mise en page a utilisé trop de mémoire (limite "
                                f"{limits.memory_mb} Mio)") from None
        except _Died:
            # a C library that cannot get memory (a thread's stack) aborts the process
            raise LayoutRefused(f"la mise en page s'est arrêtée brutalement (mémoire épuisée, "
                                f"limite {limits.memory_mb} Mio, ou erreur de WeasyPrint)") \
                from None
        keep = kind in (wire.PDF, wire.PAGES, wire.ERROR)  # the child is still sound
        if kind == wire.PDF:
            return payload
        if kind == wire.MEMORY:
            raise LayoutRefused(f"la mise en page a utilisé trop de mémoire (limite "
                                f"{limits.memory_mb} Mio)")
        if kind == wire.PAGES:
            raise LayoutRefused(f"le courrier dépasse {limits.max_pages} pages")
        raise LayoutFailed(payload.decode("utf-8", "replace")[:80] or "erreur")
    finally:
        pool.give_back(child, keep)
