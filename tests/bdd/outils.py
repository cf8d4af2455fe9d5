"""Shared state of a scenario and analyst-readable checks (French messages).

The steps drive the application only through its HTTP API (``tests.helpers.ApiClient``) on the
manual clock: no database access, so the scenarios exercise the BPMN versions actually deployed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
    """'10/03/2026' → date(2026, 3, 10)."""
    return dt.date.fromisoformat(d(texte))


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
            corps = reponse.get_json(silent=True) or {}
            raise RefusInattendu(
                f"L'application a refusé « {action} » (code HTTP {reponse.status_code}) : "
                f"{corps.get('detail') or corps.get('title') or corps}"
                + (f" — {corps['errors']}" if corps.get("errors") else ""))
        return reponse.get_json()

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
