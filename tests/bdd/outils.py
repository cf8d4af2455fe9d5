"""Shared state of a scenario and analyst-readable checks (French messages).

The steps drive the application only through its HTTP API (``tests.helpers.ApiClient``) on the
manual clock: no database access, so the scenarios exercise the BPMN versions actually deployed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import re._parser as _sre
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


MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre")


def jour(texte: str) -> dt.date:
    """'10/03/2026' → date(2026, 3, 10); an impossible date is said in French, with why."""
    try:
        return dt.date.fromisoformat(d(texte))
    except ValueError:
        pass
    pourquoi = "JJ/MM/AAAA attendu, un jour qui existe dans le calendrier"
    if re.fullmatch(DATE, texte):
        j, m, a = (int(x) for x in texte.split("/"))
        if not 1 <= m <= 12:
            pourquoi = (f"il n'y a pas de mois {m:02d} : une date s'écrit JJ/MM/AAAA, le jour "
                        "avant le mois")
        elif a < 1:
            pourquoi = "il n'y a pas d'année 0000"
        else:
            fin = calendar.monthrange(a, m)[1]
            pourquoi = (f"le jour va de 01 à {fin} en {MOIS[m - 1]} {a}" if j < 1 else
                        f"{MOIS[m - 1]} {a} n'a que {fin} jours")
    raise AssertionError(f"Date impossible : « {texte} » ({pourquoi})")


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
    dates = _dates_mal_ecrites(step.name)
    date_corrigee = False
    if dates:
        corrige = step.name
        for ecrite, juste in dates:
            corrige = corrige.replace(ecrite, juste)
        exemples = ", ".join(f"« {juste} » et non « {ecrite} »" for ecrite, juste in dates)
        date_corrigee = any(c.parser.is_matching(corrige) for c in contextes)
        conseils.append("les dates s'écrivent JJ/MM/AAAA (jour et mois sur deux chiffres, "
                        f"l'année sur quatre) : {exemples}"
                        + (f" ; écrivez « {corrige} »" if date_corrigee else ""))
    colonnes = re.findall(r"<[^<>]+>", step.name)
    if colonnes:
        conseils.append(f"{', '.join(colonnes)} n'est remplacé par aucune colonne du tableau "
                        "Exemples : vérifiez le nom de la colonne, accents compris")
    if not conseils or (dates and not date_corrigee):
        phrases = {_lisible(c.parser.name) for c in contextes if c.type in (None, step.type)}
        proches = difflib.get_close_matches(step.name, sorted(phrases), n=3, cutoff=0.5)
        conseils.append("vérifiez l'orthographe, les accents et les guillemets « » ; "
                        + ("phrases proches : " + " ; ".join(f"« {p} »" for p in proches)
                           if proches else "la liste des phrases est dans features/LISEZMOI.md"))
    conseil = " ; ".join(conseils)
    return f"{texte} {conseil[0].upper()}{conseil[1:]}."


_ISO = re.compile(r"(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/.-])")
_AUTRE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?![\d/.-])")


def _dates_mal_ecrites(texte: str) -> list[tuple[str, str]]:
    """The dates of a step not written JJ/MM/AAAA, each with its JJ/MM/AAAA form:
    « 2026-03-01 » → « 01/03/2026 », « 1/3/2026 » or « 01.03.2026 » → « 01/03/2026 »,
    « 01/03/26 » → « 01/03/2026 »."""
    trouvees = []
    for m in _ISO.finditer(texte):
        trouvees.append((m.group(0), f"{int(m.group(3)):02d}/{int(m.group(2)):02d}/{m.group(1)}"))
    for m in _AUTRE.finditer(texte):
        annee = m.group(4) if len(m.group(4)) == 4 else f"20{m.group(4)}"
        juste = f"{int(m.group(1)):02d}/{int(m.group(3)):02d}/{annee}"
        if juste != m.group(0):
            trouvees.append((m.group(0), juste))
    return trouvees


def _lisible(motif: str) -> str:
    """A step's pattern for people, in its shortest form: a value to give (a date, a number, a
    text) shown as « … », a choice as its first wording, an optional wording left out:
    « une infraction de … points commise le … est enregistrée »."""
    try:
        texte = _rendu(_sre.parse(motif))
    except Exception:  # a pattern sre cannot parse is a plain phrase
        texte = motif
    return " ".join(texte.replace("\\", "").strip("^$").split())


def _rendu(elements) -> str:
    """The parsed pattern (re._parser) as its first, shortest wording."""
    morceaux = []
    for op, av in elements:
        nom = str(op)
        if nom == "LITERAL":
            morceaux.append(chr(av))
        elif nom == "SUBPATTERN":
            texte = _rendu(av[-1])
            # a group that captures is a value to give (a date, a number, a text), unless it is
            # a choice of wordings (« (?P<etat>est|n'est plus) »): then its first wording
            capture = av[0] is not None
            morceaux.append("…" if capture and ("…" in texte or not texte) else texte)
        elif nom == "BRANCH":
            morceaux.append(_rendu(av[1][0]))
        elif nom == "IN" and all(str(o) == "LITERAL" for o, _ in av):
            morceaux.append(chr(av[0][1]))  # « ' » of « (?:'|’) »
        elif nom in ("MAX_REPEAT", "MIN_REPEAT"):
            mini, _maxi, contenu = av
            if mini > 0:
                morceaux.append("…")
            elif len(contenu) == 1 and str(contenu[0][0]) == "LITERAL":
                morceaux.append(chr(contenu[0][1]))  # « points? » → « points »
            elif _choix_de_mots(contenu):
                morceaux.append(_rendu(contenu))  # « (?:est |a été )? » → « est »
        elif nom != "AT":  # a class of characters: a value to give
            morceaux.append("…")
    return re.sub(r"…+", "…", "".join(morceaux))


def _choix_de_mots(contenu) -> bool:
    """An optional group that chooses between wordings (« (?:est |a été )? »): shown, its first
    wording; an optional detail (« (?: avec … autres stagiaires)? ») is left out."""
    if len(contenu) != 1:
        return False
    interieur = contenu[0][1][-1] if str(contenu[0][0]) == "SUBPATTERN" else contenu
    return (len(interieur) == 1 and str(interieur[0][0]) == "BRANCH"
            and all(str(o) == "LITERAL" for branche in interieur[0][1][1] for o, _ in branche))


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


def lieu_de_l_etape(scenario, step) -> str:
    """« ligne 26 de signalement.feature, scénario « … », étape « Alors … » »."""
    return (f"ligne {step.line_number} de {Path(scenario.feature.filename).name}, scénario "
            f"« {scenario.name} », étape « {step.keyword.strip()} {step.name} »")


def echec_d_etape(scenario, step, exception: BaseException) -> str:
    """Why a step failed, for the analyst: the step's French message first (what was expected
    and what was obtained, a refusal), then where. An exception that is no assertion is a bug
    of the steps or of the application, not of the scenario: said so."""
    lieu = lieu_de_l_etape(scenario, step)
    message = str(getattr(exception, "msg", None) or exception).strip()
    if isinstance(exception, AssertionError) or type(exception).__name__ == "Failed":
        return f"{message or 'Vérification en échec'} ({lieu})."
    return (f"Erreur inattendue ({lieu}) : {type(exception).__name__} : {message}. Ce n'est "
            "pas une faute d'écriture du scénario mais une erreur du code des étapes "
            "(tests/bdd) ou de l'application : la trace ci-dessous est pour un développeur.")
