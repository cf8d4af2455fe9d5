"""The bundle of an upload: the raw body (application/xml: the BPMN alone, its forms and
decision tables inherited), a multipart form (one .bpmn file and any number of .form and .dmn
files) or a zip (application/zip: one .bpmn, .form and .dmn files anywhere; services/bundles.py
reads it). And the BPMN bytes of a download, which a browser must never run."""

from __future__ import annotations

from flask import Response, request

from services import bundles
from services.errors import Invalid
from web.bodies import MalformedJson

ZIP_TYPES = ("application/zip", "application/x-zip-compressed")
# the only API endpoints whose body is not JSON (the views that call `bundle_upload`)
UPLOAD_ENDPOINTS = frozenset({"designer.post_draft", "processes.post_version"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# What the OpenAPI document says of these bodies (flask-smorest cannot infer them: they are not
# marshmallow-loaded JSON). API.md: "BPMN XML body (application/xml), or multipart with .bpmn
# and .dmn files".
BUNDLE_BODY = {
    "required": True,
    "description": "Le XML BPMN seul (application/xml : formulaires et tables de décision repris "
                   "de la version dont il part), un formulaire multipart (exactement un fichier "
                   ".bpmn, et des fichiers .form, .dmn et courriers/*.html), ou une archive zip "
                   "(un .bpmn et ses fichiers) ; 5 Mio au plus (413 au-delà).",
    "content": {
        "application/xml": {"schema": {"type": "string"}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {
            "type": "array", "items": {"type": "string", "format": "binary"},
            "description": "les fichiers, chacun sous le nom de champ qu'on veut ; leur nom "
                           "de fichier dit ce qu'ils sont (.bpmn, .form, .dmn, .html)"}}}},
        "application/zip": {"schema": {"type": "string", "format": "binary"}},
    },
}


def file_response(mimetype: str, description: str) -> dict:
    """The 200 of a download, for the OpenAPI document (`blp.doc(responses=…)`)."""
    binary = {"type": "string", "format": "binary"} if mimetype == "application/zip" else {
        "type": "string"}
    return {"200": {"description": description, "content": {mimetype: {"schema": binary}},
                    "headers": {"Content-Disposition": {
                        "description": "attachment, avec le nom du fichier",
                        "schema": {"type": "string"}}}}}


BPMN_FILE = file_response("application/xml", "Le XML BPMN, en pièce jointe")
ZIP_FILE = file_response("application/zip", "L'archive zip : le BPMN et ses fichiers")


def bundle_upload() -> tuple[bytes, dict | None]:
    """(BPMN bytes, files) of the request; files None for a raw BPMN (the forms are inherited
    from the version it is based on)."""
    if request.mimetype in ZIP_TYPES:
        data = request.get_data()
        if not data:
            raise Invalid.field("body", "Le corps doit contenir l'archive zip du processus.")
        return bundles.read_zip(data)
    if request.mimetype == "multipart/form-data" or request.files:
        files: dict[str, str] = {}
        for _name, f in request.files.items(multi=True):
            if (f.filename or "").lower().endswith(bundles.FORM_SUFFIX):
                data = f.read(bundles.MAX_FILE_BYTES + 1)
                if len(data) > bundles.MAX_FILE_BYTES:
                    raise Invalid.field("file", f"Formulaire « {f.filename} » trop volumineux.")
                bundles.add_form(files, f.filename, data)
                f.seek(0)
            elif (f.filename or "").lower().endswith(bundles.LETTER_SUFFIX):  # courriers/*.html
                data = f.read(bundles.MAX_FILE_BYTES + 1)
                if len(data) > bundles.MAX_FILE_BYTES:
                    raise Invalid.field("file", f"Courrier « {f.filename} » trop volumineux.")
                bundles.add_letter(files, (f.filename or "").replace("\\", "/"), data)
            elif (f.filename or "").lower().endswith(bundles.DMN_SUFFIX):
                data = f.read(bundles.MAX_FILE_BYTES + 1)
                if len(data) > bundles.MAX_FILE_BYTES:
                    raise Invalid.field("file", f"Table de décision « {f.filename} » trop "
                                                "volumineuse.")
                bundles.add_decision(files, f.filename, data)
                f.seek(0)
        # a .bpmn alone (the import of a file made elsewhere) keeps its forms, as a raw BPMN
        return bpmn_bytes(), files or None
    return bpmn_bytes(), None


def bpmn_bytes() -> bytes:
    if request.mimetype == "multipart/form-data" or request.files:
        files = [f for _name, f in request.files.items(multi=True)]
        names = [(f.filename or "") for f in files]
        bpmn = [f for f, n in zip(files, names, strict=True)
                if n.lower().endswith(bundles.BPMN_SUFFIXES)]
        if len(bpmn) != 1:
            raise Invalid.field("file", "Joignez exactement un fichier .bpmn (ou .bpmn20.xml).")
        xml = bpmn[0].read()
    else:
        xml = request.get_data()
    if not xml:
        raise Invalid.field("body", "Le corps doit contenir le XML BPMN.")
    return xml


# A BPMN file may carry elements of any namespace in its extensionElements: an XHTML <script>
# there runs when a browser opens the XML at our origin (application/xml is rendered, mixed
# namespaces included). No script, no resource, a unique origin; and saved, not shown.
DOWNLOAD_HEADERS = {"Content-Security-Policy": "default-src 'none'; sandbox",
                    "X-Content-Type-Options": "nosniff"}


def zip_response(data: bytes, filename: str) -> Response:
    """A bundle as a zip download."""
    response = Response(data, mimetype="application/zip", headers=DOWNLOAD_HEADERS)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


def bpmn_response(xml: bytes, filename: str) -> Response:
    """Stored BPMN bytes as a download that no browser renders or runs."""
    response = Response(xml, mimetype="application/xml", headers=DOWNLOAD_HEADERS)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


def refuse_non_json_body() -> None:
    """A body sent to a JSON endpoint of the API with another Content-Type (a form, text) is a
    400 that says so: the view would read no body at all, and answer a 422 listing every field
    as missing although the client sent them."""
    if (request.method not in BODY_METHODS or not request.path.startswith("/api/")
            or request.is_json or not request.content_length
            or request.endpoint is None or request.endpoint in UPLOAD_ENDPOINTS):
        return
    raise MalformedJson(f"Le corps de la requête doit être du JSON, envoyé avec l'en-tête "
                        f"« Content-Type: application/json » (reçu : "
                        f"« {request.mimetype or 'aucun'} »).")
