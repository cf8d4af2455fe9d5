"""The BPMN bytes of an upload: the raw body (application/xml) or one .bpmn file of a multipart
form. The shipped processes use no DMN table, so a .dmn file is refused by name (422). And the
BPMN bytes of a download, which a browser must never run."""

from __future__ import annotations

from flask import Response, request

from services.errors import Invalid


def bpmn_bytes() -> bytes:
    if request.mimetype == "multipart/form-data" or request.files:
        files = [f for _name, f in request.files.items(multi=True)]
        names = [(f.filename or "") for f in files]
        dmn = [n for n in names if n.lower().endswith(".dmn")]
        if dmn:
            raise Invalid.field(
                "file", f"Les processus de cette application n'utilisent pas de table DMN : "
                f"le fichier « {dmn[0]} » est refusé ; joignez seulement le fichier .bpmn.")
        bpmn = [f for f, n in zip(files, names, strict=True) if n.lower().endswith(".bpmn")]
        if len(bpmn) != 1:
            raise Invalid.field("file", "Joignez exactement un fichier .bpmn.")
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


def bpmn_response(xml: bytes, filename: str) -> Response:
    """Stored BPMN bytes as a download that no browser renders or runs."""
    response = Response(xml, mimetype="application/xml", headers=DOWNLOAD_HEADERS)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response
