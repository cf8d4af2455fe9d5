"""Lists as spreadsheets: CSV and XLSX downloads of a table (French headers, French dates).

- CSV: UTF-8 with a byte-order mark (so that Excel reads the accents right), `;` as separator
  (what French Excel expects, where `,` is the decimal mark), CRLF line ends; streamed from a
  generator, a few hundred rows at a time, so a long list is never held in memory.
- XLSX: XlsxWriter in constant_memory mode (each row goes to a temporary file as it is written),
  into a temporary file that is then sent and removed. Dates are real date cells shown JJ/MM/AAAA.
- Formula injection: a text cell that starts with = + - @ (or their full-width forms ＝ ＋ － ＠,
  a tab or a carriage return) could run as a formula in a spreadsheet. In CSV it gets a
  leading apostrophe; in XLSX it is written as a
  text cell marked "quote prefix" (what Excel does when one types an apostrophe first), so the
  value is kept as it is and never evaluated. Numbers stay numbers (−3 points is a number).
- An export reads every row of the filtered list, not a page, up to MAX_ROWS (configurable as
  EXPORT_MAX_ROWS): past it, it is refused with a French message that asks for narrower filters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from flask import Response, current_app, send_file, stream_with_context

from services.clock import PARIS, clock
from services.errors import Invalid

MAX_ROWS = 100_000
FORMATS = ("csv", "xlsx")
# and their full-width forms, which some spreadsheets read as the ASCII ones
RISKY_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CSV_CHUNK = 500  # rows per piece of the streamed CSV
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    """A list to export: file name stem, sheet title, French headers, how many rows, and the
    rows themselves (an iterable read once, lazily: a query streamed from the database)."""

    name: str
    title: str
    headers: list[str]
    count: int
    rows: Callable[[], Iterable[list]]
    widths: list[int] | None = None


def max_rows() -> int:
    return int(current_app.config.get("EXPORT_MAX_ROWS", MAX_ROWS))


def check_size(count: int) -> None:
    limit = max_rows()
    if count > limit:
        raise Invalid(
            f"L'export est limité à {limit:,} ligne{'s' if limit > 1 else ''} et la liste "
            f"en compte {count:,} : "
            "affinez les filtres (dates, type, statut…) puis exportez de nouveau."
            .replace(",", "\u202f"), {"export": ["Trop de lignes à exporter."]})


def is_risky(text: str) -> bool:
    return text.startswith(RISKY_START)


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(PARIS) if value.tzinfo else value


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        return f"{value:.2f}".replace(".", ",")  # French decimal mark
    text = str(value)
    return "'" + text if is_risky(text) else text


def csv_chunks(table: Table) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([csv_cell(h) for h in table.headers])
    n = 0
    for row in table.rows():
        writer.writerow([csv_cell(v) for v in row])
        n += 1
        if n % CSV_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def filename(table: Table, fmt: str) -> str:
    return f"{table.name}-{clock().today().isoformat()}.{fmt}"


def csv_response(table: Table) -> Response:
    response = Response(stream_with_context(csv_chunks(table)),
                        mimetype="text/csv", content_type="text/csv; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename=filename(table, "csv"))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def write_xlsx(table: Table, out) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(out, {
        "constant_memory": True, "tmpdir": tempfile.gettempdir(),
        # every text is a text: never turned into a formula, a number or a link
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "remove_timezone": True})
    sheet = workbook.add_worksheet(table.title[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#E3E3FD"})
    date_fmt = workbook.add_format({"num_format": "dd/mm/yyyy"})
    datetime_fmt = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    quoted = workbook.add_format({"quote_prefix": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    widths = table.widths or [max(12, min(40, len(h) + 4)) for h in table.headers]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    for col, header in enumerate(table.headers):
        sheet.write_string(0, col, header, bold)
    sheet.freeze_panes(1, 0)
    row_n = 0
    for row_n, row in enumerate(table.rows(), start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_string(row_n, col, "oui" if value else "non")
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(row_n, col, _local(value).replace(tzinfo=None),
                                     datetime_fmt)
            elif isinstance(value, dt.date):
                sheet.write_datetime(row_n, col, value, date_fmt)
            elif isinstance(value, int):
                sheet.write_number(row_n, col, value)
            elif isinstance(value, (float, Decimal)):
                sheet.write_number(row_n, col, float(value), money)
            else:
                text = str(value)
                sheet.write_string(row_n, col, text, quoted if is_risky(text) else None)
    sheet.autofilter(0, 0, max(row_n, 1), len(table.headers) - 1)
    workbook.close()


def xlsx_response(table: Table) -> Response:
    out = tempfile.TemporaryFile()  # removed when closed: once sent
    try:
        write_xlsx(table, out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    response = send_file(out, mimetype=XLSX_MIME, as_attachment=True,
                         download_name=filename(table, "xlsx"), max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def response(table: Table, fmt: str) -> Response:
    """The download of `table` as `fmt` (csv or xlsx), refused when it has too many rows."""
    check_size(table.count)
    return xlsx_response(table) if fmt == "xlsx" else csv_response(table)
