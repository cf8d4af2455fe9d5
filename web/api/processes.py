from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from services import bundles, processes
from services.design import case_migration, process_history
from web.api.designer_schemas import (
    BulkMigrationInSchema,
    BulkMigrationSchema,
    DecisionsSchema,
    DiffArgs,
    DiffSchema,
    FormsSchema,
    MigrationCandidateSchema,
    ProcessEventSchema,
)
from web.api.schemas import PageArgs, ProcessVersionSchema, page_body, page_schema
from web.api.uploads import (
    BPMN_FILE,
    BUNDLE_BODY,
    ZIP_FILE,
    bpmn_response,
    bundle_upload,
    zip_response,
)
from web.auth import current_user, require

blp = Blueprint("processes", __name__, url_prefix="/api/v1/processes",
                description="Définitions de processus BPMN et leurs versions")

VersionPage = page_schema(ProcessVersionSchema, "ProcessVersionPage")
ProcessEventPage = page_schema(ProcessEventSchema, "ProcessEventPage")
MigrationPage = page_schema(MigrationCandidateSchema, "MigrationCandidatePage")


@blp.route("", methods=["GET"])
@require("agent", "designer")
@blp.arguments(PageArgs, location="query", unknown=RAISE)
@blp.response(200, VersionPage)
def list_processes(args):
    """Les versions déployées, avec le nombre de dossiers en cours sur chacune"""
    rows, total = processes.list_versions(args["page"], args["per_page"])
    items = [processes.version_view(v, n) for v, n in rows]
    return page_body(items, total, args)


@blp.route("/<key>/versions/<int:number>")
@require("agent", "designer")
@blp.response(200, content_type="application/xml")
@blp.doc(responses=BPMN_FILE)
def get_version(key, number):
    """Le XML BPMN d'une version"""
    version = processes.get_version(key, number)
    return bpmn_response(version.xml, f"{key}-v{version.version}.bpmn")


@blp.route("/<key>/versions/<int:number>/forms")
@require("designer")
@blp.response(200, FormsSchema)
def get_version_forms(key, number):
    """Les formulaires (documents form-js) d'une version, par identifiant"""
    return bundles.forms_view(processes.get_version(key, number).files)


@blp.route("/<key>/versions/<int:number>/decisions")
@require("designer")
@blp.response(200, DecisionsSchema)
def get_version_decisions(key, number):
    """Les tables de décision (DMN) d'une version, par identifiant de décision"""
    return bundles.decisions_view(processes.get_version(key, number).files)


@blp.route("/<key>/versions/<int:number>/bundle")
@require("designer")
@blp.response(200, content_type="application/zip")
@blp.doc(responses=ZIP_FILE)
def get_version_bundle(key, number):
    """Une version en une archive zip : son BPMN et ses formulaires"""
    version = processes.get_version(key, number)
    return zip_response(bundles.to_zip(key, version.xml, bundles.decode_files(version.files)),
                        f"{key}-v{version.version}.zip")


@blp.route("/<key>/versions/<int:number>/diff")
@require("agent", "designer")
@blp.arguments(DiffArgs, location="query", unknown=RAISE)
@blp.response(200, DiffSchema)
def get_version_diff(args, key, number):
    """Les différences entre deux versions : éléments ajoutés, supprimés, modifiés (la mise en
    page du diagramme est ignorée)"""
    return processes.version_diff(key, number, args["against"])


@blp.route("/<key>/versions", methods=["POST"])
@require("designer")
@blp.response(201, ProcessVersionSchema)
@blp.doc(requestBody=BUNDLE_BODY)
def post_version(key):
    """Déployer une nouvelle version (XML BPMN seul, ses formulaires repris de la dernière
    version ; multipart avec un fichier .bpmn et des fichiers .form ; ou archive zip) ; inscrit
    à l'historique du processus comme déployée sans test des scénarios ; ses courriers modifiés
    sont d'abord mis en page (422 nommant celui qui dépasse une limite)"""
    xml, files = bundle_upload()
    version, _created = processes.deploy_upload(key, xml, current_user().username, files=files)
    return processes.version_view(version)


@blp.route("/<key>/events")
@require("designer")
@blp.arguments(PageArgs, location="query", unknown=RAISE)
@blp.response(200, ProcessEventPage)
def list_events(args, key):
    """L'historique du processus, du plus ancien au plus récent : brouillons, scénarios testés,
    versions déployées (forcées ou non), migrations de dossiers"""
    items, total = process_history.list_events(key, args["page"], args["per_page"])
    return page_body(items, total, args)


@blp.route("/<key>/versions/<int:number>/migrations", methods=["GET"])
@require("designer")
@blp.arguments(PageArgs, location="query", unknown=RAISE)
@blp.response(200, MigrationPage)
def list_migrations(args, key, number):
    """Les dossiers en cours sur d'autres versions : peuvent-ils passer sans risque à la version
    n (aucune étape déjà passée modifiée ou supprimée) ? sinon, pourquoi"""
    rows, total = case_migration.candidates(key, number, args["page"], args["per_page"])
    return page_body(rows, total, args)


@blp.route("/<key>/versions/<int:number>/migrations", methods=["POST"])
@require("designer")
@blp.arguments(BulkMigrationInSchema)
@blp.response(200, BulkMigrationSchema)
def post_migrations(data, key, number):
    """Faire passer à la version n tous les dossiers qui le peuvent sans risque (chacun dans sa
    propre transaction, avec un événement à son historique) ; les autres sont listés avec leurs
    raisons"""
    return case_migration.migrate_all(key, number, data.get("from_version"),
                                      current_user().username)
