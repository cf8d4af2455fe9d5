"""R29: who may take a voluntary course — a holder "qui a commis une infraction ayant donné lieu
à retrait de points" (L223-6 al. 4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .explain import Decision, Explanation, fr_date, fr_points
from .ledger import LicenceFacts, Retrait, replay


def may_open(licence: LicenceFacts, retraits: Sequence[Retrait]) -> Decision:
    """ok iff a retrait of points is known for the licence: one recorded here, or an imported
    FNPC balance below what the licence would carry without any retrait on that date (its
    capital, with the probation increments due then: points were withdrawn before the import).
    docs/legal-decisions.md, LD13."""
    if retraits:
        first = min(retraits, key=lambda r: r.committed_on)
        return Decision(True, (Explanation(
            "R29", f"R29 : infraction commise le {fr_date(first.committed_on)} ayant donné "
                   f"lieu à un retrait de {first.points} point{'s' if first.points > 1 else ''}"),))
    if licence.imported_points is not None:
        on = licence.imported_on or licence.obtained_on
        clean = replay(replace(licence, imported_points=None, imported_on=None)).balance_on(on)
        if licence.imported_points < clean:
            return Decision(True, (Explanation(
                "R29", f"R29 : solde importé de {fr_points(licence.imported_points)} au "
                       f"{fr_date(on)}, inférieur aux {clean} points d'un permis sans retrait"),))
    return Decision(False, (Explanation(
        "R29", "R29 : le stage volontaire est ouvert au titulaire qui a commis une infraction "
               "ayant donné lieu à retrait de points ; aucun retrait n'est connu pour ce permis "
               "(enregistrez d'abord l'infraction)."),))
