"""Generic steps for whatever a designer draws (issue 14, item 9): a process deployed from an
example bundle, any user task completed by its name with a field/value table, its form's
refusals, the status label the diagram gives, the group a task is offered to. No step names an
element id: an analyst tests a new task without Python (features/LISEZMOI.md)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pytest_bdd import given, parsers, then, when

from tests.bdd.outils import Contexte, erreurs_lisibles, verifier

EXEMPLES = Path(__file__).resolve().parents[2] / "features" / "exemples"
FORMULAIRES_LIVRES = Path(__file__).resolve().parents[2] / "bpmn" / "forms"
FORM_REF = re.compile(r'camunda:formRef="([^"]+)"')
VRAI = {"oui", "vrai", "coché", "cochée", "x"}
FAUX = {"non", "faux", "", "décoché", "décochée"}


def _tache(ctx: Contexte, titre: str) -> dict:
    assert ctx.dossier is not None, "Aucun dossier n'a été ouvert dans ce scénario"
    items = ctx.ok(ctx.api.get("/api/v1/tasks", case=ctx.dossier["id"]),
                   "consulter les tâches")["items"]
    for tache in items:
        if tache["title"] == titre:
            return tache
    ouvertes = ", ".join(f"« {t['title']} »" for t in items) or "aucune"
    raise AssertionError(f"Aucune tâche « {titre} » n'est ouverte sur le dossier ; tâches "
                         f"ouvertes : {ouvertes}")


def _valeur(schema: dict, champ: str, texte: str):
    """The table's text as the form's field takes it (number, yes/no, text)."""
    propriete = (schema.get("properties") or {}).get(champ)
    assert propriete is not None, (
        f"Le formulaire n'a pas de champ « {champ} » ; champs : "
        f"{', '.join(schema.get('properties') or {}) or 'aucun'}")
    genre = propriete.get("type")
    if genre in ("integer", "number"):
        try:
            nombre = float(texte.replace(",", ".").replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            raise AssertionError(f"« {texte} » n'est pas un nombre : le champ « {champ} » attend "
                                 "un nombre écrit en chiffres (par exemple 135 ou 2,5)") from None
        if genre == "integer" and not nombre.is_integer():
            raise AssertionError(f"« {texte} » : le champ « {champ} » attend un nombre entier")
        return int(nombre) if genre == "integer" or nombre.is_integer() else nombre
    if genre == "boolean":
        assert texte.lower() in VRAI | FAUX, f"« {texte} » : écrire oui ou non pour « {champ} »"
        return texte.lower() in VRAI
    return texte


def _repondre(ctx: Contexte, titre: str, data: dict):
    tache = _tache(ctx, titre)
    ctx.reponse = ctx.api.post(f"/api/v1/tasks/{tache['id']}/complete", {"data": data},
                               as_="agent")
    return tache


def dossier_exemple(exemple: str) -> Path:
    """features/exemples/<exemple>/; a name that is no folder there is said in French with
    the examples that exist (a typo, or a file's name given instead of its folder's)."""
    dossier = EXEMPLES / exemple
    # a name only: no path out of features/exemples/
    if dossier.is_dir() and re.fullmatch(r"[\w-]+", exemple):
        return dossier
    existants = sorted(p for p in EXEMPLES.iterdir() if p.is_dir()) if EXEMPLES.is_dir() else []
    contenant = [p.name for p in existants if (p / Path(exemple).name).is_file()]
    if contenant:
        noms = ", ".join(f"« {n} »" for n in contenant)
        quoi = (f"est un fichier de l'exemple {noms} : écrire le nom du dossier"
                if len(contenant) == 1 else
                f"est un fichier des exemples {noms} : écrire le nom d'un de ces dossiers")
    else:
        quoi = f"n'existe pas (aucun dossier features/exemples/{exemple}/)"
    raise AssertionError(
        f"L'exemple « {exemple} » {quoi} ; exemples existants : "
        + (", ".join(f"« {p.name} »" for p in existants) or "aucun"))


@given(parsers.re(r"le processus « (?P<cle>[a-z_]+) » est déployé depuis l'exemple "
                  r"« (?P<exemple>[^»]+) »"))
def deploye_depuis_exemple(ctx: Contexte, cle, exemple):
    """features/exemples/<exemple>/: one .bpmn and its .form and .dmn files, sent as one
    bundle."""
    dossier = dossier_exemple(exemple)
    fichiers = sorted(p for p in dossier.iterdir() if p.suffix in (".bpmn", ".form", ".dmn"))
    bpmn = [p for p in fichiers if p.suffix == ".bpmn"]
    assert bpmn, (f"L'exemple « {exemple} » n'a pas de fichier .bpmn (features/exemples/"
                  f"{exemple}/) ; fichiers du dossier : "
                  + (", ".join(sorted(p.name for p in dossier.iterdir())) or "aucun"))
    # the forms it references that the example does not give are the shipped ones (bpmn/forms:
    # the contract tasks'), so that an example holds only what its designer changed
    donnes = {p.stem for p in fichiers if p.suffix == ".form"}
    for ref in sorted(set(FORM_REF.findall(bpmn[0].read_text(encoding="utf-8"))) - donnes):
        livre = FORMULAIRES_LIVRES / f"{ref}.form"
        if livre.exists():
            fichiers.append(livre)
    reponse = ctx.api.http.post(
        f"/api/v1/processes/{cle}/versions",
        headers={"Authorization": f"Bearer {ctx.api.tokens['designer']}"},
        data={"fichier": [(io.BytesIO(p.read_bytes()), p.name) for p in fichiers]},
        content_type="multipart/form-data")
    ctx.ok(reponse, f"déployer l'exemple « {exemple} »", 201)


@when(parsers.re(r"l'agent complète la tâche « (?P<titre>[^»]+) » avec :"))
def complete_avec(ctx: Contexte, titre, datatable=None):
    lignes = [ligne for ligne in datatable or [] if ligne and ligne[0].strip().lower() != "champ"]
    courtes = [ligne for ligne in lignes if len(ligne) < 2]
    assert datatable and not courtes, (
        f"« l'agent complète la tâche « {titre} » avec : » attend, sur les lignes qui suivent, "
        "un tableau à deux colonnes | champ | valeur | (le champ : sa clé dans le formulaire) ; "
        + ("il n'y a pas de tableau" if not datatable else
           "une seule colonne dans " + ", ".join(f"« | {' | '.join(ligne)} | »"
                                                  for ligne in courtes)))
    tache = _tache(ctx, titre)
    data = {champ.strip(): _valeur(tache["form"], champ.strip(), valeur.strip())
            for champ, valeur, *_ in lignes}
    ctx.dossier = ctx.ok(ctx.api.post(f"/api/v1/tasks/{tache['id']}/complete", {"data": data},
                                      as_="agent"), f"compléter la tâche « {titre} »")


@when(parsers.re(r"l'agent complète la tâche « (?P<titre>[^»]+) » sans rien remplir"))
def complete_vide(ctx: Contexte, titre):
    _repondre(ctx, titre, {})


@then(parsers.re(r"le formulaire est refusé : « (?P<message>[^»]+) » pour le champ "
                 r"« (?P<champ>[^»]+) »"))
def formulaire_refuse(ctx: Contexte, message, champ):
    reponse = ctx.reponse
    assert reponse is not None and reponse.status_code == 422, (
        f"Le formulaire devait être refusé (code HTTP 422) ; code obtenu : "
        f"{getattr(reponse, 'status_code', 'aucun')}")
    erreurs = (reponse.get_json() or {}).get("errors") or {}
    messages = [m for cle, valeurs in erreurs.items() if cle.split(".")[-1] == champ
                for m in (valeurs if isinstance(valeurs, list) else [valeurs])]
    assert any(message in m for m in messages), (
        f"Message attendu sous « {champ} » : « {message} » ; messages obtenus : "
        f"{erreurs_lisibles(erreurs)}")


@then(parsers.re(r"la tâche « (?P<titre>[^»]+) » est ouverte"))
def tache_ouverte(ctx: Contexte, titre):
    _tache(ctx, titre)


@then(parsers.re(r"le dossier affiche le statut « (?P<libelle>[^»]+) »"))
def affiche_statut(ctx: Contexte, libelle):
    verifier(ctx.rafraichir().get("status_label"), libelle, "statut affiché")


@then(parsers.re(r"la tâche « (?P<titre>[^»]+) » est proposée au groupe « (?P<groupe>[^»]+) »"))
def proposee_au_groupe(ctx: Contexte, titre, groupe):
    tache = _tache(ctx, titre)
    verifier(tache.get("group_name") or tache.get("group"), groupe, "groupe de la tâche")


@given(parsers.re(r"le groupe « (?P<nom>[^»]+) » \((?P<code>[a-z][a-z0-9_-]*)\) réunit "
                  r"(?P<qui>l'agent|les agents (?P<noms>.+))"))
def groupe_reunit(ctx: Contexte, nom, code, qui, noms=None):
    """Groups are the admins' (API); the scenario's clerks are `agent` and `agent2`."""
    cree = ctx.api.post("/api/v1/groups", {"code": code, "name": nom})
    if cree.status_code == 409:  # made already (a deployment creates the groups it names)
        ctx.ok(ctx.api.request("PATCH", f"/api/v1/groups/{code}", {"name": nom}),
               f"nommer le groupe « {nom} »")
    else:
        ctx.ok(cree, f"créer le groupe « {nom} »", 201)
    membres = ["agent"] if qui == "l'agent" else [n.strip() for n in
                                                  noms.replace(" et ", ",").split(",")]
    for membre in membres:
        ctx.ok(ctx.api.request("PUT", f"/api/v1/users/{membre}/groups", {"groups": [code]}),
               f"mettre {membre} dans le groupe « {nom} »")


@then(parsers.re(r"un agent hors du groupe ne peut pas prendre la tâche « (?P<titre>[^»]+) »"))
def hors_groupe(ctx: Contexte, titre):
    tache = _tache(ctx, titre)
    reponse = ctx.api.post(f"/api/v1/tasks/{tache['id']}/claim", as_="agent2")
    verifier(reponse.status_code, 403, "code HTTP de la prise par un agent hors du groupe")


@then(parsers.re(r"la table « (?P<nom>[^»]+) » décide « (?P<valeur>[^»]+) »"))
def table_decide(ctx: Contexte, nom, valeur):
    """The last decision of the DMN table named `nom` (its decision's name) on the case set an
    output to `valeur` (as text; a list's items one by one), as the case history tells it."""
    assert ctx.dossier is not None, "Aucun dossier n'a été ouvert dans ce scénario"
    events = ctx.ok(ctx.api.get(f"/api/v1/cases/{ctx.dossier['id']}/events", per_page=100),
                    "consulter l'historique")["items"]
    faites = [e["detail"] for e in events if e["type"] == "decision_table"]
    prises = [d for d in faites if d.get("message", "").startswith(f"Décision « {nom} »")]
    assert prises, (f"La table « {nom} » n'a rien décidé sur ce dossier ; décisions : "
                    + (" | ".join(d.get("message", "") for d in faites) or "aucune"))
    sorties = prises[-1].get("sorties") or {}
    textes = [str(x) for v in sorties.values() for x in (v if isinstance(v, list) else [v])]
    assert valeur in textes, (f"La table « {nom} » a décidé autre chose que « {valeur} » : "
                              f"{prises[-1].get('message')}")


@then("aucun courrier n'est joint au dossier")
def aucun_courrier(ctx: Contexte):
    assert ctx.dossier is not None, "Aucun dossier n'a été ouvert dans ce scénario"
    courriers = ctx.ok(ctx.api.get(f"/api/v1/cases/{ctx.dossier['id']}/letters"),
                       "lire les courriers du dossier")["items"]
    assert not courriers, ("Aucun courrier attendu ; courriers du dossier : "
                           f"{[c['title'] for c in courriers]}")
