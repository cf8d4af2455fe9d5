"""Clerks' groups (issue 14: lanes are clerk groups): admins list and create groups and set each
agent's groups. A BPMN lane names a group by its code; its tasks are offered to the members."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from services import groups, users
from web.api.schemas import In, length
from web.auth import current_user, require

blp = Blueprint("groups", __name__, url_prefix="/api/v1/groups",
                description="Groupes d'agents : un couloir BPMN nomme un groupe, ses tâches sont "
                            "proposées à ses membres (administrateurs)")
users_blp = Blueprint("user_groups", __name__, url_prefix="/api/v1/users",
                      description="Les groupes d'un agent (administrateurs)")


class GroupSchema(Schema):
    code = fields.String(metadata={"description": "code court (nommé par la propriété "
                                                  "« groupe » d'un couloir BPMN)"})
    name = fields.String(metadata={"description": "libellé en français"})
    members = fields.Function(groups.active_members, metadata={
        "description": "noms des membres actifs, ceux qui peuvent prendre les tâches du groupe"})
    deactivated_members = fields.Function(groups.deactivated_members, metadata={
        "description": "noms des membres désactivés : ils gardent le groupe pour une "
                       "réactivation mais ne prennent aucune tâche"})


class GroupListSchema(Schema):
    items = fields.List(fields.Nested(GroupSchema))


class GroupInSchema(In):
    code = fields.String(required=True, validate=length(1, 40), metadata={
        "description": "40 caractères au plus : minuscules sans accent, chiffres, « _ » ou "
                       "« - », commençant par une lettre", "example": "accueil"})
    name = fields.String(required=True, validate=length(1, groups.MAX_NAME),
                         metadata={"example": "Accueil téléphonique"})


class UserGroupsSchema(Schema):
    username = fields.String()
    groups = fields.List(fields.String(), metadata={"description": "codes des groupes"})


class UserGroupsInSchema(In):
    groups = fields.List(fields.String(validate=length(1, 40)), required=True,
                         validate=validate.Length(max=100, error="100 groupes au plus."),
                         metadata={"description": "tous les groupes de l'agent (remplace les "
                                                  "précédents ; [] : aucun)",
                                   "example": ["accueil"]})


@blp.route("", methods=["GET"])
@require("admin")
@blp.response(200, GroupListSchema)
def list_groups():
    """Les groupes d'agents, par code, avec leurs membres"""
    return {"items": groups.list_groups()}


@blp.route("", methods=["POST"])
@require("admin")
@blp.arguments(GroupInSchema)
@blp.response(201, GroupSchema)
def create_group(data):
    """Créer un groupe (409 si le code existe déjà)"""
    groups.create(data["code"], data["name"], actor=current_user().username)
    return groups.get(data["code"])


@blp.route("/<code>", methods=["GET"])
@require("admin")
@blp.response(200, GroupSchema)
def get_group(code):
    """Un groupe et ses membres"""
    return groups.get(code)


class GroupRenameSchema(In):
    name = fields.String(required=True, validate=length(1, groups.MAX_NAME),
                         metadata={"example": "Accueil téléphonique"})


@blp.route("/<code>", methods=["PATCH"])
@require("admin")
@blp.arguments(GroupRenameSchema)
@blp.response(200, GroupSchema)
def rename_group(data, code):
    """Renommer un groupe (son code, que nomment les couloirs, ne change pas)"""
    groups.rename(code, data["name"], actor=current_user().username)
    return groups.get(code)


def _user_groups(user) -> dict:
    return {"username": user.username, "groups": [grp.code for grp in user.groups]}


@users_blp.route("/<username>/groups", methods=["GET"])
@require("admin")
@users_blp.response(200, UserGroupsSchema)
def get_user_groups(username):
    """Les groupes d'un utilisateur"""
    return _user_groups(users.get_by_name(username))


@users_blp.route("/<username>/groups", methods=["PUT"])
@require("admin")
@users_blp.arguments(UserGroupsInSchema)
@users_blp.response(200, UserGroupsSchema)
def put_user_groups(data, username):
    """Fixer les groupes d'un agent (ou d'un administrateur) : 404 utilisateur inconnu, 422
    groupe inconnu ou rôle sans tâches"""
    groups.set_user_groups(username, data["groups"], actor=current_user().username)
    return _user_groups(users.get_by_name(username))
