"""Steps about the case (dossier): 48N, voluntary request, clerk's tasks, outcome, referral."""

from __future__ import annotations

import datetime as dt

from pytest_bdd import given, parsers, then, when

from tests.bdd.outils import DATE, OBLIGATIONS, STATUTS, Contexte, d, fr, verifier


# -- Étant donné / Quand : le temps -----------------------------------------------------------
@given(parsers.re(rf"(?:que )?nous sommes le (?P<date>{DATE})"))
def nous_sommes_le(ctx: Contexte, date):
    ctx.avancer(date)


@when(parsers.re(rf"le temps passe jusqu(?:'|’)au (?P<date>{DATE})"))
def le_temps_passe(ctx, date):
    """The clock moves to that day and the due timers fire (e.g. the 4-month deadline)."""
    ctx.avancer(date)
    ctx.api.run_timers()


# -- ouverture des dossiers -------------------------------------------------------------------
def ouvrir_48n(ctx, receipt: str, recue=None, envoyee=None, attendu=201):
    if recue:
        envoyee = envoyee or (dt.date.fromisoformat(d(recue)) - dt.timedelta(days=3)).strftime(
            "%d/%m/%Y")
    assert ctx.infraction is not None, "Aucune infraction n'a été enregistrée pour la 48N"
    body = {"kind": "obligatoire", "licence": ctx.numero, "infraction": ctx.infraction["id"],
            "letter_48n": {"sent_on": d(envoyee), "receipt": receipt,
                           "received_on": d(recue) if recue else None}}
    ctx.reponse = ctx.api.post("/api/v1/cases", body)
    if attendu == 201:
        ctx.dossier = ctx.ok(ctx.reponse, "ouvrir le dossier obligatoire", 201)


@given(parsers.re(rf"la lettre 48N (?:est |a été )?reçue le (?P<date>{DATE})"))
@when(parsers.re(rf"la lettre 48N est reçue le (?P<date>{DATE})"))
def lettre_48n_recue(ctx, date):
    ctx.avancer(date)
    ouvrir_48n(ctx, "signed", recue=date)


@when(parsers.re(rf"la lettre 48N est présentée le (?P<date>{DATE}) mais non réclamée"))
def lettre_48n_non_reclamee(ctx, date):
    ctx.avancer(date)
    ouvrir_48n(ctx, "unclaimed", recue=date)


@when(parsers.re(rf"la lettre 48N envoyée le (?P<date>{DATE}) revient avec la mention NPAI"))
def lettre_48n_npai(ctx, date):
    ctx.avancer(date)
    ouvrir_48n(ctx, "npai", envoyee=date)


@when(parsers.re(rf"l'agent tente d'ouvrir un dossier obligatoire sur une 48N reçue le "
                 rf"(?P<date>{DATE})"))
def tentative_48n(ctx, date):
    ctx.avancer(date)
    ouvrir_48n(ctx, "signed", recue=date, attendu=None)


@when(parsers.re(rf"l'agent saisit une 48N envoyée le (?P<envoyee>{DATE}) et reçue le "
                 rf"(?P<recue>{DATE})"))
def saisie_48n(ctx, envoyee, recue):
    """The clerk types the letter's dates as they are, the clock left where it is: a date
    after today is the application's to refuse (services/rules/facts.py)."""
    ouvrir_48n(ctx, "signed", recue=recue, envoyee=envoyee, attendu=None)


@then(parsers.re(r"la demande est refusée avec (?P<nombre>\d+) erreurs en une seule fois"))
def refus_multiple(ctx, nombre):
    rep = ctx.reponse
    assert rep is not None and rep.status_code == 422, (
        f"Refus attendu (code HTTP 422) ; code obtenu : {getattr(rep, 'status_code', 'aucun')}")
    erreurs = (rep.get_json() or {}).get("errors") or {}
    total = sum(len(v) for v in erreurs.values())
    assert total == int(nombre), (f"{nombre} erreurs attendues dans une seule réponse ; "
                                  f"{total} obtenues : {erreurs}")


@given("le conducteur demande un stage volontaire")
@when("le conducteur demande un stage volontaire")
def stage_volontaire(ctx):
    ctx.dossier = ctx.ok(ctx.api.post("/api/v1/cases", {"kind": "volontaire",
                                                        "licence": ctx.numero}),
                         "ouvrir le dossier de stage volontaire", 201)


@when("l'agent tente d'ouvrir un dossier de stage volontaire")
def tentative_volontaire(ctx):
    ctx.reponse = ctx.api.post("/api/v1/cases", {"kind": "volontaire", "licence": ctx.numero})


# -- décisions des agents ---------------------------------------------------------------------
@when("l'agent valide l'attestation")
def valide_attestation(ctx):
    ctx.terminer("verification_attestation", "valider l'attestation", decision="valider")


@when(parsers.re(r"l'agent refuse l'attestation pour « (?P<motif>.+) »"))
def refuse_attestation(ctx, motif):
    ctx.terminer("verification_attestation", "refuser l'attestation", decision="refuser",
                 motif=motif)


@when(parsers.re(r"l'agent crédite le stage après examen manuel"))
def examen_crediter(ctx):
    ctx.terminer("examen_manuel", "créditer après examen manuel", decision="crediter", motif="")


@when(parsers.re(r"l'agent refuse le crédit après examen manuel pour « (?P<motif>.+) »"))
def examen_refuser(ctx, motif):
    ctx.terminer("examen_manuel", "refuser après examen manuel", decision="refuser", motif=motif)


CHOIX_OBLIGATION = {"remplie": "remplie", "non remplie": "non_remplie"}
CHOIX_REMBOURSEMENT = {"accordé": "accorde", "refusé": "refuse"}


@when(parsers.re(r"l'agent (?P<decision>crédite le stage|refuse le crédit) après examen manuel"
                 r"(?: pour « (?P<motif>[^»]+) »)?, "
                 r"obligation « (?P<obligation>remplie|non remplie) »"
                 r"(?:, remboursement « (?P<remb>accordé|refusé) »)?"))
def examen_choix(ctx, decision, motif, obligation, remb):
    data = {"decision": "crediter" if decision == "crédite le stage" else "refuser",
            "motif": motif or "", "obligation": CHOIX_OBLIGATION[obligation]}
    if remb:
        data["remboursement"] = CHOIX_REMBOURSEMENT[remb]
    ctx.terminer("examen_manuel", "décider après examen manuel", **data)


@then(parsers.re(r"l'explication du dossier cite « (?P<texte>.+) »"))
def explication_cite(ctx, texte):
    explication = ctx.issue().get("explanation") or ""
    assert texte in explication, (f"Explication attendue : « {texte} » ; obtenue : "
                                  f"« {explication} »")


@when("l'agent signale le dossier au parquet")
def signaler(ctx):
    ctx.terminer("signalement_parquet", "signaler au parquet", decision="signaler", motif="")


@when(parsers.re(r"l'agent décide de ne pas signaler le dossier pour « (?P<motif>.+) »"))
def ne_pas_signaler(ctx, motif):
    ctx.terminer("signalement_parquet", "ne pas signaler", decision="ne_pas_signaler",
                 motif=motif)


# -- Alors : le dossier -----------------------------------------------------------------------
@then(parsers.re(rf"l'échéance (?:du stage obligatoire )?est le (?P<date>{DATE})"))
def echeance(ctx, date):
    verifier(ctx.rafraichir()["deadline"], d(date), "échéance")


@then("le dossier n'a pas d'échéance")
def sans_echeance(ctx):
    verifier(ctx.rafraichir()["deadline"], None, "échéance")
    verifier(len(ctx.dossier["timers"]), 0, "nombre de minuteries d'échéance")


@then(parsers.re(r"le dossier est (?P<statut>en attente d'inscription|inscrit|"
                 r"en attente d'attestation|en vérification d'attestation|en examen manuel|clos)"))
def statut(ctx, statut):
    verifier(ctx.rafraichir()["status"], STATUTS[statut], "statut du dossier")


@then("le dossier reste ouvert")
def reste_ouvert(ctx):
    verifier("clos" if ctx.rafraichir()["closed"] else "ouvert", "ouvert", "état du dossier")


@then(parsers.re(r"l'obligation de stage est (?P<etat>remplie|non remplie|en attente|"
                 r"en examen manuel|sans objet)"))
def obligation(ctx, etat):
    libelles = {v: k for k, v in OBLIGATIONS.items()}
    obtenu = ctx.issue()["obligation"]
    verifier(libelles.get(obtenu, obtenu), etat, "état de l'obligation")


@then(parsers.re(r"(?:le stage crédite )?(?P<points>\d+) points? (?:sont|est) crédités?"))
@then(parsers.re(r"le stage crédite (?P<points>\d+) points?"))
def points_credites(ctx, points):
    issue = ctx.issue()
    refus = issue.get("credit_refusal")
    assert issue["points_credited"] == int(points), (
        f"Points crédités attendus : {points} ; points crédités obtenus : "
        f"{fr(issue['points_credited'])}"
        + (f" (refus {refus['rule']} : {refus['reason']})" if refus else "")
        + f" ; statut du dossier : {ctx.dossier['status']}")


@then(parsers.re(r"aucun point n'est crédité \((?P<regle>[RDQ]\d+)\)"))
def aucun_point(ctx, regle):
    issue = ctx.issue()
    verifier(issue["points_credited"], 0, "nombre de points crédités", "points")
    refus = issue.get("credit_refusal") or {}
    verifier(refus.get("rule"), regle, "règle du refus de crédit")


@then(parsers.re(r"aucun point n'est encore crédité"))
def pas_encore(ctx):
    verifier(ctx.issue()["points_credited"], None, "nombre de points crédités")


@then(parsers.re(rf"le crédit prend effet le (?P<date>{DATE})"))
def effet(ctx, date):
    verifier(ctx.issue()["effect_on"], d(date), "date d'effet du crédit")


@then(parsers.re(r"le solde après le stage est de (?P<points>-?\d+) points?"))
def solde_apres(ctx, points):
    verifier(ctx.issue()["balance_after"], int(points), "solde après le stage", "points")


@then(parsers.re(rf"le préfet doit créditer les points avant le (?P<date>{DATE})"))
def credit_du(ctx, date):
    verifier(ctx.rafraichir()["credit_due_on"], d(date), "date limite de crédit (un mois)")


@then(parsers.re(rf"le centre doit transmettre l'attestation avant le (?P<date>{DATE})"))
def transmission_due(ctx, date):
    attestation = ctx.rafraichir()["attestation"]
    assert attestation, "Aucune attestation n'a été délivrée pour ce dossier."
    verifier(attestation["transmission_deadline"], d(date),
             "date limite de transmission de l'attestation par le centre (15 jours)")


@then(parsers.re(rf"le remboursement est de (?P<montant>\d+) € à demander avant le "
                 rf"(?P<date>{DATE})"))
def remboursement(ctx, montant, date):
    refund = ctx.issue()["refund"]
    assert refund and refund.get("eligible"), (
        f"Remboursement attendu : {montant} € ; remboursement obtenu : "
        + (f"refusé ({refund.get('rule')} : {refund.get('reason')})" if refund else "aucun"))
    verifier(refund["amount"], int(montant), "montant du remboursement", "€")
    verifier(refund["request_deadline"], d(date), "date limite de la demande de remboursement")


@then(parsers.re(r"le remboursement est à vérifier par l'agent \((?P<regle>[RDQ]\d+)\)"))
def remboursement_a_verifier(ctx, regle):
    refund = ctx.issue()["refund"] or {}
    raison = refund.get("reason") or ""
    assert "recouvrement" not in raison or "à vérifier" in raison, (
        f"Amende inconnue traitée comme impayée : {refund}")
    assert "à vérifier" in raison, f"Question à l'agent attendue ; obtenu : {refund}"
    regles = [f["rule"] for f in ctx.rafraichir()["flags"]]
    assert regle in regles, f"Signalement {regle} attendu ; obtenus : {', '.join(regles)}"


@then(parsers.re(r"aucun remboursement n'est dû \((?P<regle>[RDQ]\d+)\)"))
def pas_de_remboursement(ctx, regle):
    refund = ctx.issue()["refund"]
    assert refund is not None and refund.get("eligible") is False, (
        f"Refus de remboursement attendu ({regle}) ; obtenu : {refund}")
    verifier(refund.get("rule"), regle, "règle du refus de remboursement")


@then("le dossier ne donne lieu à aucun remboursement")
def remboursement_sans_objet(ctx):
    verifier(ctx.issue()["refund"], None, "remboursement")


REFERRALS = {None: "non signalé", "candidate": "candidat au signalement",
             "referred": "signalé au parquet", "not_referred": "non signalé (décision de l'agent)"}


@then(parsers.re(r"le dossier (?P<etat>est signalé au parquet|est candidat au signalement|"
                 r"n'est pas signalé|n'est pas signalé \(décision de l'agent\))"))
def signalement(ctx, etat):
    attendu = {"est signalé au parquet": "signalé au parquet",
               "est candidat au signalement": "candidat au signalement",
               "n'est pas signalé": "non signalé",
               "n'est pas signalé (décision de l'agent)": "non signalé (décision de l'agent)"}
    obtenu = ctx.issue()["referral"]
    verifier(REFERRALS.get(obtenu, obtenu), attendu[etat], "signalement au parquet")


@then(parsers.re(r"une tâche « (?P<cle>[a-z_]+) » est ouverte"))
def tache_ouverte(ctx, cle):
    ctx.tache(cle)


@then("aucune tâche n'est ouverte")
def aucune_tache(ctx):
    taches = [t["key"] for t in ctx.rafraichir()["tasks"]]
    verifier(", ".join(taches) or "aucune", "aucune", "tâches ouvertes")


@then(parsers.re(r"le dossier porte le signalement (?P<regle>[RDQ]\d+)"))
def drapeau(ctx, regle):
    regles = [f["rule"] for f in ctx.rafraichir()["flags"]]
    assert regle in regles, (f"Signalement attendu sur le dossier : {regle} ; signalements "
                             f"obtenus : {', '.join(regles) or 'aucun'}")


@then(parsers.re(r"l'historique du dossier mentionne « (?P<texte>.+) »"))
def historique(ctx, texte):
    events = ctx.ok(ctx.api.get(f"/api/v1/cases/{ctx.dossier['id']}/events"),
                    "consulter l'historique")["items"]
    lisible = [f"{e['type']} {e.get('detail') or ''}" for e in events]
    assert any(texte in ligne for ligne in lisible), (
        f"Mention attendue dans l'historique : « {texte} » ; historique : "
        + " | ".join(e["type"] for e in events))


@then(parsers.re(r"la demande est refusée en citant la règle (?P<regle>[RDQ]\d+)"))
def refusee(ctx, regle):
    rep = ctx.reponse
    assert rep is not None, "Aucune demande n'a été tentée dans ce scénario"
    corps = rep.get_json(silent=True) or {}
    assert rep.status_code in (409, 422), (
        f"Refus attendu (règle {regle}) ; l'application a accepté la demande "
        f"(code HTTP {rep.status_code})")
    texte = f"{corps.get('detail', '')} {corps.get('errors', '')}"
    assert regle in texte, (f"Règle attendue dans le refus : {regle} ; motif obtenu : "
                            f"{corps.get('detail')}")


@then("la demande est acceptée")
def acceptee(ctx):
    rep = ctx.reponse
    corps = rep.get_json(silent=True) or {}
    assert rep.status_code in (200, 201), (
        f"Acceptation attendue ; refus obtenu (code HTTP {rep.status_code}) : "
        f"{corps.get('detail')}")


# -- un résultat recalculé attend la validation d'un agent (issue 16) -------------------------
@when(parsers.re(r"l'administrateur passe le réglage (?P<nom>CFG_[A-Z0-9_]+) à "
                 r"(?P<valeur>true|false)"))
def changer_reglage(ctx, request, nom, valeur):
    """A rule change: the switch as the administrator would set it (app configuration) for
    this scenario only; the previous value comes back at the end of the scenario."""
    import dataclasses

    from services.rules.config import SWITCHES

    attribut = next(s.field for s in SWITCHES if s.env == nom)
    app = ctx.api.app
    avant = app.config["RULES"]
    app.config["RULES"] = dataclasses.replace(avant, **{attribut: valeur == "true"})
    request.addfinalizer(lambda: app.config.__setitem__("RULES", avant))


@when("les règles sont rejouées")
def rejouer(ctx):
    sortie = ctx.api.app.test_cli_runner().invoke(args=["rules", "replay"])
    assert sortie.exit_code == 0, sortie.output
    assert "rien n'est appliqué avant leur validation" in sortie.output, sortie.output


@then(parsers.re(r"le dossier affiche « Changement de résultat à valider » pour la règle "
                 r"(?P<regle>[RDQ]\d+)"))
def changement_a_valider(ctx, regle):
    attente = ctx.rafraichir()["pending_change"]
    assert attente, "Changement de résultat à valider attendu ; aucun n'est proposé."
    regles = [c["rule"] for c in attente["changes"]]
    assert regle in regles, f"Règle attendue : {regle} ; règles proposées : {', '.join(regles)}"
    assert any(f["rule"] == regle and f["message"].startswith("Changement de résultat à valider")
               for f in ctx.dossier["flags"]), "Signalement du changement à valider attendu"


@then("aucun changement de résultat n'attend de validation")
def aucun_changement(ctx):
    verifier(ctx.rafraichir()["pending_change"], None, "changement de résultat à valider")


@when("un agent valide le changement de résultat")
def valider_changement(ctx):
    attente = ctx.rafraichir()["pending_change"]
    ctx.dossier = ctx.ok(ctx.api.post(f"/api/v1/cases/{ctx.dossier['id']}/pending-change/accept",
                                      {"proposal": attente["id"]}, as_="agent"),
                         "valider le changement de résultat")


@when(parsers.re(r"un agent écarte le changement de résultat pour « (?P<motif>.+) »"))
def ecarter_changement(ctx, motif):
    ctx.dossier = ctx.ok(ctx.api.post(f"/api/v1/cases/{ctx.dossier['id']}/pending-change/dismiss",
                                      {"motif": motif}, as_="agent"),
                         "écarter le changement de résultat")
# -- Alors : les courriers (issue 15 item 3) ----------------------------------------------------
@then(parsers.re(r"un courrier « (?P<titre>.+) » est joint au dossier"))
def courrier_joint(ctx, titre):
    """The case has a letter of that title, a PDF whose SHA-256 is the one listed once it is
    laid out (the PDF's text is checked by the tests, tests/integration/test_letters.py)."""
    import hashlib

    assert ctx.dossier is not None, "Aucun dossier n'a été ouvert dans ce scénario"
    base = f"/api/v1/cases/{ctx.dossier['id']}/letters"
    courriers = ctx.ok(ctx.api.get(base), "lire les courriers du dossier")["items"]
    trouves = [c for c in courriers if c["title"] == titre]
    assert trouves, (f"Courrier attendu : « {titre} » ; courriers du dossier : "
                     f"{[c['title'] for c in courriers] or 'aucun'}")
    pdf = ctx.api.get(f"{base}/{trouves[-1]['id']}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-"), "Le courrier n'est pas un PDF"
    # laid out after its command (by the worker, or by this first download): then listed
    relu = ctx.ok(ctx.api.get(base), "relire les courriers du dossier")["items"]
    empreinte = next(c["sha256"] for c in relu if c["id"] == trouves[-1]["id"])
    assert hashlib.sha256(pdf.data).hexdigest() == empreinte, "Empreinte SHA-256 différente"


@then(parsers.re(r"aucun courrier « (?P<titre>.+) » n'est joint au dossier"))
def aucun_courrier(ctx, titre):
    assert ctx.dossier is not None, "Aucun dossier n'a été ouvert dans ce scénario"
    courriers = ctx.ok(ctx.api.get(f"/api/v1/cases/{ctx.dossier['id']}/letters"),
                       "lire les courriers du dossier")["items"]
    assert titre not in [c["title"] for c in courriers], f"Courrier inattendu : « {titre} »"
