"""The letters of a draft, edited in the browser (issue 15 item 3): a plain textarea per
`courriers/<id>.html`, « Aperçu » (the PDF against the sample case) and « Enregistrer », which
saves the bundle with the edited template as a new draft (a draft is immutable: services/design/
drafts.py). Server-rendered forms with the session's CSRF token; no script, so the pages' CSP
stays as it is."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from services import bundles
from services.design import drafts
from services.errors import NotFound
from services.letters import render as rendering
from services.letters.context import sample_context
from web.api.letters import DOWNLOAD_HEADERS
from web.auth import current_user
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

DESIGNERS = ("designer",)
TEMPLATE_ID = rendering.TEMPLATE_ID
MAX_TEMPLATE_CHARS = 200_000


@pages.app_template_global()
def draft_letters(draft_id: int) -> list[dict]:
    """The draft's letter templates (`_` partials included) for the page; [] for no draft."""
    try:
        draft = drafts.get(draft_id)
    except NotFound:
        return []
    files = bundles.decode_files(draft.files)
    out = []
    for path in sorted(files):
        if rendering.is_letter_path(str(path)):
            name = str(path)[len(rendering.LETTERS_DIR) + 1:-len(rendering.LETTER_SUFFIX)]
            out.append({"id": name, "path": path, "text": files[path],
                        "partial": name.startswith("_")})
    return out


def _edited(draft_id: int) -> tuple[object, str, dict]:
    """The draft, the template id and the bundle's files with the posted text; the page again
    with the French problem (422) when the form is wrong."""
    draft = drafts.get(draft_id)
    template_id = (request.form.get("modele") or "").strip()
    text = request.form.get("texte") or ""
    if not TEMPLATE_ID.fullmatch(template_id):
        raise _Refused(draft_id, template_id, text, "Identifiant de courrier invalide : lettres "
                       "minuscules sans accent, chiffres et « _ » (80 au plus).")
    if len(text) > MAX_TEMPLATE_CHARS:
        raise _Refused(draft_id, template_id, text, f"Modèle trop long (plus de "
                       f"{MAX_TEMPLATE_CHARS} caractères).")
    files = dict(bundles.decode_files(draft.files))
    files[rendering.letter_path(template_id)] = text.replace("\r\n", "\n")
    return draft, template_id, files


class _Refused(Exception):
    def __init__(self, draft_id, template_id, text, message):
        self.draft_id, self.template_id, self.text, self.message = (draft_id, template_id, text,
                                                                    message)


def _page_again(exc: _Refused):
    from web.ui.designer import _page, feature_list

    body = _page("draft", draft=exc.draft_id, features=feature_list(),
                 letter_error={"id": exc.template_id, "text": exc.text,
                               "message": exc.message})
    return body, 422


@pages.route("/processus/brouillons/<int:draft_id>/courriers/apercu", methods=["POST"])
@login_required(*DESIGNERS)
def letter_preview(draft_id: int):
    """The edited letter as a PDF against the sample case (nothing stored)."""
    from flask import Response

    try:
        _, template_id, files = _edited(draft_id)
        if template_id.startswith("_"):
            raise _Refused(draft_id, template_id, request.form.get("texte") or "",
                           "Une mise en page partagée (« _ ») n'a pas d'aperçu seule : "
                           "prévisualisez un courrier qui l'utilise.")
        try:
            made = rendering.render(files, template_id, sample_context())
        except rendering.LetterError as exc:
            where = f" (ligne {exc.line})" if exc.line else ""
            raise _Refused(draft_id, template_id, request.form.get("texte") or "",
                           f"Aperçu impossible : {exc.path}{where} : {exc.message}") from None
    except _Refused as exc:
        return _page_again(exc)
    response = Response(made.pdf, mimetype="application/pdf", headers=DOWNLOAD_HEADERS)
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"apercu-{template_id}.pdf")
    return response


@pages.route("/processus/brouillons/<int:draft_id>/courriers", methods=["POST"])
@login_required(*DESIGNERS)
def letter_save(draft_id: int):
    """Save the bundle with the edited template as a new draft (its problems shown there)."""
    try:
        draft, template_id, files = _edited(draft_id)
    except _Refused as exc:
        return _page_again(exc)
    new = drafts.save(draft.key, draft.xml, draft.based_on, current_user().username, files=files)
    flash(f"Courrier « {template_id} » enregistré dans le brouillon n° {new.id}"
          + ("." if new.valid else " (il a des problèmes : voir « Validation »)."),
          "success" if new.valid else "warning")
    return redirect(url_for("ui.processus_draft", draft_id=new.id) + "#courriers")
