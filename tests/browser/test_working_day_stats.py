"""The statistics page and the heatmap in Chromium (issue 18, item 3), on the demo data
(`flask demo seed` on a manual clock): every chart drawn with its table under it, the tables
equal to GET /api/v1/statistics, a bad month refused in French, the CSV export, and the heatmap's
count at a step equal to the task list's; axe on desktop and at 390 px."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import axe_violations, fresh_app, login, serve, shot

DEMO_PASSWORD = "demo-demo-demo"
TODAY = dt.date(2026, 6, 15)
CHARTS = ("chart-letters", "chart-courses", "chart-obligations", "chart-points", "chart-refunds",
          "chart-referrals", "chart-delay", "chart-tasks")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a fresh SQLite database holding the demo data (this module's own server)."""
    from services import demo
    from services.clock import PARIS, clock
    from services.db import db, transaction

    app = fresh_app(tmp_path_factory, "stats")
    with app.app_context():
        with transaction():
            clock().set(dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=PARIS))
        demo.seed()
        db.session.remove()
    yield from serve(app)


def no_serious_violations(page, name: str) -> None:
    violations = axe_violations(page)
    shot(page, name)
    assert violations == [], violations


def api_series(body: dict) -> dict[str, list[list]]:
    """Each chart's columns as the API gives them, in the page's table order."""
    c, o, p, r, ref, d = (body["courses"], body["obligations"], body["points"], body["refunds"],
                          body["referrals"], body["credit_delay"])
    t = body["open_tasks_by_age"]
    return {
        "chart-letters": [body["letters_48n"], body["cases_opened"]["mandatory"],
                          body["cases_opened"]["voluntary"]],
        "chart-courses": [c["in_time"], c["late"], c["no_deadline"]],
        "chart-obligations": [o["met"], o["not_met"], o["pending"], o["share_met_percent"]],
        "chart-points": [p["points"], p["courses_credited"], p["refused"]],
        "chart-refunds": [r["granted"], r["refused"], r["amount_eur"]],
        "chart-referrals": [ref["candidates"], ref["referred"], ref["not_referred"]],
        "chart-delay": [d["within_one_month"], d["beyond_one_month"], d["median_days"],
                        d["p90_days"]],
        "chart-tasks": [row["counts"] for row in t["tasks"]] + [t["totals"]],
    }


def cell(value):
    """A figure as the tables show it: a number, or None for « — »."""
    return None if value is None else float(value)


def french_figure(text: str) -> float | None:
    """A table's figure as French writes it (« 12,5 », never « 12.5 »), « — » for none."""
    text = text.strip()
    assert "." not in text, f"« {text} » : la virgule est le séparateur décimal"
    return None if text == "—" else float(text.replace(",", "."))


def table_columns(page, chart: str) -> list[list]:
    rows = page.locator(f"#{chart}-table tbody tr")
    cells = [[french_figure(td.inner_text()) for td in rows.nth(i).locator("td").all()]
             for i in range(rows.count())]
    return [list(col) for col in zip(*cells, strict=True)]


def test_statistics_match_the_api_and_fill_every_chart(page, server):
    login(page, "agent", DEMO_PASSWORD)
    page.get_by_role("link", name="Statistiques", exact=True).first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/ui/statistiques")
    body = page.request.get("/api/v1/statistics").json()
    assert body["to"] == "2026-06" and body["from"] == "2025-07"
    expected = api_series(body)
    for chart in CHARTS:
        canvas = page.locator(f"canvas#{chart}")
        assert canvas.get_attribute("role") == "img"
        # the chart is drawn (Chart.js) and its table is right under it
        assert page.evaluate(f"() => !!Chart.getChart(document.getElementById('{chart}'))")
        assert page.evaluate(
            f"() => document.getElementById('{chart}').closest('.ui-chart').nextElementSibling"
            f".querySelector('table').id") == f"{chart}-table"
        columns = table_columns(page, chart)
        assert columns == [[cell(v) for v in series] for series in expected[chart]], chart
        # the demo data fills every chart: some figure is not zero
        assert any(v not in (0, None) for series in expected[chart] for v in series), chart
    no_serious_violations(page, "statistiques")

    # one month of the demo data: the month its held session ended
    month = body["months"][next(i for i, v in enumerate(body["courses"]["in_time"]) if v)]
    page.get_by_label("Du mois").fill(month)
    page.get_by_label("Au mois").fill(month)
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state()
    one = page.request.get(f"/api/v1/statistics?from={month}&to={month}").json()
    assert one["months"] == [month]
    for chart, series in api_series(one).items():
        assert table_columns(page, chart) == [[cell(v) for v in s] for s in series], chart
    assert int(page.locator("#chart-courses-table tbody td").first.inner_text()) >= 1
    # the same month for one centre
    page.get_by_label("Centre", exact=True).select_option("R2407500010")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state()
    ours = page.request.get(f"/api/v1/statistics?from={month}&to={month}&centre=R2407500010"
                            ).json()
    assert table_columns(page, "chart-courses") == [[cell(v) for v in s] for s in
                                                    api_series(ours)["chart-courses"]]
    # the export of what is shown
    csv = page.request.get(page.locator("#export-csv").get_attribute("href"))
    assert csv.status == 200 and csv.body().startswith("\ufeffMois;".encode())
    assert f"\r\n{month};".encode() in csv.body()


def test_a_bad_month_is_refused_in_french(page, server):
    login(page, "agent", DEMO_PASSWORD)
    page.goto("/ui/statistiques?de=2026-13&a=2026-06")
    alert = page.locator("[data-error-summary]")
    assert "Mois invalide" in alert.inner_text()
    assert page.locator("#de").get_attribute("aria-invalid") == "true"
    assert page.locator("canvas").count() == 0
    no_serious_violations(page, "statistiques-erreur")


def test_statistics_at_phone_width(open_page, server):
    page = open_page(PHONE)
    login(page, "agent", DEMO_PASSWORD)
    page.goto("/ui/statistiques")
    no_serious_violations(page, "statistiques-390")
    page.goto("/ui/processus/stage_obligatoire/versions/1/carte-de-chaleur")
    page.wait_for_selector("#bpmn[data-ready=true]")
    no_serious_violations(page, "carte-de-chaleur-390")
    # readable, as the case page's diagram: not the whole process shrunk to the phone's width,
    # but the step that holds the most cases, and the tools to move and zoom
    zoom = "() => UI.viewers.bpmn.get('canvas').zoom()"
    assert page.evaluate(zoom) >= 0.6
    rows = page.locator("#heat-table tbody tr[data-element]")
    counts = {rows.nth(i).get_attribute("data-element"):
              int(rows.nth(i).locator(".ui-heat-waiting").inner_text())
              for i in range(rows.count())}
    busiest = max(counts, key=counts.get)
    shown = page.locator(f"#bpmn .djs-shape[data-element-id='{busiest}']").bounding_box()
    frame = page.locator("#bpmn").bounding_box()
    assert frame["x"] <= shown["x"] and shown["x"] + shown["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= shown["y"] and shown["y"] + shown["height"] <= frame["y"] + frame["height"]
    assert page.locator("#bpmn svg").first.get_attribute("aria-describedby") == "heat-table"
    before = page.evaluate(zoom)
    page.get_by_role("button", name="Zoomer sur le diagramme").click()
    assert page.evaluate(zoom) > before
    page.get_by_role("button", name="Ajuster le diagramme entier au cadre").click()
    assert page.evaluate(zoom) < 0.6  # the whole process, on request
    page.get_by_role("button", name="Centrer le diagramme sur l'étape la plus chargée").click()
    assert page.evaluate(zoom) >= 0.6


def test_heatmap_count_at_a_step_matches_the_task_list(page, server):
    login(page, "agent", DEMO_PASSWORD)
    page.goto("/ui/statistiques")
    page.get_by_role("link", name="Processus stage_obligatoire, version 1").click()
    page.wait_for_selector("#bpmn[data-ready=true]")
    row = page.locator("#heat-table tbody tr[data-element=verification_attestation]")
    waiting = int(row.locator(".ui-heat-waiting").inner_text())
    assert waiting >= 1
    overlay = page.locator(".ui-heat-overlay[data-element=verification_attestation]")
    assert overlay.inner_text().startswith(f"{waiting} en attente")
    assert "méd." in overlay.inner_text()
    heat = page.request.get("/api/v1/processes/stage_obligatoire/versions/1/heatmap").json()
    assert {s["element"]: s["waiting"] for s in heat["steps"]}["verification_attestation"] \
        == waiting
    no_serious_violations(page, "carte-de-chaleur")

    page.goto("/ui/taches?tache=verification_attestation")
    status = page.locator("p[role=status]").first.inner_text()
    assert int(re.match(r"(\d+) tâche", status).group(1)) == waiting


def test_who_sees_the_statistics(open_page, server):
    centre = open_page()
    login(centre, "centre75", DEMO_PASSWORD)
    assert centre.get_by_role("link", name="Statistiques").count() == 0
    assert centre.goto("/ui/statistiques").status == 403
    designer = open_page()
    login(designer, "designer", DEMO_PASSWORD)
    assert designer.goto("/ui/statistiques").status == 403
    designer.goto("/ui/processus/stage_obligatoire/versions/1")
    designer.locator("#heatmap-link").click()
    designer.wait_for_selector("#bpmn[data-ready=true]")
    assert designer.locator("#heat-table").count() == 1
