"""A centre's attendance sheet as a CSV file: read and checked line by line, before anything is
stored. Columns (a header row first, in any order): the licence number, day 1, day 2 (and the
trainee's name, which the downloadable template carries, left aside); values
présent / absent / retard (or the API's present / absent / late); `;` or `,` as separator; UTF-8
with or without a byte-order mark, UTF-16 with one, or else Windows-1252 (what French Excel's
« CSV (séparateur : point-virgule) » writes). Every problem is reported with its line and column, in
French; the records go to the same service as the attendance form and the API only when there is
none."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass

MAX_BYTES = 256 * 1024  # a session has 20 trainees at most: a few hundred bytes
MAX_LINES = 500

COLUMNS = {"licence": "Permis", "day1": "Jour 1", "day2": "Jour 2"}
HEADER_NAMES = {
    "licence": {"permis", "licence", "numero de permis", "n de permis", "no de permis",
                "n permis", "numero du permis", "numero permis"},
    "day1": {"jour 1", "jour1", "day1", "day 1", "j1"},
    "day2": {"jour 2", "jour2", "day2", "day 2", "j2"},
}
# read and left aside: the trainee's name, which the sheet's template carries for people
IGNORED = {"stagiaire", "nom", "nom du stagiaire", "titulaire", "nom et prenom"}
VALUES = {"present": "present", "presente": "present", "absent": "absent", "absente": "absent",
          "retard": "late", "en retard": "late", "late": "late"}


@dataclass(frozen=True)
class LineError:
    line: int | None  # the file's line number (the header is line 1); None: the whole file
    column: str  # "Permis", "Jour 1", "Jour 2", or "" for the whole line or file
    message: str


def _norm(text: str) -> str:
    """Lower case, no accents, no surrounding or doubled spaces: « Présent » is « present »."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("°", " ").replace(".", " ").replace("_", " ")
    return " ".join(text.split())


def _column_of(header: str) -> str | None:
    name = _norm(header)
    for key, names in HEADER_NAMES.items():
        if name in names:
            return key
    return None


def _decoded(raw: bytes) -> str | None:
    """The file's text: UTF-16 when it starts with its byte-order mark, UTF-8 (with or without
    one) when it reads as such, else Windows-1252, which French Excel writes for « CSV
    (séparateur : point-virgule) » and which a centre should not have to convert (a text in
    UTF-8 never reads as Windows-1252 by mistake the other way round: UTF-8 is tried first).
    None when it is none of them."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def parse(raw: bytes, enrolled: dict[str, str]) -> tuple[list[dict], list[LineError]]:
    """The records of the file, and its errors (the records count only when there is none).
    `enrolled`: the licence numbers enrolled in the session, each with its holder's name."""
    if len(raw) > MAX_BYTES:
        return [], [LineError(None, "", f"Le fichier dépasse {MAX_BYTES // 1024} Kio : une "
                                        "feuille de présence tient en quelques lignes.")]
    text = _decoded(raw)
    if text is None:
        return [], [LineError(None, "", "Le fichier n'est encodé ni en UTF-8 ni en "
                                        "Windows-1252 : enregistrez-le au format « CSV UTF-8 » "
                                        "puis envoyez-le de nouveau.")]
    if "\x00" in text:
        return [], [LineError(None, "", "Le fichier contient un caractère nul : ce n'est pas "
                                        "un fichier CSV.")]
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return [], [LineError(None, "", "Le fichier est vide.")]
    if len(lines) > MAX_LINES:
        return [], [LineError(None, "", f"Le fichier compte plus de {MAX_LINES} lignes.")]
    first = next(i for i, line in enumerate(lines) if line.strip())
    delimiter = ";" if lines[first].count(";") >= lines[first].count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    except csv.Error:  # a field past the csv module's size limit (an unclosed quote)
        return [], [LineError(None, "", "Le fichier n'est pas un CSV lisible : une cellule est "
                                        "trop longue ou un guillemet n'est pas refermé.")]
    header_line = first + 1
    header = rows[first]
    positions: dict[str, int] = {}
    errors: list[LineError] = []
    for i, name in enumerate(header):
        key = _column_of(name)
        if key is None:
            if _norm(name) in IGNORED:
                continue
            if name.strip():
                errors.append(LineError(header_line, name.strip()[:40],
                                        f"Colonne inconnue « {name.strip()[:40]} »."))
        elif key in positions:
            errors.append(LineError(header_line, COLUMNS[key],
                                    f"La colonne « {COLUMNS[key]} » figure deux fois."))
        else:
            positions[key] = i
    missing = [COLUMNS[k] for k in COLUMNS if k not in positions]
    if missing:
        errors.append(LineError(header_line, "", "Colonne(s) manquante(s) : "
                                + ", ".join(f"« {m} »" for m in missing)
                                + ". La première ligne doit nommer les colonnes : "
                                  "Permis ; Jour 1 ; Jour 2."))
    if errors:
        return [], errors

    records: list[dict] = []
    seen: dict[str, int] = {}
    width = len(header)
    for index in range(first + 1, len(rows)):
        cells, line = rows[index], index + 1
        if not any(c.strip() for c in cells):
            continue  # a blank line
        if len(cells) != width:
            errors.append(LineError(line, "", f"La ligne compte {len(cells)} colonne"
                                              f"{'s' if len(cells) > 1 else ''} au lieu de "
                                              f"{width}."))
            continue
        number = cells[positions["licence"]].strip().replace(" ", "").upper()
        record = {"licence": number, "line": line}  # `line`: for the caller, not the service
        if not number:
            errors.append(LineError(line, COLUMNS["licence"], "Numéro de permis manquant."))
        elif number not in enrolled:
            errors.append(LineError(line, COLUMNS["licence"],
                                    f"Le permis « {number[:40]} » n'est pas inscrit à cette "
                                    "session."))
        elif number in seen:
            errors.append(LineError(line, COLUMNS["licence"],
                                    f"Le permis {number} figure déjà ligne {seen[number]}."))
        else:
            seen[number] = line
        for day in ("day1", "day2"):
            raw_value = cells[positions[day]]
            value = VALUES.get(_norm(raw_value))
            if value is None:
                shown = raw_value.strip()[:40]
                errors.append(LineError(line, COLUMNS[day], (
                    f"Valeur « {shown} » non reconnue" if shown else "Valeur manquante")
                    + " : indiquez présent, absent ou retard."))
            record[day] = value
        records.append(record)
    if not records:
        return [], [*errors, LineError(None, "", "Le fichier ne contient aucune ligne de "
                                                 "présence après les noms des colonnes.")]
    absent = [n for n in enrolled if n not in seen]
    if absent:
        errors.append(LineError(None, "", "Il manque la présence de : " + ", ".join(
            f"{enrolled[n]} (permis {n})" for n in absent) + "."))
    return ([] if errors else records), errors
