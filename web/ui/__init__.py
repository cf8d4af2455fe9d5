"""The clerks' and centres' browser UI (French, DSFR): server-rendered pages under /ui, a login
form with a session cookie, CSRF on every form, front-end assets served from node_modules."""

from __future__ import annotations

from flask import Flask

from web.ui import designer, security, vendor, views  # noqa: F401  designer: /ui/processus routes


def init_ui(app: Flask) -> None:
    security.init(app)
    vendor.init(app)
    app.register_blueprint(views.blp)
    views.register_app_errors(app)
