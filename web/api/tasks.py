from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from services import cases, tasks
from web.api.schemas import (
    CaseSchema,
    CompleteInSchema,
    TaskListArgs,
    TaskSchema,
    page_body,
    page_schema,
)
from web.auth import current_user, require

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks",
                description="La liste de tâches des agents")

TaskPage = page_schema(TaskSchema, "TaskPage")


@blp.route("", methods=["GET"])
@require("agent")
@blp.arguments(TaskListArgs, location="query", unknown=RAISE)
@blp.response(200, TaskPage)
def list_tasks(args):
    """Tâches (filtres : dossier, clé, les miennes, état, mes groupes)"""
    items, total = tasks.list_tasks(current_user(), args["case"], args["key"], args["mine"],
                                    args["state"], args["page"], args["per_page"],
                                    my_groups=args["groups"] == "mine")
    return page_body(items, total, args)


@blp.route("/<int:task_id>/claim", methods=["POST"])
@require("agent")
@blp.response(200, TaskSchema)
def claim(task_id):
    """Prendre une tâche"""
    tasks.claim(task_id, current_user())
    return tasks.get(task_id)


@blp.route("/<int:task_id>/unclaim", methods=["POST"])
@require("agent")
@blp.response(200, TaskSchema)
def unclaim(task_id):
    """Rendre une tâche"""
    tasks.unclaim(task_id, current_user())
    return tasks.get(task_id)


@blp.route("/<int:task_id>/complete", methods=["POST"])
@require("agent")
@blp.arguments(CompleteInSchema)
@blp.response(200, CaseSchema)
def complete(data, task_id):
    """Terminer une tâche avec les données de son formulaire"""
    case_id = tasks.complete(task_id, data["data"], current_user()).id
    return cases.view(cases.get(case_id))
