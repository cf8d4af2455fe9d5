"""Marshmallow schemas of the process designers' endpoints (drafts, test runs, diffs,
migrations, process history); docs/designers.md describes them in prose."""

from __future__ import annotations

from marshmallow import Schema, fields


class ProcessEventSchema(Schema):
    at = fields.DateTime()
    actor = fields.String()
    type = fields.String(metadata={"description": "brouillon_enregistre, scenarios_testes, "
                                                  "version_deployee, deploiement_force, "
                                                  "migration_dossiers"})
    version = fields.Integer(allow_none=True)
    draft = fields.Integer(attribute="draft_id", allow_none=True)
    detail = fields.Dict()

