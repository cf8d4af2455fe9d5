"""Marshmallow schemas of the process designers' endpoints (drafts, test runs, diffs,
migrations, process history); docs/designers.md describes them in prose."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.design import process_history, sandbox, scenario_runs
from web.api.instants import Instant
from web.api.schemas import (
    CASE_KINDS,
    CASE_STATUS_DESCRIPTION,
    MAX_INT,
    In,
    ProcessRefSchema,
    TaskRefSchema,
    TimerSchema,
    code,
    identifier,
    length,
    range_,
)


class ProcessEventSchema(Schema):
    at = Instant()
    actor = fields.String()
    type = code(process_history.TYPES)
    version = fields.Integer(allow_none=True)
    draft = fields.Integer(attribute="draft_id", allow_none=True)
    detail = fields.Dict()


# ---- diffs ----------------------------------------------------------------------------------

class DiffArgs(In):
    against = fields.Integer(load_default=None, validate=range_(1, MAX_INT),
                             metadata={"description": "version de départ (défaut : n-1)"})


class DiffElementSchema(Schema):
    id = fields.String()
    type = fields.String(metadata={"description": "type BPMN (userTask, sequenceFlow…)"})
    name = fields.String(allow_none=True)


class DiffChangeSchema(Schema):
    what = fields.String(metadata={"description": "nom, script, condition, minuterie, "
                                                  "documentation, flux ou attributs"})
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)


class DiffChangedSchema(DiffElementSchema):
    changes = fields.List(fields.Nested(DiffChangeSchema))


class DiffSchema(Schema):
    key = fields.String()
    from_ = fields.Integer(data_key="from", attribute="from", allow_none=True)
    to = fields.Raw(metadata={"description": "numéro de version, ou « brouillon »"})
    added = fields.List(fields.Nested(DiffElementSchema))
    removed = fields.List(fields.Nested(DiffElementSchema))
    changed = fields.List(fields.Nested(DiffChangedSchema))


class FormsSchema(Schema):
    forms = fields.Dict(keys=fields.String(), values=fields.Raw(),
                        metadata={"description": "les documents form-js du paquet, par "
                                                 "identifiant de formulaire"})


class DecisionsSchema(Schema):
    decisions = fields.Dict(keys=fields.String(), values=fields.String(),
                            metadata={"description": "les tables de décision DMN du paquet "
                                                     "(XML), par identifiant de décision"})


# ---- drafts and test runs -------------------------------------------------------------------

class DraftArgs(In):
    based_on = fields.Integer(load_default=None, validate=range_(1, MAX_INT),
                              metadata={"description": "version éditée (défaut : la dernière)"})
    from_draft = fields.Integer(load_default=None, validate=range_(1, MAX_INT),
                                metadata={"description": "brouillon ouvert dans l'éditeur : les "
                                          "fichiers que l'envoi ne contient pas (courriers, "
                                          "formulaires, tables) sont repris de lui et non de la "
                                          "version"})


class ProblemSchema(Schema):
    element_id = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    message = fields.String()


class SummarySchema(Schema):
    passed = fields.Integer()
    failed = fields.Integer()
    total = fields.Integer()


class ScenarioSchema(Schema):
    feature = fields.String(metadata={"description": "fichier features/<feature>.feature"})
    name = fields.String()
    tags = fields.List(fields.String())
    status = code(sandbox.SCENARIO_STATUSES)
    message = fields.String(allow_none=True)


TEST_RUN_STATUSES = (scenario_runs.WAITING, scenario_runs.RUNNING, scenario_runs.PASSED,
                     scenario_runs.FAILED, scenario_runs.ERROR)


class TestRunSchema(Schema):
    id = fields.Integer()
    draft = fields.Integer()
    status = code(TEST_RUN_STATUSES)
    requested_by = fields.String()
    requested_at = Instant()
    started_at = Instant(allow_none=True)
    finished_at = Instant(allow_none=True)
    features = fields.List(fields.String())
    summary = fields.Nested(SummarySchema)
    scenarios = fields.List(fields.Nested(ScenarioSchema))
    message = fields.String(allow_none=True)


class TestRunInSchema(In):
    features = fields.List(fields.String(validate=length(1, 80)), load_default=None,
                           allow_none=True,
                           metadata={"description": "noms de fichiers de features/ sans "
                                                    "« .feature » ; défaut : toutes"})


class DraftSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    based_on = fields.Integer(allow_none=True)
    created_by = fields.String()
    created_at = Instant()
    valid = fields.Boolean()
    problems = fields.List(fields.Nested(ProblemSchema))
    warnings = fields.List(
        fields.Nested(ProblemSchema),
        metadata={"description": "ce que le BPMN porte et que le moteur ignore sans effet sur "
                                 "le déroulement des dossiers (extensions descriptives d'autres "
                                 "outils, comme camunda:historyTimeToLive) : signalé, jamais "
                                 "bloquant ; seulement pour un brouillon lu seul (pas dans la "
                                 "liste des brouillons)"})
    last_test_run = fields.Nested(TestRunSchema, allow_none=True)
    deployed_as = fields.Integer(allow_none=True)
    identical_to = fields.Integer(
        allow_none=True, metadata={"description": "numéro de la dernière version déployée "
                                   "quand le brouillon lui est identique (BPMN et fichiers) : "
                                   "il n'y a rien à déployer (le déploiement répond 409) ; "
                                   "null sinon, et pour un brouillon déjà déployé"})
    outdated_by = fields.Integer(
        allow_none=True, metadata={"description": "numéro de la dernière version déployée quand "
                                   "elle a été déployée après la version dont part le brouillon "
                                   "(based_on) : son déploiement serait refusé (409), il faut "
                                   "enregistrer un nouveau brouillon à partir d'elle ; null "
                                   "sinon (et quand identical_to est renseigné)"})


class DeployInSchema(In):
    override = fields.Boolean(load_default=False)
    reason = fields.String(load_default="", validate=length(0, 2000))


# ---- migrations -----------------------------------------------------------------------------

class MigrationCandidateSchema(Schema):
    case = fields.Integer()
    reference = fields.String(allow_none=True)
    from_version = fields.Integer()
    safe = fields.Boolean()
    reasons = fields.List(fields.String())


class CaseMigrationInSchema(In):
    version = identifier(required=True)


class MigratedCaseSchema(Schema):
    """A migrated case as its designer needs it: where it stands in the process, none of its
    personal data (no holder, licence number, letter, deadline, attestation nor outcome: the
    clerks' `GET /cases/{id}` has them)."""

    id = fields.Integer()
    reference = fields.String()
    kind = code(CASE_KINDS)
    status = fields.String(metadata={"description": CASE_STATUS_DESCRIPTION})
    status_label = fields.String()
    closed = fields.Boolean()
    process = fields.Nested(ProcessRefSchema, allow_none=True)
    tasks = fields.List(fields.Nested(TaskRefSchema))
    timers = fields.List(fields.Nested(TimerSchema))


class BulkMigrationInSchema(In):
    from_version = identifier(load_default=None, allow_none=True)


class RefusedMigrationSchema(Schema):
    case = fields.Integer()
    reasons = fields.List(fields.String())


class BulkMigrationSchema(Schema):
    migrated = fields.List(fields.Integer())
    refused = fields.List(fields.Nested(RefusedMigrationSchema))
