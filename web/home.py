"""The landing page at /: what the service is, where the API is, the defaults in force."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template_string, session, url_for

from services.clock import clock
from services.rules.config import SWITCHES

blp = Blueprint("home", __name__)


@blp.route("/")
def home():
    if session.get("user_id"):
        return redirect(url_for("ui.index"))
    rules = current_app.config["RULES"].as_dict()
    return render_template_string(PAGE, now=clock().now(), mode=clock().mode,
                                  switches=[(s, rules[s.env]) for s in SWITCHES])


PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stages de sensibilisation à la sécurité routière</title>
<style>body{font-family:Marianne,Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#161616}a{color:#000091}table{border-collapse:collapse}td,th{border:1px solid #ddd;
padding:.3rem .6rem;text-align:left}</style></head><body>
<main>
<h1>Stages de sensibilisation à la sécurité routière</h1>
<p>Gestion des dossiers de la préfecture : lettre 48N, délai de quatre mois, stage, attestation,
crédit de points et remboursement de l'amende.</p>
<p>Horloge de l'application : <strong>{{ now.strftime('%d/%m/%Y %H:%M') }}</strong>
(mode {{ 'manuel' if mode == 'manual' else 'système' }}).</p>
<p><a href="/ui/connexion"><strong>Se connecter à l'interface des agents et des
centres</strong></a></p>
<ul>
<li><a href="/api/v1/docs">Documentation de l'API REST</a>
 (<a href="/api/v1/openapi.json">document OpenAPI</a>)</li>
</ul>
<h2>Réglages juridiques en vigueur</h2>
<table><thead><tr><th>Réglage</th><th>Valeur</th><th>Règles</th><th>Description</th></tr></thead>
<tbody>{% for s, value in switches %}<tr><td><code>{{ s.env }}</code></td><td>{{ value }}</td>
<td>{{ s.rules|join(', ') }}</td><td>{{ s.description }}</td></tr>{% endfor %}</tbody></table>
</main></body></html>"""
