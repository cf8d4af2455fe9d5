"""Licences (permis): create one, its page (balance, cap, ledger, infractions, cases), register an
infraction or a 48SI, open the 48N case of an infraction that triggers one (R15), or a voluntary
case. Agents only. The API's marshmallow schemas check the forms, the same services act.

A refused form tells, in one answer, its fields' errors and the service's cross-field checks
that the fields it accepted let judge (web/ui/formdata.py `FormSpec.load`, `checks`).

A successful POST redirects (Post/Redirect/Get): a refresh never sends it again. A refused one
(422, 409) answers with the form again, what was typed and every error, and no redirect: it
recorded nothing (the services check everything before they write, and a command that raises is
rolled back, services/db.py `command`), so the browser sending it again (refresh, back) is the
same submission again: refused again, or, if the facts changed meanwhile, recorded once, as if
the clerk had sent it then. A licence number and an infraction's 48N case are unique anyway
(409)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from services import cases, licence_ledger, licences
from services.clock import clock
from services.errors import Conflict, Invalid
from services.reads import licence_view
from web.api.schemas import CaseInSchema, InfractionInSchema, InvalidationInSchema, LicenceInSchema
from web.auth import current_user
from web.labels import PROBATION_LABELS
from web.ui.formdata import Field, Form, FormSpec
from web.ui.listing import PER_PAGE, int_arg, page_numbers, paged
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

LEDGER_PER_PAGE = 15

LICENCE_FORM = FormSpec(
    Field("number", "Numéro de permis", required=True,
          hint="Tel qu'il figure sur le permis : chiffres et lettres, sans espace."),
    Field("holder.last_name", "Nom", required=True),
    Field("holder.first_name", "Prénom", required=True),
    Field("holder.birth_date", "Date de naissance", "date", True),
    Field("obtained_on", "Permis obtenu le", "date", True,
          hint="Début de la période probatoire et capital initial de 6 points (R2)."),
    Field("probation", "Période probatoire", "choice", True,
          choices=tuple(PROBATION_LABELS.items())),
    Field("formation_complementaire", "Formation complémentaire suivie", "bool",
          hint="Réduit la période probatoire d'un an (2 ans, ou 18 mois en apprentissage "
               "anticipé, D7)."),
    Field("balance.points", "Solde importé du FNPC (points)", "int",
          hint="Facultatif : le solde connu du fichier national à une date ; sans lui, le "
               "relevé part du capital initial."),
    Field("balance.on", "Solde connu le", "date",
          hint="Obligatoire si un solde est importé."),
    groups=("holder",),
)

OFFENCE_CLASSES = (("C1", "Contravention de 1re classe"), ("C2", "Contravention de 2e classe"),
                   ("C3", "Contravention de 3e classe"), ("C4", "Contravention de 4e classe"),
                   ("C5", "Contravention de 5e classe"), ("delit", "Délit"))
FINE_KINDS = (("forfaitaire", "Amende forfaitaire"), ("majoree", "Amende forfaitaire majorée"),
              ("judiciaire", "Amende judiciaire"), ("composition_penale", "Composition pénale"))

INFRACTION_FORM = FormSpec(
    Field("label", "Libellé de l'infraction", required=True,
          hint="Par exemple : Excès de vitesse de 20 à 30 km/h."),
    Field("offence_class", "Classe", "text", True, choices=OFFENCE_CLASSES, widget="select"),
    Field("points", "Points retirés", "int", True,
          hint="De 1 à 6 ; un délit : 6 ; au plus 8 pour les infractions du même jour (R5)."),
    Field("committed_on", "Commise le", "date", True),
    Field("established_on", "Réalité établie le", "date",
          hint="Paiement de l'amende, titre exécutoire, composition pénale exécutée ou "
               "condamnation définitive (R7) ; facultatif."),
    Field("decision_on", "Décision de retrait le", "date", True,
          hint="Le retrait prend effet à cette date, même avant sa notification (R8)."),
    Field("fine.amount", "Montant de l'amende (€)", "decimal",
          hint="Facultatif ; sert au remboursement après un stage obligatoire (R45)."),
    Field("fine.kind", "Nature de l'amende", "text", choices=FINE_KINDS, widget="select"),
    Field("fine.paid_on", "Amende payée le", "date", hint="Vide si elle n'est pas encore payée."),
)

INVALIDATION_FORM = FormSpec(
    Field("decision_on", "Décision 48SI du", "date", True),
    Field("notified_on", "Notifiée le", "date",
          hint="Le permis n'est plus valide à compter de cette date (R6, R42) ; vide si la "
               "lettre n'est pas encore notifiée."),
)

LETTER_FORM = FormSpec(
    Field("letter_48n.sent_on", "Lettre 48N envoyée le", "date", True),
    Field("letter_48n.receipt", "Accusé de réception", "choice", True,
          choices=(("signed", "Signé par le titulaire"),
                   ("unclaimed", "Avisé et non réclamé"),
                   ("npai", "NPAI (n’habite pas à l’adresse indiquée)"))),
    Field("letter_48n.received_on", "Reçue le", "date",
          hint="Date de signature de l'accusé de réception, ou de première présentation si la "
               "lettre n'a pas été réclamée (D11) ; laissez vide pour une lettre NPAI."),
)


def _back(number: str) -> str:
    return url_for("ui.licence_page", number=number)


def _form_page(form: Form, status: int = 200, **context):
    return render_template("ui/form_page.html", form=form, **context), status


# ---- create a licence -----------------------------------------------------------------------

@pages.route("/permis/nouveau", methods=["GET", "POST"])
@login_required("agent")
def licence_new():
    form = Form(LICENCE_FORM, {"probation": "classic"})
    status = 200
    if request.method == "POST":
        try:
            data = LICENCE_FORM.load(LicenceInSchema, request.form,
                                     checks=licences.licence_problems)
            number = licences.create(data, current_user().username).number
        except (Invalid, Conflict) as exc:
            form, status = Form.refused(LICENCE_FORM, request.form, exc, "number"), exc.status
        else:
            flash(f"Permis n° {number} enregistré.", "success")
            return redirect(_back(number))
    return _form_page(form, status, heading="Enregistrer un permis",
                      intro="Le titulaire et la date d'obtention fixent le capital initial et "
                            "la période probatoire ; le relevé de points est recalculé à partir "
                            "de tous les mouvements connus (D9).",
                      action=url_for("ui.licence_new"), submit="Enregistrer le permis",
                      back_url=url_for("ui.search"),
                      groups=[("Numéro", ["number"]),
                              ("Titulaire", ["holder.last_name", "holder.first_name",
                                             "holder.birth_date"]),
                              ("Permis", ["obtained_on", "probation",
                                          "formation_complementaire"]),
                              ("Solde importé (facultatif)", ["balance.points", "balance.on"])],
                      crumbs=[("Recherche", url_for("ui.search")), ("Nouveau permis", None)])


# ---- the licence page -----------------------------------------------------------------------

@pages.route("/permis/<number>")
@login_required("agent")
def licence_page(number: str):
    return render_licence(number)


def render_licence(number: str, voluntary_error: str | None = None, status: int = 200):
    licence = licences.get(number)
    today = clock().today()
    lg = licence_ledger.replay(licence)  # once, for the figures and the chart
    view = licences.view(licence, today, lg)
    series = licence_view.balance_series(licence, today, lg)
    balance_on = {p["on"]: p["balance"] for p in series}
    movements = list(reversed(view["movements"]))  # the latest first
    shown, ledger_page, ledger_pages = paged(movements, "releve", LEDGER_PER_PAGE)
    case_page = int_arg("dossiers")
    case_items, case_total = cases.list_cases(None, number, None, False, case_page, PER_PAGE)
    return render_template(
        "ui/licence.html", licence=licence, view=view, series=series, balance_on=balance_on,
        movements=shown, ledger_page=ledger_page, ledger_pages=ledger_pages,
        movement_total=len(movements),
        infractions=list(reversed(licence.infractions)),
        case_of=licence_view.cases_by_infraction(licence),
        case_items=case_items, case_total=case_total, case_page=case_page,
        case_pages=page_numbers(case_total), voluntary_error=voluntary_error), status


# ---- commands on a licence ------------------------------------------------------------------

@pages.route("/permis/<number>/infraction", methods=["GET", "POST"])
@login_required("agent")
def infraction_new(number: str):
    licence = licences.get(number)
    form, status = Form(INFRACTION_FORM, {"points": "3"}), 200
    if request.method == "POST":
        try:
            data = INFRACTION_FORM.load(InfractionInSchema, request.form, checks=lambda valid:
                                        licences.infraction_problems(licence, valid))
            recorded = licences.record_infraction(licences.get(number), data,
                                                  current_user().username)
            inf = recorded.infraction
            message = _infraction_message(recorded)
            anchor = f"infraction-{inf.id}"
        except (Invalid, Conflict) as exc:
            form, status = Form.refused(INFRACTION_FORM, request.form, exc), exc.status
        else:
            flash(message, "success")
            return redirect(_back(number) + "#" + anchor)
    return _form_page(form, status, heading="Enregistrer une infraction",
                      intro=f"Permis n° {licence.number} — {licence.holder_name}. Une infraction "
                            "retirant au moins 3 points pendant la période probatoire déclenche "
                            "une lettre 48N et un stage obligatoire (R15).",
                      action=url_for("ui.infraction_new", number=number),
                      submit="Enregistrer l'infraction", back_url=_back(number),
                      groups=[("Infraction", ["label", "offence_class", "points"]),
                              ("Dates", ["committed_on", "established_on", "decision_on"]),
                              ("Amende (facultatif)", ["fine.amount", "fine.kind",
                                                       "fine.paid_on"])],
                      crumbs=_licence_crumbs(licence, "Nouvelle infraction"))


def _infraction_message(recorded: licences.RecordedInfraction) -> str:
    inf = recorded.infraction
    text = (f"Infraction enregistrée : retrait de {inf.points} point{'s' if inf.points > 1 else ''}"
            f" effectif le {inf.decision_on:%d/%m/%Y} (R8).")
    if inf.triggers_48n:
        return text + (" Elle déclenche une lettre 48N (R15) : ouvrez le dossier 48N depuis la "
                       "liste des infractions une fois la lettre envoyée.")
    explanation = recorded.trigger.text
    return text + f" Pas de lettre 48N{' : ' + explanation if explanation else ''}."


def _licence_crumbs(licence, last: str) -> list:
    return [("Recherche", url_for("ui.search")),
            (f"Permis n° {licence.number}", _back(licence.number)), (last, None)]


@pages.route("/permis/<number>/invalidation", methods=["GET", "POST"])
@login_required("agent")
def invalidation_new(number: str):
    licence = licences.get(number)
    form, status = Form(INVALIDATION_FORM), 200
    if request.method == "POST":
        try:
            data = INVALIDATION_FORM.load(InvalidationInSchema, request.form, checks=lambda valid:
                                          licences.invalidation_problems(licence, valid))
            reviewed = len(licence_view.open_cases(licence))
            licences.add_invalidation(licences.get(number), data, current_user().username)
        except (Invalid, Conflict) as exc:
            form, status = Form.refused(INVALIDATION_FORM, request.form, exc), exc.status
        else:
            flash("Invalidation (48SI) enregistrée." + (
                f" {reviewed} dossier{'s' if reviewed > 1 else ''} ouvert"
                f"{'s' if reviewed > 1 else ''} passe{'nt' if reviewed > 1 else ''} en examen "
                "manuel (Q8)." if reviewed else ""), "success")
            return redirect(_back(number))
    open_cases = licence_view.open_cases(licence)
    return _form_page(form, status, heading="Enregistrer une invalidation (48SI)",
                      intro=f"Permis n° {licence.number} — {licence.holder_name}. Une fois la "
                            "48SI notifiée, aucun stage ne peut plus produire de points (R42). "
                            + (f"Dossiers ouverts qui passeront en examen manuel (Q8) : "
                               f"{', '.join(c.reference for c in open_cases)}."
                               if open_cases else "Aucun dossier ouvert sur ce permis."),
                      action=url_for("ui.invalidation_new", number=number),
                      submit="Enregistrer la 48SI", back_url=_back(number),
                      groups=[("Lettre 48SI", ["decision_on", "notified_on"])],
                      crumbs=_licence_crumbs(licence, "Invalidation 48SI"))


@pages.route("/permis/<number>/infractions/<int:infraction_id>/dossier-48n",
           methods=["GET", "POST"])
@login_required("agent")
def case_48n_new(number: str, infraction_id: int):
    licence = licences.get(number)
    infraction = licences.infraction_of(licence, infraction_id)
    form, status = Form(LETTER_FORM), 200
    # one case per infraction: once it exists, the page links to it instead of the form
    existing = licence_view.cases_by_infraction(licence).get(infraction_id)
    # R15: an infraction that gives rise to no 48N gets no form to fill in and be refused
    not_allowed = None if existing is not None or infraction.triggers_48n else (
        "Cette infraction ne déclenche pas de lettre 48N : aucun dossier de stage obligatoire "
        "ne peut être ouvert (R15 : retrait d'au moins 3 points pendant la période probatoire, "
        "solde restant positif). Pour un stage volontaire, voir la page du permis.")
    if request.method == "POST" and existing is not None:
        status = 409
    elif request.method == "POST" and not_allowed:
        status = 422
    elif request.method == "POST":
        try:
            data = LETTER_FORM.load(CaseInSchema, request.form, {
                "kind": "obligatoire", "licence": number, "infraction": infraction_id},
                checks=lambda valid: cases.letter_48n_problems(
                    infraction, valid.get("letter_48n") or {}))
            case = cases.create(data, current_user().username)
            case_id, reference = case.id, case.reference
        except (Invalid, Conflict) as exc:
            form, status = Form.refused(LETTER_FORM, request.form, exc, "infraction"), exc.status
            if isinstance(exc, Conflict):  # opened meanwhile by another clerk: its link
                existing = licence_view.cases_by_infraction(licences.get(number)).get(
                    infraction_id)
        else:
            flash(f"Dossier {reference} ouvert : stage obligatoire (lettre 48N).", "success")
            return redirect(url_for("ui.case_page", case_id=case_id))
    return _form_page(form, status, existing=existing, not_allowed=not_allowed,
                      heading="Ouvrir le dossier 48N",
                      intro=f"Permis n° {licence.number} — {licence.holder_name}. Infraction : "
                            f"{infraction.label}, {infraction.points} points, décision du "
                            f"{infraction.decision_on:%d/%m/%Y}. Le délai de 4 mois pour suivre "
                            "le stage court à compter de la réception de la lettre (D1, D11).",
                      action=url_for("ui.case_48n_new", number=number,
                                     infraction_id=infraction_id),
                      submit="Ouvrir le dossier", back_url=_back(number),
                      groups=[("Lettre 48N", ["letter_48n.sent_on", "letter_48n.receipt",
                                              "letter_48n.received_on"])],
                      crumbs=_licence_crumbs(licence, "Dossier 48N"))


@pages.route("/permis/<number>/stage-volontaire", methods=["POST"])
@login_required("agent")
def voluntary_case(number: str):
    licences.get(number)
    try:
        case = cases.create(CaseInSchema().load({"kind": "volontaire", "licence": number}),
                            current_user().username)
        case_id, reference = case.id, case.reference
    except (Invalid, Conflict) as exc:
        return render_licence(number, exc.detail, exc.status)
    flash(f"Dossier {reference} ouvert : stage volontaire.", "success")
    return redirect(url_for("ui.case_page", case_id=case_id))
