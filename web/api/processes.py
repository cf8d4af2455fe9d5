from __future__ import annotations

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import RAISE

from services import processes
from services.db import transaction
from services.errors import Invalid
from web.api.auth import current_user, require
from web.api.schemas import PageArgs, ProcessVersionSchema, page_schema

blp = Blueprint("processes", __name__, url_prefix="/api/v1/processes",
                description="Définitions de processus BPMN et leurs versions")

VersionPage = page_schema(ProcessVersionSchema, "ProcessVersionPage")


@blp.route("", methods=["GET"])
@require("agent", "designer")
@blp.arguments(PageArgs, location="query", unknown=RAISE)
@blp.response(200, VersionPage)
def list_processes(args):
    """Les versions déployées, avec le nombre de dossiers en cours sur chacune"""
    rows, total = processes.list_versions(args["page"], args["per_page"])
    items = [{"key": v.key, "version": v.version, "deployed_at": v.deployed_at,
              "deployed_by": v.deployed_by, "active": v.active, "running_cases": n}
             for v, n in rows]
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("/<key>/versions/<int:number>")
@require("agent", "designer")
@blp.response(200, content_type="application/xml")
def get_version(key, number):
    """Le XML BPMN d'une version"""
    version = processes.get_version(key, number)
    return Response(version.xml, mimetype="application/xml")


@blp.route("/<key>/versions", methods=["POST"])
@require("designer")
@blp.response(201, ProcessVersionSchema)
def post_version(key):
    """Déployer une nouvelle version (XML BPMN, ou multipart avec un fichier .bpmn)"""
    if request.files:
        files = [f for f in request.files.values() if (f.filename or "").endswith(".bpmn")]
        if len(files) != 1:
            raise Invalid.field("file", "Joignez exactement un fichier .bpmn.")
        xml = files[0].read()
    else:
        xml = request.get_data()
    if not xml:
        raise Invalid.field("body", "Le corps doit contenir le XML BPMN.")
    with transaction():
        version, _created = processes.deploy(key, xml, current_user().username)
        out = {"key": version.key, "version": version.version, "deployed_at": version.deployed_at,
               "deployed_by": version.deployed_by, "active": version.active, "running_cases": 0}
    return out
