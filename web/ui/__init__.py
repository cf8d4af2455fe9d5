"""The clerks' and centres' browser UI (French, DSFR): server-rendered pages under /ui, a login
form with a session cookie, CSRF on every form, front-end assets served from node_modules.

The blueprint is made here and every page module is registered on it by name (PAGES): the list
of the UI's pages is this tuple."""

from __future__ import annotations

from flask import Blueprint, Flask

from web.ui import (
    admin_journal_pages,
    attendance_upload,
    batch_pages,
    case_pages,
    centre_pages,
    designer,
    errors,
    export_pages,
    filters,
    form_preview,
    group_pages,
    incident_pages,
    letter_pages,
    licence_pages,
    login_pages,
    nav,
    outbox_pages,
    security,
    session_pages,
    stats_pages,
    user_pages,
    vendor,
    worklist_pages,
)

PAGES = (login_pages, worklist_pages, case_pages, licence_pages, session_pages, designer,
         form_preview, incident_pages, export_pages, attendance_upload, batch_pages, stats_pages,
         group_pages, letter_pages, outbox_pages, centre_pages, admin_journal_pages, user_pages)


def make_blueprint() -> Blueprint:
    blp = Blueprint("ui", __name__, url_prefix="/ui", template_folder="templates",
                    static_folder="static", static_url_path="/static")
    blp.before_request(security.refuse_nul)
    blp.before_request(security.check_csrf)
    filters.register(blp)
    errors.register(blp)
    for module in PAGES:
        module.pages.register(blp)
    return blp


def init_ui(app: Flask) -> None:
    security.init(app)
    vendor.init(app)
    app.register_blueprint(make_blueprint())
    errors.register_app_errors(app)

    @app.context_processor
    def _nav():
        return {"nav_entries_for": nav.entries_for}
