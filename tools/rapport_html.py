"""Human-readable HTML report of an acceptance run, from pytest-bdd's Cucumber JSON.

Usage: ``.venv/bin/python tools/rapport_html.py reports/cucumber.json [reports/cucumber.html]``
(the acceptance suite's conftest also calls ``ecrire`` at the end of every run that writes a
Cucumber JSON). No external service, standard library only.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

RULE_RE = re.compile(r"^[RDQ]\d+$")


def _statut(scenario: dict) -> str:
    statuts = [s.get("result", {}).get("status") for s in scenario.get("steps", [])]
    if "failed" in statuts:
        return "échoué"
    if statuts and all(s == "passed" for s in statuts):
        return "réussi"
    return "non exécuté"


def _erreur(scenario: dict) -> str:
    for step in scenario.get("steps", []):
        message = step.get("result", {}).get("error_message")
        if message:
            lignes = [ligne for ligne in message.splitlines() if ligne.startswith("E ")]
            return "\n".join(ligne[1:].strip() for ligne in lignes) or message[-600:]
    return ""


def generer(data: list[dict]) -> str:
    lignes, regles, total, echecs = [], {}, 0, 0
    for feature in data:
        lignes.append(f"<h2>{html.escape(feature.get('name', ''))}</h2><table>"
                      "<tr><th>Scénario</th><th>Règles</th><th>Résultat</th></tr>")
        for sc in feature.get("elements", []):
            tags = [t["name"].lstrip("@") for t in sc.get("tags", [])]
            rules = [t for t in tags if RULE_RE.match(t)]
            statut = _statut(sc)
            total += 1
            echecs += statut == "échoué"
            for r in rules:
                regles.setdefault(r, []).append(statut)
            nom = html.escape(sc.get("name", ""))
            erreur = _erreur(sc) if statut == "échoué" else ""
            detail = f"<pre>{html.escape(erreur)}</pre>" if erreur else ""
            etapes = "".join(f"<li>{html.escape(s.get('keyword', ''))} "
                             f"{html.escape(s.get('name', ''))}</li>"
                             for s in sc.get("steps", []))
            lignes.append(f"<tr class='{'ko' if statut == 'échoué' else 'ok'}'><td>"
                          f"<details><summary>{nom}</summary><ul>{etapes}</ul></details>"
                          f"{detail}</td><td>{' '.join(rules)}</td><td>{statut}</td></tr>")
        lignes.append("</table>")

    def cle(r: str):
        return (r[0] != "R", r[0], int(r[1:]))

    resume = "".join(
        f"<tr class='{'ko' if 'échoué' in s else 'ok'}'><td>{r}</td><td>{len(s)}</td>"
        f"<td>{s.count('réussi')}</td><td>{s.count('échoué')}</td></tr>"
        for r, s in sorted(regles.items(), key=lambda kv: cle(kv[0])))
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
        "<title>Recette — scénarios Gherkin</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}"
        "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}"
        ".ok td:last-child{color:#1a7f37}.ko td:last-child{color:#c00;font-weight:bold}"
        "pre{white-space:pre-wrap;color:#c00}</style></head><body>"
        f"<h1>Recette : {total} scénarios, {total - echecs} réussis, {echecs} échoués</h1>"
        "<h2>Par règle</h2><table><tr><th>Règle</th><th>Scénarios</th><th>Réussis</th>"
        f"<th>Échoués</th></tr>{resume}</table>" + "".join(lignes) + "</body></html>\n")


def ecrire(source: Path, cible: Path) -> None:
    data = json.loads(source.read_text(encoding="utf-8") or "[]")
    cible.write_text(generer(data), encoding="utf-8")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    source = Path(argv[0])
    cible = Path(argv[1]) if len(argv) > 1 else source.with_suffix(".html")
    ecrire(source, cible)
    print(f"{cible} écrit")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
