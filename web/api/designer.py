"""The process designers' workspace (docs/designers.md): drafts saved by the editor, scenario
test runs in a sandbox, deployment of a draft, migration of running cases."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from services import bundles, cases, processes
from services.design import case_migration, drafts, scenario_runs
from web.api.designer_schemas import (
    CaseMigrationInSchema,
    DecisionsSchema,
    DeployInSchema,
    DiffSchema,
    DraftArgs,
    DraftSchema,
    FormsSchema,
    MigratedCaseSchema,
    TestRunInSchema,
    TestRunSchema,
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

blp = Blueprint("designer", __name__, url_prefix="/api/v1",
                description="Atelier des concepteurs : brouillons, test des scénarios, "
                            "déploiement et migration des dossiers")

DraftPage = page_schema(DraftSchema, "DraftPage")


@blp.route("/processes/<key>/drafts", methods=["POST"])
@require("designer")
@blp.arguments(DraftArgs, location="query", unknown=RAISE)
@blp.response(201, DraftSchema)
@blp.doc(requestBody=BUNDLE_BODY)
def post_draft(args, key):
    """Enregistrer un brouillon (XML BPMN seul, ses formulaires repris de la version dont il
    part ; multipart avec un fichier .bpmn et des fichiers .form ; ou archive zip) : jamais une
    version en service ; gardé même avec des problèmes, listés avec leur élément ou fichier"""
    xml, files = bundle_upload()
    draft = drafts.save(key, xml, args["based_on"], current_user().username, files,
                        from_draft=args["from_draft"])
    return drafts.view(draft)


@blp.route("/processes/<key>/drafts", methods=["GET"])
@require("designer")
@blp.arguments(PageArgs, location="query", unknown=RAISE)
@blp.response(200, DraftPage)
def list_drafts(args, key):
    """Les brouillons d'un processus, du plus récent au plus ancien"""
    items, total = drafts.list_drafts(key, args["page"], args["per_page"])
    return page_body(items, total, args)


@blp.route("/drafts/<int:draft_id>")
@require("designer")
@blp.response(200, DraftSchema)
def get_draft(draft_id):
    """Un brouillon, ses problèmes, son dernier test et la version qu'il est devenu"""
    return drafts.view(drafts.get(draft_id))


@blp.route("/drafts/<int:draft_id>/xml")
@require("designer")
@blp.response(200, content_type="application/xml")
@blp.doc(responses=BPMN_FILE)
def get_draft_xml(draft_id):
    """Le XML BPMN d'un brouillon"""
    draft = drafts.get(draft_id)
    return bpmn_response(draft.xml, f"brouillon-{draft.id}.bpmn")


@blp.route("/drafts/<int:draft_id>/forms")
@require("designer")
@blp.response(200, FormsSchema)
def get_draft_forms(draft_id):
    """Les formulaires (documents form-js) du brouillon, par identifiant"""
    return bundles.forms_view(drafts.get(draft_id).files)


@blp.route("/drafts/<int:draft_id>/decisions")
@require("designer")
@blp.response(200, DecisionsSchema)
def get_draft_decisions(draft_id):
    """Les tables de décision (DMN) du brouillon, par identifiant de décision"""
    return bundles.decisions_view(drafts.get(draft_id).files)


@blp.route("/drafts/<int:draft_id>/bundle")
@require("designer")
@blp.response(200, content_type="application/zip")
@blp.doc(responses=ZIP_FILE)
def get_draft_bundle(draft_id):
    """Le brouillon en une archive zip : son BPMN et ses formulaires"""
    draft = drafts.get(draft_id)
    return zip_response(bundles.to_zip(draft.key, draft.xml, bundles.decode_files(draft.files)),
                        f"brouillon-{draft.id}.zip")


@blp.route("/drafts/<int:draft_id>/diff")
@require("designer")
@blp.response(200, DiffSchema)
def get_draft_diff(draft_id):
    """Les différences entre le brouillon et la version dont il part"""
    return drafts.diff(drafts.get(draft_id))


@blp.route("/drafts/<int:draft_id>/test-runs", methods=["POST"])
@require("designer")
@blp.arguments(TestRunInSchema)
@blp.response(202, TestRunSchema)
def post_test_run(data, draft_id):
    """Lancer les scénarios (toutes les fonctionnalités, ou celles nommées) sur le brouillon,
    dans un bac à sable ; la réponse arrive avant la fin du test"""
    run = scenario_runs.request_run(drafts.get(draft_id), data.get("features"),
                                    current_user().username, bounded=True)
    run_id = run.id
    scenario_runs.start(run_id)
    return scenario_runs.view(scenario_runs.get(run_id))


@blp.route("/test-runs/<int:run_id>")
@require("designer")
@blp.response(200, TestRunSchema)
def get_test_run(run_id):
    """Un test des scénarios : statut et résultat de chaque scénario"""
    return scenario_runs.view(scenario_runs.get(run_id))


@blp.route("/drafts/<int:draft_id>/deploy", methods=["POST"])
@require("designer")
@blp.arguments(DeployInSchema)
@blp.response(201, ProcessVersionSchema)
def post_deploy(data, draft_id):
    """Déployer le brouillon comme nouvelle version : ses scénarios doivent avoir réussi, sauf
    déploiement forcé par un administrateur, avec un motif, inscrit à l'historique ; ses
    courriers modifiés sont d'abord mis en page (422 nommant celui qui dépasse une limite)"""
    version = drafts.deploy(draft_id, current_user(), data["override"], data["reason"])
    return processes.version_view(version)


@blp.route("/cases/<int:case_id>/migration", methods=["POST"])
@require("designer")
@blp.arguments(CaseMigrationInSchema)
@blp.response(200, MigratedCaseSchema)
def post_case_migration(data, case_id):
    """Faire passer un dossier en cours à une autre version de son processus, si c'est sans
    risque (409 avec les raisons sinon) ; inscrit à l'historique du dossier. La réponse dit où
    en est le dossier, sans ses données personnelles (titulaire, permis, courrier, échéance)"""
    case_migration.migrate_one(case_id, data["version"], current_user().username)
    return cases.view(cases.get(case_id))
