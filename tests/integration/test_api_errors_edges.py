"""Inputs at the edges (issue 12, items 6 and 7): JSON nested too deeply or with a number too
long to convert is a 400, the manual clock stays within the days the rules can compute (422
outside), and the body size limits hold for chunked transfers (413), on the API and the UI,
through the WSGI interface and through a real server."""

from __future__ import annotations

import http.client
import io
import json
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder, run_wsgi_app

from tests.api_errors_support import NUM, assert_problem, unchanged
from tests.ui_support import UiClient

MIB = 1024 * 1024
LICENCE = {"number": "120175200777", "probation": "classic", "obtained_on": "2025-09-01",
           "holder": {"last_name": "Martin", "first_name": "Léa", "birth_date": "2004-05-02"}}


# ---- item 6: bodies that crashed a parser -------------------------------------------------------

@pytest.mark.parametrize("depth", [33, 990, 50_000])
def test_json_nested_too_deeply_is_400(api, depth):
    raw = ("[" * depth + "]" * depth).encode()
    with unchanged():
        body = assert_problem(api.request("POST", "/api/v1/licences", as_="agent", raw=raw), 400)
    assert "imbriqué" in body["detail"]


@pytest.mark.parametrize("path", ["/ui/connexion", "/ui/recherche", "/"])
def test_json_nested_too_deeply_to_a_ui_page_is_400_not_500(api, path):
    resp = api.app.test_client().post(path, data="[" * 990 + "]" * 990,
                                      content_type="application/json")
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]


def test_the_nul_check_walks_a_deep_document_without_recursion():
    from web.nul import _strings

    deep: list = ["a\x00"]
    for _ in range(100_000):
        deep = [deep, {"k": "v"}]
    assert "a\x00" in set(_strings(deep))


def test_json_nested_in_an_object_too_deeply_is_400_also_in_strings_context(api):
    inner = '{"a": ' * 990 + '"[[[{{{"' + "}" * 990
    raw = json.dumps(LICENCE)[:-1] + ', "pad": ' + inner + "}"
    with unchanged():
        assert_problem(api.request("POST", "/api/v1/licences", as_="agent", raw=raw.encode()),
                       400)


def test_brackets_inside_strings_do_not_count_as_nesting(api):
    body = dict(LICENCE, holder=dict(LICENCE["holder"], last_name="[" * 40 + '\\"{' * 40))
    resp = api.request("POST", "/api/v1/licences", as_="agent", raw=json.dumps(body).encode())
    assert resp.status_code in (201, 422), resp.get_json()  # judged by the schema, not refused


def test_json_within_the_depth_limit_is_judged_by_the_schema(api):
    raw = json.dumps(dict(LICENCE, pad=[[[[[[1]]]]]])).encode()
    with unchanged():
        assert_problem(api.request("POST", "/api/v1/licences", as_="agent", raw=raw), 422, "pad")


@pytest.mark.parametrize("digits", [4301, 5000, 100_000])
def test_integer_of_thousands_of_digits_is_400(api, digits):
    api.set_today("02/03/2026")
    api.licence(NUM)
    raw = ('{"committed_on": "2026-02-01", "points": ' + "9" * digits + ', "offence_class": "C4", '
           '"label": "x", "decision_on": "2026-02-01"}').encode()
    with unchanged():
        body = assert_problem(api.request("POST", f"/api/v1/licences/{NUM}/infractions",
                                          as_="agent", raw=raw), 400)
    assert "chiffres" in body["detail"]


def test_integer_of_4000_digits_is_422_not_500(api):
    raw = json.dumps(dict(LICENCE, balance={"points": 10**3999, "on": "2025-09-01"})).encode()
    with unchanged():
        assert_problem(api.request("POST", "/api/v1/licences", as_="agent", raw=raw), 422,
                       "balance.points")


# ---- item 6: the clock's range ----------------------------------------------------------

@pytest.mark.parametrize("body", [{"today": "9999-12-31"}, {"today": "2100-01-01"},
                                  {"today": "1999-12-31"}, {"today": "0001-01-01"},
                                  {"now": "9999-12-31T23:00:00-01:00"},
                                  {"now": "2100-01-01T00:00:00+01:00"},
                                  {"now": "1999-12-31T22:59:59+00:00"}])
def test_clock_outside_2000_2099_is_422_and_the_clock_does_not_move(api, body):
    before = api.ok(api.get("/api/v1/clock"))
    with unchanged():
        problem = assert_problem(api.request("PUT", "/api/v1/clock", body), 422, *body)
    assert "2099" in problem["detail"] or "2099" in str(problem["errors"])
    assert api.ok(api.get("/api/v1/clock")) == before
    assert api.get("/api/v1/clock").status_code == 200


def test_a_clock_stored_outside_the_range_can_be_set_back_into_it(api):
    import datetime as dt

    from services.clock import PARIS
    from services.db import db, transaction
    from services.models import ClockSetting

    with transaction():  # as the API let it be set before the range existed
        db.session.get(ClockSetting, 1).now = dt.datetime(9999, 12, 30, tzinfo=PARIS)
    assert api.ok(api.request("PUT", "/api/v1/clock", {"today": "2026-03-02"}))["today"] \
        == "2026-03-02"
    assert_problem(api.request("PUT", "/api/v1/clock", {"today": "2026-03-01"}), 409)


def test_clock_at_the_range_ends_is_accepted_and_the_rules_compute(api):
    api.licence(NUM)
    api.ok(api.request("PUT", "/api/v1/clock", {"today": "2099-12-31"}))
    assert api.ok(api.get(f"/api/v1/licences/{NUM}"))["number"] == NUM
    assert api.ok(api.get("/api/v1/cases"))["total"] == 0
    ui = UiClient(api.app)
    ui.login("agent")
    assert ui.get("/ui/").status_code in (200, 302)
    dashboard = ui.get("/ui/tableau-de-bord")
    assert dashboard.status_code == 200, dashboard.get_data(as_text=True)[:300]


# ---- item 7: chunked bodies ----------------------------------------------------------

class Trickle(io.RawIOBase):
    """A body arriving bit by bit, as a server's dechunked input does; counts what was read."""

    def __init__(self, data: bytes, piece: int = 8192):
        self.data, self.pos, self.piece = data, 0, piece

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.piece, len(self.data) - self.pos)
        b[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        return n


def chunked(app, method, path, body: bytes, content_type: str, token: str | None = None):
    """Call the app through WSGI as a server does for `Transfer-Encoding: chunked`: no
    Content-Length, the stream terminated by the server (wsgi.input_terminated)."""
    headers = {"Transfer-Encoding": "chunked", "Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    environ = EnvironBuilder(path=path, method=method, headers=headers).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    stream = Trickle(body)
    environ.update({"wsgi.input": stream, "wsgi.input_terminated": True})
    app_iter, status, response_headers = run_wsgi_app(app, environ, buffered=True)
    try:
        data = b"".join(app_iter)
    finally:
        getattr(app_iter, "close", lambda: None)()
    from services.db import db
    db.session.remove()
    return int(status.split()[0]), dict(response_headers), data, stream.pos


def json_of(size: int) -> bytes:
    return json.dumps(dict(LICENCE, pad="x" * size)).encode()


@pytest.mark.parametrize("size", [int(1.1 * MIB), int(3.9 * MIB)])
def test_chunked_json_over_1_mib_is_413(api, size):
    with unchanged():
        status, headers, data, read = chunked(api.app, "POST", "/api/v1/licences",
                                              json_of(size), "application/json",
                                              api.tokens["agent"])
    assert status == 413, data[:300]
    assert headers["Content-Type"] == "application/problem+json"
    assert "taille" in json.loads(data)["detail"]
    assert read <= MIB + 1 + 8192  # stopped at the limit, never read the whole body


def test_chunked_json_under_1_mib_is_read_whole_and_judged(api):
    api.set_today("02/03/2026")  # after LICENCE's obtained_on: a licence is never in the future
    status, _, data, _ = chunked(api.app, "POST", "/api/v1/licences", json_of(MIB - 400),
                                 "application/json", api.tokens["agent"])
    assert status == 422, data[:300]
    assert "pad" in json.loads(data)["errors"]
    status, _, data, _ = chunked(api.app, "POST", "/api/v1/licences",
                                 json.dumps(LICENCE).encode(), "application/json",
                                 api.tokens["agent"])
    assert status == 201, data[:300]


def test_chunked_bpmn_of_50_mb_is_413_after_reading_at_most_5_mib(api):
    xml = b"<definitions>" + b" " * (50 * 1000 * 1000) + b"</definitions>"
    with unchanged():
        status, _, data, read = chunked(api.app, "POST",
                                        "/api/v1/processes/stage_obligatoire/versions", xml,
                                        "application/xml", api.tokens["designer"])
    assert status == 413, data[:300]
    assert read <= 5 * MIB + 1 + 8192


def test_chunked_bpmn_under_5_mib_is_read_whole(api):
    xml = b"<definitions>" + b" " * (2 * MIB) + b"</definitions>"
    status, _, data, read = chunked(api.app, "POST",
                                    "/api/v1/processes/stage_obligatoire/versions", xml,
                                    "application/xml", api.tokens["designer"])
    assert status == 422, data[:300]  # parsed whole: not a BPMN process, never a 413
    assert read == len(xml)


def test_chunked_ui_form_over_5_mib_is_413_page(api):
    form = b"username=agent&password=" + b"x" * (6 * MIB)
    status, headers, data, read = chunked(api.app, "POST", "/ui/connexion", form,
                                          "application/x-www-form-urlencoded")
    assert status == 413
    assert headers["Content-Type"].startswith("text/html")
    assert "trop volumineuse" in data.decode()
    assert read <= 5 * MIB + 1 + 8192


def test_chunked_json_through_a_real_server_is_413(api):
    """Werkzeug's server dechunks the body and sets wsgi.input_terminated, as gunicorn does."""
    server = make_server("127.0.0.1", 0, api.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        def pieces(data: bytes, size=65536):
            for i in range(0, len(data), size):
                yield data[i:i + size]

        def send(body: bytes):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
            conn.request("POST", "/api/v1/licences", body=pieces(body), encode_chunked=True,
                         headers={"Content-Type": "application/json",
                                  "Authorization": f"Bearer {api.tokens['agent']}",
                                  "Transfer-Encoding": "chunked"})
            resp = conn.getresponse()
            out = resp.status, resp.getheader("Content-Type"), resp.read()
            conn.close()
            return out

        status, ctype, data = send(json_of(int(3.9 * MIB)))
        assert status == 413, data[:300]
        assert ctype == "application/problem+json"
        status, _, data = send(json_of(1000))
        assert status == 422, data[:300]  # a small chunked body is read and judged
        assert "pad" in json.loads(data)["errors"]
    finally:
        server.shutdown()
        thread.join(5)
