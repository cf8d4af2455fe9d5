"""The command line of API.md: processes deploy, users create/token/password/role/deactivate/
activate, timers run, demo seed; rules replay (issue 16); tasks rebuild-counters (issue 17)."""

from __future__ import annotations

import getpass
import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup

from services import bundles, groups, processes, timers, users
from services.db import schema_ready
from services.errors import ServiceError
from web.cli_french import speak_french
from web.cli_guard import guard_cli
from web.cli_types import ROW_ID, SECONDS

speak_french()  # before the options below are built (web/cli_french.py)

processes_cli = AppGroup("processes", help="Définitions de processus BPMN.")
users_cli = AppGroup("users", help="Utilisateurs et jetons d'API.")
timers_cli = AppGroup("timers", help="Minuteurs des dossiers.")
demo_cli = AppGroup("demo", help="Données de démonstration.")
rules_cli = AppGroup("rules", help="Règles de droit : rejeu des dossiers.")
stats_cli = AppGroup("stats", help="Statistiques : compteurs mensuels et carte de chaleur.")
tasks_cli = AppGroup("tasks", help="Tâches des agents : compteurs.")
groups_cli = AppGroup("groups", help="Groupes d'agents (couloirs BPMN).")
outbox_cli = AppGroup("outbox", help="Envois différés (courriels) des actions du catalogue.")


def cli_actor() -> str:
    """Who the admins' journal names for a command: the system account that ran it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli"


def _require_schema() -> None:
    """A clear message instead of a traceback when the database was never migrated."""
    if not schema_ready():
        click.echo("Erreur : la base de données n'est pas initialisée ; lancez "
                   "« flask --app app db upgrade ».", err=True)
        sys.exit(1)


def _fail(exc: ServiceError) -> None:
    click.echo(f"Erreur : {exc.detail}", err=True)
    for field, messages in exc.errors.items():
        for message in messages:
            click.echo(f"  {field} : {message}", err=True)
    sys.exit(1)


@processes_cli.command("deploy")
def deploy_cmd():
    """Déployer bpmn/*.bpmn comme nouvelles versions s'ils ont changé (idempotent)."""
    _require_schema()
    try:
        results = [(v.key, v.version, created)
                   for v, created in processes.deploy_shipped("cli")]
    except ServiceError as exc:
        _fail(exc)
    for key, version, created in results:
        click.echo(f"{key} v{version} {'déployée' if created else 'inchangée'}")


@processes_cli.command("test")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--key", default=None, help="Processus remplacé (défaut : nom du fichier).")
@click.option("--draft", "draft_id", type=ROW_ID, default=None, help="Tester ce brouillon.")
@click.option("--feature", "features", multiple=True,
              help="Fonctionnalité (features/NOM.feature) ; répétable ; défaut : toutes.")
def test_cmd(file, key, draft_id, features):
    """Jouer les scénarios d'acceptation sur un fichier BPMN ou un brouillon, dans un bac à
    sable (sa propre base et son horloge manuelle) ; code de sortie 0 si tous réussissent."""
    from pathlib import Path

    from services.design import drafts, sandbox, scenario_runs

    if (file is None) == (draft_id is None):
        click.echo("Erreur : indiquez soit un FICHIER .bpmn, soit --draft ID.", err=True)
        sys.exit(2)
    try:
        features = scenario_runs.check_features(list(features))
        if draft_id is not None:
            _require_schema()
            run_id = scenario_runs.request_run(drafts.get(draft_id), features, "cli").id
            run = scenario_runs.execute(run_id)
            result = sandbox.SandboxResult(run.status, tuple(
                sandbox.ScenarioResult(s["feature"], s["name"], tuple(s["tags"]), s["status"],
                                       s.get("message")) for s in run.scenarios), run.message)
            click.echo(f"Test n° {run.id} du brouillon n° {draft_id} enregistré.")
        else:
            xml, files = Path(file).read_bytes(), None
            if file.lower().endswith(".zip"):  # a bundle: the BPMN and its forms
                xml, files = bundles.read_zip(xml)
            key = key or Path(file).stem
            sandbox.check(key, xml, features, files)
            click.echo(f"Scénarios joués avec {file} à la place de bpmn/{key}.bpmn…")
            result = sandbox.run(key, xml, features, timeout=scenario_runs.timeout(),
                                 files=files)
    except ServiceError as exc:
        _fail(exc)
    _print_result(result)
    sys.exit(0 if result.status == scenario_runs.PASSED else 1)


def _print_result(result) -> None:
    marks = {"passed": "réussi", "failed": "ÉCHOUÉ"}
    for s in result.scenarios:
        tags = " ".join(f"@{t}" for t in s.tags)
        click.echo(f"  [{marks[s.status]}] {s.feature} — {s.name} {tags}".rstrip())
        if s.message:
            click.echo(f"      {s.message.splitlines()[0][:300]}")
    summary = result.summary
    click.echo(f"{summary['passed']} réussi(s), {summary['failed']} échoué(s) sur "
               f"{summary['total']} scénario(s) : {result.status}.")
    if result.message:
        click.echo(result.message, err=True)


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["agent", "designer", "centre", "admin"]))
@click.option("--centre", "centre", default=None, help="Agrément du centre (rôle centre).")
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
@click.option("--group", "group_codes", multiple=True,
              help="Code d'un groupe d'agents dont il fait partie ; répétable.")
def create_user_cmd(username, role, centre, password_stdin, group_codes):
    """Créer un utilisateur (le mot de passe est demandé, ou lu avec --password-stdin)."""
    _require_schema()
    password = _read_password(password_stdin)
    try:
        users.create(username, role, password, centre, group_codes, actor=cli_actor())
    except ServiceError as exc:
        _fail(exc)
    joined = f", groupes {', '.join(group_codes)}" if group_codes else ""
    click.echo(f"Utilisateur « {username} » créé (rôle {role}{joined}).", err=True)


def _named_group(change, code: str, name: str, done: str) -> None:
    """Create or rename a group (`change(code, name)`), then say `done` in French."""
    _require_schema()
    try:
        change(code, name, actor=cli_actor())
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"Groupe « {code} » {done} ({name}).")


@groups_cli.command("create")
@click.argument("code")
@click.argument("name")
def create_group_cmd(code, name):
    """Créer un groupe d'agents : CODE (nommé par la propriété « groupe » d'un couloir BPMN)
    et NOM (libellé en français)."""
    _named_group(groups.create, code, name, "créé")


@groups_cli.command("rename")
@click.argument("code")
@click.argument("name")
def rename_group_cmd(code, name):
    """Renommer un groupe (son code ne change pas)."""
    _named_group(groups.rename, code, name, "renommé")


@groups_cli.command("list")
def list_groups_cmd():
    """Lister les groupes et leurs membres."""
    _require_schema()
    for grp in groups.list_groups():
        members = ", ".join([*groups.active_members(grp), *(
            f"{name} (désactivé)" for name in groups.deactivated_members(grp))]) or "aucun membre"
        click.echo(f"{grp.code}\t{grp.name}\t{members}")


@groups_cli.command("set")
@click.argument("username")
@click.option("--group", "group_codes", multiple=True,
              help="Code d'un groupe ; répétable ; sans --group : aucun groupe.")
def set_groups_cmd(username, group_codes):
    """Fixer les groupes d'un agent (remplace les précédents)."""
    _require_schema()
    try:
        groups.set_user_groups(username, list(group_codes), actor=cli_actor())
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"Groupes de « {username} » : {', '.join(group_codes) or 'aucun'}.")


@users_cli.command("token")
@click.argument("username")
def token_cmd(username):
    """Afficher un nouveau jeton d'API (et rien d'autre)."""
    _require_schema()
    try:
        token = users.new_token(users.get_by_name(username), actor=cli_actor())
    except ServiceError as exc:
        _fail(exc)
    click.echo(token)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)


@users_cli.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
def password_cmd(username, password_stdin):
    """Changer le mot de passe : les sessions de l'utilisateur prennent fin et ses jetons d'API
    sont révoqués."""
    _require_schema()
    password = _read_password(password_stdin)
    try:
        users.set_password(username, password, actor=cli_actor())
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"Mot de passe de « {username} » changé ; ses sessions et ses jetons d'API sont "
               "révoqués.", err=True)


@users_cli.command("role")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["agent", "designer", "centre", "admin"]))
@click.option("--centre", "centre", default=None, help="Agrément du centre (rôle centre).")
def role_cmd(username, role, centre):
    """Changer le rôle (et le centre) : les sessions de l'utilisateur prennent fin."""
    _require_schema()
    try:
        users.set_role(username, role, centre, actor=cli_actor())
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"« {username} » a désormais le rôle {role} ; ses sessions ont pris fin.", err=True)


@users_cli.command("deactivate")
@click.argument("username")
def deactivate_cmd(username):
    """Désactiver un utilisateur : ses sessions prennent fin, ses jetons d'API sont révoqués."""
    _require_schema()
    try:
        users.set_active(username, False, actor=cli_actor())
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"« {username} » est désactivé ; ses sessions et ses jetons d'API sont révoqués.",
               err=True)


@users_cli.command("activate")
@click.argument("username")
def activate_cmd(username):
    """Réactiver un utilisateur (sans jeton d'API : en créer avec « users token »)."""
    _require_schema()
    try:
        users.set_active(username, True, actor=cli_actor())
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"« {username} » est réactivé.", err=True)


@timers_cli.command("run")
@click.option("--loop", is_flag=True, help="Continuer à surveiller les minuteurs échus.")
@click.option("--interval", type=SECONDS, default=5.0, show_default=True,
              help="Secondes entre deux passages (plus de 0, au plus un jour).")
def run_timers_cmd(loop, interval):
    """Déclencher les minuteurs échus une fois (ou en continu avec --loop)."""
    _require_schema()
    if loop:
        timers.loop(interval)
    else:
        click.echo(f"{timers.run_due()} minuteur(s) déclenché(s)")


@outbox_cli.command("run")
@click.option("--loop", is_flag=True, help="Continuer à envoyer ce qui est dû.")
@click.option("--interval", type=SECONDS, default=5.0, show_default=True,
              help="Secondes entre deux passages (plus de 0, au plus un jour).")
def run_outbox_cmd(loop, interval):
    """Envoyer les courriels dus et mettre en page les courriers, une fois (ou en continu avec
    --loop)."""
    _require_schema()
    from services import outbox

    while True:
        done = outbox.run_pass()
        if not loop:
            click.echo(f"{done.sent} envoi(s) fait(s), {done.retried} échec(s) (réessayés plus "
                       f"tard), {done.abandoned} abandonné(s) après {outbox.MAX_ATTEMPTS} "
                       "tentatives (à relancer par un administrateur)")
            return
        time.sleep(interval)  # pragma: no cover - exercised by hand


@demo_cli.command("seed")
def seed_cmd():
    """Charger des données de démonstration (idempotent)."""
    _require_schema()
    from services import demo

    for line in demo.seed():
        click.echo(line)


@rules_cli.command("replay")
@click.option("--dry-run", is_flag=True, help="Lister les changements sans rien enregistrer.")
@click.option("--motif", default="rejeu des règles", show_default=True,
              help="Motif inscrit dans l'historique et la proposition de chaque dossier.")
def rules_replay_cmd(dry_run, motif):
    """Rejouer le relevé et le résultat de chaque dossier ; lister ceux qui changeraient.

    Sans --dry-run, chaque changement est PROPOSÉ sur son dossier (« Changement de résultat à
    valider ») : rien ne s'applique avant qu'un agent le valide sur la page du dossier ou par
    POST /api/v1/cases/{id}/pending-change/accept."""
    _require_schema()
    from services import replay

    def run() -> tuple[int, int]:
        count = proposed = 0
        for case, found, p, new in replay.replay_all("rules-replay", dry_run, motif):
            count += 1
            proposed += new
            where = "écartée" if p is not None and p.state == "dismissed" else "en attente"
            state = "" if dry_run else (f" proposition n° {p.id} enregistrée, à valider" if new
                                        else f" déjà proposé (proposition n° {p.id}, {where})")
            click.echo(f"{case.reference} :{state}")
            for c in found:
                click.echo(f"  - {c['text']}")
        return count, proposed

    count, proposed = run()
    if dry_run:
        click.echo(f"{count} dossier(s) changeraient (rien n'est enregistré)")
    else:
        click.echo(f"{count} dossier(s) changeraient ; {proposed} changement(s) proposé(s) aux "
                   "agents, rien n'est appliqué avant leur validation")


@stats_cli.command("rebuild")
def stats_rebuild_cmd():
    """Recalculer tous les compteurs des statistiques à partir des dossiers.

    À lancer une fois après la migration qui les crée, après un changement des réglages
    CFG_DEADLINE_TEST ou CFG_PRE_48N_COURSE_DISCHARGES, ou après des écritures faites en SQL."""
    _require_schema()
    from services import stat_counters

    monthly, steps = stat_counters.rebuild()
    click.echo(f"Compteurs recalculés : {monthly} compteur(s) mensuel(s), {steps} compteur(s) "
               "d'étapes.")


@stats_cli.command("catch-up")
def stats_catch_up_cmd():
    """Ajouter aux compteurs les dossiers modifiés depuis leur dernière mise à jour.

    Le travailleur (`flask timers run --loop`) le fait à chaque tour, et une lecture des
    statistiques avant de lire : cette commande n'est utile que sans travailleur."""
    _require_schema()
    from services import stat_counters

    caught_up = stat_counters.catch_up_all()
    click.echo(f"Compteurs à jour : {caught_up} dossier(s) ajouté(s).")


@tasks_cli.command("rebuild-counters")
@click.option("--check", "check_only", is_flag=True,
              help="Comparer les compteurs aux tâches sans rien changer.")
def rebuild_counters_cmd(check_only):
    """Recalculer les compteurs de tâches (totaux des listes, tableau de bord) depuis les tâches."""
    _require_schema()
    from services import task_counters

    if check_only:
        diff = task_counters.check()
        for (key, assignee, state), (have, want) in diff.items():
            click.echo(f"{key} / {assignee or 'personne'} / {state} : {have} au lieu de {want}")
        click.echo(f"{len(diff)} compteur(s) faux")
        sys.exit(1 if diff else 0)
    n = task_counters.rebuild()
    click.echo(f"{n} compteur(s) recalculé(s)")


def register_cli(app: Flask) -> None:
    guard_cli(app)
    for group in (processes_cli, users_cli, timers_cli, demo_cli, rules_cli, stats_cli,
                  tasks_cli, groups_cli, outbox_cli):
        app.cli.add_command(group)
