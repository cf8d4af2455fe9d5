"""The BPMN bytes of an upload: the raw body (application/xml) or one .bpmn file of a multipart
form. The shipped processes use no DMN table, so a .dmn file is refused by name (422)."""

from __future__ import annotations

from flask import request

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
