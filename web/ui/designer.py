"""The process designers' pages under /ui/processus (issue #6): versions, XML, diffs, drafts,
history, the BPMN editor, test runs, deployment and case migration.

The pages are shells: their script (static/designer.js, static/editor.js) reads and writes
through the REST API with the session cookie and the CSRF token of the page's <meta> tag, so
the browser and the API share one contract. The views only check the role, that the process
or version exists, and hand the script its URLs in data-* attributes."""

from __future__ import annotations

import re

from flask import abort, current_app, redirect, render_template, request, url_for

from services import bundles, processes
from services.design import drafts, sandbox
from web.auth import current_user
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

DESIGNERS = ("designer",)  # admin is always allowed
NUMBER = re.compile(r"[1-9][0-9]{0,8}")


def _page(page: str, **data):
    """Render ui/processus_<page>.html; `data` goes to the template and, as JSON, to the script."""
    config = {"page": page, "role": current_user().role, "base": url_for("ui.processus_versions"),
              "cases": url_for("ui.case_page", case_id=0).rsplit("/", 1)[0], **data}
    return render_template(f"ui/processus_{page}.html", config=config, **data)


@pages.route("/processus")
@login_required(*DESIGNERS)
def processus_versions():
    return _page("versions")


@pages.route("/processus/<key>/versions/<int:number>")
@login_required(*DESIGNERS)
def processus_version(key: str, number: int):
    version = processes.get_version(key, number)
    return _page("version", key=key, number=version.version)


@pages.route("/processus/<key>/comparer")
@login_required(*DESIGNERS)
def processus_diff(key: str):
    latest = processes.active_version(key).version
    to = _version_arg("a", latest)
    since = _version_arg("de", max(1, to - 1))
    return _page("diff", key=key, to=to, since=since)


@pages.route("/processus/<key>/brouillons")
@login_required(*DESIGNERS)
def processus_drafts(key: str):
    processes.active_version(key)  # 404 for an unknown process
    limit = current_app.config["MAX_CONTENT_LENGTH"]  # an import past it is a 413
    return _page("drafts", key=key, max_upload=limit, max_upload_mo=f"{limit / 2**20:g}")


@pages.route("/processus/<key>/historique")
@login_required(*DESIGNERS)
def processus_history(key: str):
    processes.active_version(key)
    return _page("history", key=key)


@pages.route("/processus/<key>/editeur")
@login_required(*DESIGNERS)
def processus_editor(key: str):
    """Opens the current version, `?version=N`, or `?brouillon=ID` (a draft of this process)."""
    current = processes.active_version(key)
    draft = _number(request.args.get("brouillon"))
    number = _number(request.args.get("version"))
    if "brouillon" in request.args and draft is None:
        abort(404)
    if draft is not None:
        saved = drafts.get(draft)  # 404 for an unknown draft, as the draft page's
        if saved.key != key:  # a draft of another process opens in its own process's editor
            return redirect(url_for("ui.processus_editor", key=saved.key, brouillon=draft))
    version = processes.get_version(key, number) if number else current
    return _page("editor", key=key, current=current.version,
                 version=version.version, draft=draft,
                 form_field_types=list(bundles.FORM_FIELD_TYPES),
                 form_field_labels=bundles.FORM_FIELD_LABELS,
                 decision_type_refs=list(bundles.DECISION_TYPE_REFS),
                 form_preview=url_for("ui.processus_form_preview", key=key))


@pages.route("/processus/brouillons/<int:draft_id>")
@login_required(*DESIGNERS)
def processus_draft(draft_id: int):
    drafts.get(draft_id)  # 404 for an unknown draft, as the API's
    return _page("draft", draft=draft_id, features=feature_list())


@pages.route("/processus/<key>/versions/<int:number>/migrations")
@login_required(*DESIGNERS)
def processus_migrations(key: str, number: int):
    version = processes.get_version(key, number)
    return _page("migrations", key=key, number=version.version)


def _version_arg(name: str, default: int) -> int:
    return _number(request.args.get(name)) or default


def _number(raw: str | None) -> int | None:
    """A positive id or version number from the query string (None when absent or not one)."""
    return int(raw) if raw and NUMBER.fullmatch(raw) else None


# ---- the acceptance features a draft can be tested against ---------------------------------

TITLE = re.compile(r"^\s*Fonctionnalité\s*:\s*(.+?)\s*$", re.MULTILINE)


def feature_list() -> list[dict]:
    """The Gherkin features of the acceptance suite (file stem, French title, and the scenarios
    a run reports: an outline's examples each count, sandbox.feature_count)."""
    out = []
    for name in sandbox.available_features():  # exactly the stems a test run accepts
        path = sandbox.FEATURES_DIR / f"{name}.feature"
        text = path.read_text(encoding="utf-8")
        title = TITLE.search(text)
        count = sandbox.feature_count(name)
        out.append({"name": name, "title": title.group(1) if title else name,
                    "scenarios": count.scenarios if count else None,
                    "examples": count.examples if count else 0})
    return out
