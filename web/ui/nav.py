"""The header's navigation, by role, and each role's home page.

One list: a page of another branch adds its entry here (label, endpoint, roles, the endpoints that
mark it current). Admin sees every entry but a centre account's own."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    roles: tuple[str, ...]
    current: tuple[str, ...] = ()  # endpoints (or prefixes ending in '*') that mark it current
    for_admin: bool = True  # an admin sees every entry but those of a centre's own account

    def allows(self, user) -> bool:
        return (user.role == "admin" and self.for_admin) or user.role in self.roles

    def is_current(self, endpoint: str | None) -> bool:
        if not endpoint:
            return False
        marks = self.current or (self.endpoint,)
        return any(endpoint.startswith(m[:-1]) if m.endswith("*") else endpoint == m
                   for m in marks)


NAV = [
    NavEntry("Tableau de bord", "ui.dashboard", ("agent",)),
    NavEntry("Liste des tâches", "ui.task_list", ("agent",),
             ("ui.task_list", "ui.batch_attestations")),
    NavEntry("Recherche", "ui.search", ("agent",)),
    NavEntry("Nouveau permis", "ui.licence_new", ("agent",), ("ui.licence_new",)),
    NavEntry("Sessions de stage", "ui.session_list", ("agent", "centre"), ("ui.session*",)),
    NavEntry("Centres agréés", "ui.centre_list", ("agent",), ("ui.centre*",)),
    NavEntry("Mon centre", "ui.my_centre", ("centre",), for_admin=False),
    NavEntry("Statistiques", "ui.statistics_page", ("agent",),
             ("ui.statistics*", "ui.heatmap_page")),
    NavEntry("Processus", "ui.processus_versions", ("designer",), ("ui.processus*",)),
    NavEntry("Incidents", "ui.incident_list", ("designer",), ("ui.incident*",)),
    NavEntry("Utilisateurs", "ui.user_list", ("admin",), ("ui.user*",)),
    NavEntry("Groupes d'agents", "ui.group_list", ("admin",), ("ui.group*",)),
    NavEntry("Envois différés", "ui.outbox_list", ("admin",), ("ui.outbox*",)),
    NavEntry("Journal", "ui.admin_journal", ("admin",)),
]

# where a role lands after logging in, and from "/"
HOME = {"agent": "ui.dashboard", "admin": "ui.dashboard", "centre": "ui.session_list",
        "designer": "ui.processus_versions"}


def entries_for(user) -> list[NavEntry]:
    return [e for e in NAV if user is not None and e.allows(user)]


def home_url(user) -> str:
    return url_for(HOME.get(user.role, "ui.about"))
