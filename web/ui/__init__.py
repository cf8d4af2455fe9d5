"""The clerks' and centres' browser UI (French, DSFR): server-rendered pages under /ui, a login
form with a session cookie, CSRF on every form, front-end assets served from node_modules."""

from __future__ import annotations

from flask import Flask

from web.ui import (
    attendance_upload,
    batch_pages,
    case_pages,
    designer,
    export_pages,
    incident_pages,
    licence_pages,
    nav,
    security,
    session_pages,
    stats_pages,
    vendor,
    views,
)

# their routes are on views.blp
PAGES = (case_pages, licence_pages, session_pages, designer, incident_pages, export_pages,
         attendance_upload, batch_pages, stats_pages)


def init_ui(app: Flask) -> None:
    security.init(app)
    vendor.init(app)
    app.register_blueprint(views.blp)
    views.register_app_errors(app)

    @app.context_processor
    def _nav():
        return {"nav_entries_for": nav.entries_for}
