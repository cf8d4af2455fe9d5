"""The `Server` header names no software and no version.

Werkzeug's development server sent `Server: Werkzeug/3.1.9 Python/3.11.2` and gunicorn sends
`Server: gunicorn`: both tell an attacker which known flaws to try. Neither lets the application
set the header (each writes its own before the application's headers), so both are told here,
in every process that creates the app (gunicorn's workers create it after the fork, and the
header is written by the worker)."""

from __future__ import annotations

SERVER_HEADER = "stages"


def hide_server_software() -> None:
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.version_string = lambda self: SERVER_HEADER  # type: ignore[method-assign]
    try:
        import gunicorn.http.wsgi as gunicorn_wsgi
    except ImportError:  # pragma: no cover - gunicorn is a runtime dependency
        return
    gunicorn_wsgi.SERVER = SERVER_HEADER  # read by each Response it builds
