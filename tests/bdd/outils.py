"""Shared state of a scenario and analyst-readable checks (French messages).

The steps drive the application only through its HTTP API (``tests.helpers.ApiClient``) on the
manual clock: no database access, so the scenarios exercise the BPMN versions actually deployed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import CENTRE, ApiClient, d

NUMERO = "120175200123"
DATE = r"\d{2}/\d{2}/\d{4}"

STATUTS = {
    "en attente d'inscription": "en_attente_inscription",
    "inscrit": "inscrit",
    "en attente d'attestation": "en_attente_attestation",
    "en vérification d'attestation": "verification_attestation",
    "en examen manuel": "examen_manuel",
    "clos": "clos",
}
OBLIGATIONS = {"remplie": "met", "non remplie": "not_met", "en attente": "pending",
               "en examen manuel": "manual_review", "sans objet": None}
PRESENCES = {"présent": "present", "absent": "absent", "en retard": "late"}


def jour(texte: str) -> dt.date:
    """'10/03/2026' → date(2026, 3, 10); an impossible date is said in French."""
    try:
        return dt.date.fromisoformat(d(texte))
    except ValueError:
        raise AssertionError(f"Date impossible : « {texte} » (JJ/MM/AAAA attendu, un jour qui "
                             "existe dans le calendrier)") from None


def fr(valeur):
    """Readable value for a message: ISO dates in JJ/MM/AAAA, None as « aucun(e) »."""
    if valeur is None:
        return "aucun"
    if isinstance(valeur, str) and len(valeur) == 10 and valeur[4] == "-" and valeur[7] == "-":
        return dt.date.fromisoformat(valeur).strftime("%d/%m/%Y")
    if isinstance(valeur, dt.date):
        return valeur.strftime("%d/%m/%Y")
    return str(valeur)


def verifier(obtenu, attendu, quoi: str, unite: str = "") -> None:
    """Assert with a message a business analyst understands:
    « Solde attendu : 6 points ; solde obtenu : 9 points »."""
    suffixe = f" {unite}" if unite else ""
    e = "e" if quoi.startswith(("échéance", "date", "règle")) else ""
    assert obtenu == attendu, (
        f"{quoi[0].upper()}{quoi[1:]} attendu{e} : {fr(attendu)}{suffixe} ; "
        f"{quoi} obtenu{e} : {fr(obtenu)}{suffixe}")


class RefusInattendu(AssertionError):
    pass


# The API's field names (problem+json `errors`, API.md) as an analyst reads them; a field not
# listed is shown as the API names it.
CHAMPS = {"day1": "premier jour", "day2": "second jour", "centre": "centre",
          "capacity": "capacité", "session": "session", "licence": "permis",
          "number": "numéro de permis", "obtained_on": "date d'obtention",
          "probation": "type de permis", "balance": "solde", "points": "points",
          "committed_on": "date de l'infraction", "decision_on": "date de la décision",
          "received_on": "date de réception", "sent_on": "date d'envoi", "on": "date",
          "reason": "motif", "records": "présences", "infraction": "infraction",
          "kind": "type de dossier", "agrement": "agrément", "valid_until": "fin d'agrément"}


def champ_lisible(chemin: str) -> str:
    """'letter_48n.received_on' → « date de réception (letter_48n.received_on) »."""
    nom = CHAMPS.get(chemin.split(".")[-1])
    return f"« {nom} » ({chemin})" if nom else f"« {chemin} »"


def refus_lisible(reponse, action: str) -> str:
    """An API refusal (problem+json, API.md) as French sentences: the action, the HTTP code,
    the API's French detail, and each refused field with its messages not already in the
    detail. Every step that reports a refusal goes through here (Contexte.ok)."""
    corps = reponse.get_json(silent=True)
    corps = corps if isinstance(corps, dict) else {}
    detail = str(corps.get("detail") or corps.get("title") or "aucune explication donnée")
    texte = (f"L'application a refusé « {action} » (code HTTP {reponse.status_code}) : "
             f"{detail.rstrip('.')}.")
    erreurs = corps.get("errors")
    if isinstance(erreurs, dict) and erreurs:
        pluriel = "s" if len(erreurs) > 1 else ""
        texte += f" Champ{pluriel} refusé{pluriel} : {erreurs_lisibles(erreurs, detail)}."
    return texte


def erreurs_lisibles(erreurs: dict, deja_dit: str = "") -> str:
    """problem+json `errors` as « champ » (path) : message ; …, leaving out a message the
    detail `deja_dit` already gives."""
    parties = []
    for chemin, messages in erreurs.items():
        messages = messages if isinstance(messages, list) else [messages]
        neufs = [str(m) for m in messages if str(m) not in deja_dit]
        parties.append(champ_lisible(str(chemin)) + (f" : {' ; '.join(neufs)}" if neufs else ""))
    return " ; ".join(parties) or "aucun"


MOTS_CLES = {"given": "Étant donné", "when": "Quand", "then": "Alors"}
_TYPOGRAPHIE = str.maketrans({"’": "'", "‘": "'", "“": "« ", "”": " »", "\u00a0": " "})


def etape_introuvable(scenario, step) -> str:
    """Why `step` matches no phrase of the vocabulary (features/LISEZMOI.md), in French, with
    what to do: the same phrase under another keyword, a typographic apostrophe or straight
    quotes, a column the Exemples do not have, or the closest phrases."""
    import difflib

    from pytest_bdd.steps import step_function_context_registry

    contextes = list(step_function_context_registry.values())
    lieu = f"ligne {step.line_number} de {Path(scenario.feature.filename).name}, " \
           f"scénario « {scenario.name} »"
    texte = f"Étape introuvable : « {step.keyword.strip()} {step.name} » ({lieu})."
    conseils = []
    ailleurs = [c for c in contextes if c.type not in (None, step.type)
                and c.parser.is_matching(step.name)]
    if ailleurs:
        conseils.append(f"cette phrase existe, mais sous « {MOTS_CLES[ailleurs[0].type]} » : "
                        "un contexte s'écrit après Étant donné, une action après Quand, une "
                        "vérification après Alors (Et et Mais reprennent le mot-clé d'avant)")
    redresse = re.sub(r'"([^"]*)"', r"« \1 »", step.name.translate(_TYPOGRAPHIE))
    if redresse != step.name and any(c.parser.is_matching(redresse) for c in contextes):
        conseils.append("écrivez l'apostrophe droite (') et les guillemets « » : « "
                        f"{redresse} »")
    colonnes = re.findall(r"<[^<>]+>", step.name)
    if colonnes:
        conseils.append(f"{', '.join(colonnes)} n'est remplacé par aucune colonne du tableau "
                        "Exemples : vérifiez le nom de la colonne, accents compris")
    if not conseils:
        phrases = {_lisible(c.parser.name) for c in contextes if c.type in (None, step.type)}
        proches = difflib.get_close_matches(step.name, sorted(phrases), n=3, cutoff=0.5)
        conseils.append("vérifiez l'orthographe, les accents et les guillemets « » ; "
                        + ("phrases proches : " + " ; ".join(f"« {p} »" for p in proches)
                           if proches else "la liste des phrases est dans features/LISEZMOI.md"))
    conseil = " ; ".join(conseils)
    return f"{texte} {conseil[0].upper()}{conseil[1:]}."


def _lisible(motif: str) -> str:
    """A step's pattern for people: its named groups shown as « … », an optional or
    alternative wording as its first form."""
    motif = re.sub(r"\(\?P<\w+>[^()]*(?:\([^()]*\)[^()]*)*\)", "…", motif)
    motif = re.sub(r"\(\?:([^()|]*)(?:\|[^()]*)?\)\??", r"\1", motif)
    return " ".join(motif.replace("\\", "").strip("^$").split())


@dataclass
class Contexte:
    """What a scenario knows: the licence, the case, the sessions, the clock, the last refusal."""

    api: ApiClient
    numero: str = NUMERO
    aujourdhui: dt.date = dt.date(2024, 1, 1)
    infraction: dict | None = None
    dossier: dict | None = None
    session: dict | None = None
    reponse: object = None
    sessions: list = field(default_factory=list)
    centre: str = CENTRE

    # -- clock ----------------------------------------------------------------------------------
    def avancer(self, texte: str) -> None:
        """Move the manual clock forward to that day (never backwards: the clock refuses)."""
        cible = jour(texte)
        if cible > self.aujourdhui:
            self.api.set_today(texte)
            self.aujourdhui = cible

    # -- HTTP -----------------------------------------------------------------------------------
    def ok(self, reponse, action: str, statut: int = 200):
        if reponse.status_code != statut:
            corps = reponse.get_json(silent=True)
            incident = self._erreur_de_l_incident(corps if isinstance(corps, dict) else {})
            raise RefusInattendu(refus_lisible(reponse, action) + incident)
        return reponse.get_json()

    def _erreur_de_l_incident(self, corps: dict) -> str:
        """An incident's error, which a clerk's answer does not carry (services/incidents.py):
        the scenario's reader is the designer, who reads it on the incident."""
        if not isinstance(corps.get("incident"), int):
            return ""
        vue = self.api.get(f"/api/v1/incidents/{corps['incident']}", as_="designer")
        return f" — {vue.get_json()['message']}" if vue.status_code == 200 else ""

    def rafraichir(self) -> dict:
        assert self.dossier is not None, "Aucun dossier n'a été ouvert dans ce scénario"
        self.dossier = self.ok(self.api.get(f"/api/v1/cases/{self.dossier['id']}"),
                               "consulter le dossier")
        return self.dossier

    def issue(self) -> dict:
        return self.rafraichir()["outcome"]

    def tache(self, cle: str) -> dict:
        items = self.ok(self.api.get("/api/v1/tasks", case=self.dossier["id"], key=cle),
                        "consulter les tâches")["items"]
        ouvertes = [t["key"] for t in self.rafraichir()["tasks"]]
        assert items, (f"Aucune tâche « {cle} » n'est ouverte sur le dossier ; tâches ouvertes : "
                       f"{', '.join(ouvertes) or 'aucune'} ; statut : {self.dossier['status']}")
        return items[0]

    def terminer(self, cle: str, action: str, **data) -> dict:
        tache = self.tache(cle)
        self.dossier = self.ok(self.api.post(f"/api/v1/tasks/{tache['id']}/complete",
                                             {"data": data}, as_="agent"), action)
        return self.dossier
