"""The statistics page (/ui/statistiques): the prefecture's monthly figures as charts with their
tables, filtered by period and centre, exported to CSV and XLSX; and the heatmap of a process
version's diagram (/ui/processus/<key>/versions/<n>/carte-de-chaleur). The figures are those of
GET /api/v1/statistics (services/statistics.py)."""

from __future__ import annotations

import csv
import io

from flask import Response, render_template, request, url_for
from lxml import etree

from services import processes, statistics
from services.errors import Invalid, sentences
from services.reads import session_view
from web import tabular
from web.ui.routes import Pages
from web.ui.security import login_required

pages = Pages()

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")


def month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS_FR[int(number) - 1]} {year}"


def charts(s: dict) -> list[dict]:
    """Each chart: its series (drawn, and columns of its table) and table-only columns."""
    c, o, p, r, ref, d = (s["courses"], s["obligations"], s["points"], s["refunds"],
                          s["referrals"], s["credit_delay"])
    months = [month_label(m) for m in s["months"]]

    def chart(id_, title, what, series, extra=(), rows=months, row_head="Mois"):
        return {"id": id_, "title": title, "what": what, "rows": rows, "row_head": row_head,
                "series": [{"label": a, "data": b} for a, b in series],
                "extra": [{"label": a, "data": b} for a, b in extra]}

    tasks = s["open_tasks_by_age"]
    return [
        chart("chart-letters", "Lettres 48N et dossiers ouverts",
              "lettres 48N envoyées et dossiers ouverts par mois",
              [("Lettres 48N envoyées", s["letters_48n"]),
               ("Dossiers obligatoires ouverts", s["cases_opened"]["mandatory"]),
               ("Dossiers volontaires ouverts", s["cases_opened"]["voluntary"])]),
        chart("chart-courses", "Stages effectués, dans le délai et hors délai (R19)",
              "stages effectués par mois de leur dernier jour",
              [("Dans le délai de 4 mois", c["in_time"]), ("Hors délai", c["late"]),
               ("Sans échéance (volontaire, 48N NPAI)", c["no_deadline"])]),
        chart("chart-obligations", "Obligations remplies (par mois d'envoi de la lettre 48N)",
              "obligations remplies, non remplies et en cours par mois d'envoi de la lettre 48N",
              [("Remplies", o["met"]), ("Non remplies", o["not_met"]),
               ("En cours", o["pending"])],
              [("Part remplie (%)", o["share_met_percent"])]),
        chart("chart-points", "Points crédités", "points crédités par mois de la décision",
              [("Points crédités", p["points"])],
              [("Stages crédités", p["courses_credited"]), ("Crédits refusés", p["refused"])]),
        chart("chart-refunds", "Remboursements décidés",
              "remboursements d'amende accordés et refusés par mois de la décision",
              [("Accordés", r["granted"]), ("Refusés", r["refused"])],
              [("Montant accordé (€)", r["amount_eur"])]),
        chart("chart-referrals", "Signalements au parquet (R21)",
              "dossiers candidats au signalement et décisions par mois",
              [("Candidats (échéance dépassée)", ref["candidates"]),
               ("Signalés", ref["referred"]), ("Non signalés", ref["not_referred"])]),
        chart("chart-delay", "Délai de crédit après réception de l'attestation (un mois, R39)",
              "crédits décidés dans le délai d'un mois et au-delà, par mois de la décision",
              [("Dans le mois", d["within_one_month"]),
               ("Au-delà d'un mois", d["beyond_one_month"])],
              [("Délai médian (jours)", d["median_days"]),
               ("90e centile (jours)", d["p90_days"])]),
        chart("chart-tasks", "Tâches ouvertes par ancienneté",
              f"tâches ouvertes le {tasks['as_of']} par ancienneté et par tâche",
              [(t["title"], t["counts"]) for t in tasks["tasks"]],
              [("Total", tasks["totals"])], rows=tasks["buckets"], row_head="Ancienneté"),
    ]


def _figures():
    """(args, statistics or None, errors) from the page's query: de, a, centre."""
    args = {k: request.args.get(k, "").strip()[:40] for k in ("de", "a", "centre")}
    try:
        return args, statistics.monthly(args["de"] or None, args["a"] or None,
                                        args["centre"] or None), {}
    except Invalid as err:
        fields = {"from": "de", "to": "a", "centre": "centre"}
        return args, None, {fields.get(k, k): v for k, v in err.errors.items()}


@pages.route("/statistiques")
@login_required("agent")
def statistics_page():
    args, stats, errors = _figures()
    versions = processes.recent_versions()
    body = render_template("ui/statistics.html", args=args, stats=stats, errors=errors,
                           charts=charts(stats) if stats else [],
                           centres=session_view.centres(), versions=versions)
    return body, 422 if errors else 200


def rows_for_export(stats: dict) -> tuple[list[str], list[list], list[str], list[list]]:
    """The monthly table (one row per month, one column per series) and the tasks-by-age one."""
    monthly = [c for c in charts(stats) if c["id"] != "chart-tasks"]
    head = ["Mois"] + [f"{c['title']} — {col['label']}" for c in monthly
                       for col in c["series"] + c["extra"]]
    rows = []
    for i, month in enumerate(stats["months"]):
        rows.append([month] + [col["data"][i] for c in monthly
                               for col in c["series"] + c["extra"]])
    tasks = stats["open_tasks_by_age"]
    task_head = ["Tâche"] + tasks["buckets"] + ["Total"]
    task_rows = [[t["title"], *t["counts"], t["total"]] for t in tasks["tasks"]]
    return head, rows, task_head, task_rows


def _export_name(stats: dict, ext: str) -> str:
    centre = f"-{stats['centre']}" if stats["centre"] else ""
    return f"statistiques-{stats['from']}-{stats['to']}{centre}.{ext}"


@pages.route("/statistiques/export.csv")
@login_required("agent")
def statistics_csv():
    args, stats, errors = _figures()
    if errors:
        raise Invalid("Filtres invalides : " + sentences(m for v in errors.values() for m in v))
    head, rows, task_head, task_rows = rows_for_export(stats)
    out = io.StringIO()
    out.write("\ufeff")  # UTF-8 with BOM: a spreadsheet opens it with its accents
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow([_fr_number(v) for v in head])
    w.writerows([[_fr_number(v) for v in row] for row in rows])
    w.writerow([])
    w.writerow([f"Tâches ouvertes le {stats['open_tasks_by_age']['as_of']}"])
    w.writerow([_fr_number(v) for v in task_head])
    w.writerows([[_fr_number(v) for v in row] for row in task_rows])
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{_export_name(stats, "csv")}"'})


def _fr_number(value):
    """A figure in French (« 12,5 »); a text that a spreadsheet would run as a formula (a task
    a designer named « =HYPERLINK(…) ») gets a leading apostrophe, as in every other export."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, str) and tabular.is_risky(value):
        return "'" + value
    return value


@pages.route("/statistiques/export.xlsx")
@login_required("agent")
def statistics_xlsx():
    import xlsxwriter

    args, stats, errors = _figures()
    if errors:
        raise Invalid("Filtres invalides : " + sentences(m for v in errors.values() for m in v))
    head, rows, task_head, task_rows = rows_for_export(stats)
    buf = io.BytesIO()
    # every text is a text: a task's name (a designer's) never becomes a formula or a link
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "text_wrap": True})
    quoted = book.add_format({"quote_prefix": True})
    for name, h, body in (("Chiffres mensuels", head, rows), ("Tâches par ancienneté",
                                                              task_head, task_rows)):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, h, bold)
        for i, row in enumerate(body, start=1):
            for j, v in enumerate(row):
                if isinstance(v, str) and tabular.is_risky(v):
                    sheet.write_string(i, j, v, quoted)
                else:
                    sheet.write(i, j, "" if v is None else v)
        sheet.freeze_panes(1, 1)
    book.close()
    return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet", headers={
                        "Content-Disposition":
                            f'attachment; filename="{_export_name(stats, "xlsx")}"'})


# ---- heatmap ------------------------------------------------------------------------------------

def element_names(xml: bytes) -> dict[str, str]:
    """Element id → name of a deployed version's BPMN (validated at deployment; parsed without
    DTD, entities or network all the same)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(xml, parser)
    return {el.get("id"): el.get("name") or el.get("id")
            for el in root.iter() if isinstance(el.tag, str) and el.get("id")}


@pages.route("/processus/<key>/versions/<int:number>/carte-de-chaleur")
@login_required("agent", "designer")
def heatmap_page(key: str, number: int):
    version = processes.get_version(key, number)
    heat = statistics.heatmap(version)
    names = element_names(version.xml)
    for step in heat["steps"]:
        step["name"] = names.get(step["element"], step["element"])
    top = max((s["waiting"] for s in heat["steps"]), default=0)
    return render_template("ui/heatmap.html", heat=heat, top=top,
                           xml_url=url_for("processes.get_version", key=key, number=number))
