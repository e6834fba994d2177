"""Every table the JSON API answers, also as a file: `format=csv` or `format=json` on a GET under /api/.

An answer is a table when it is a list of rows (objects), or an object with exactly one list of rows (a
page's `events`, a series' `points`): `format=csv` gives those rows as CSV (a header of their fields,
then a line per row; a list or object in a cell JSON-encoded, a null empty), `format=json` the answer
as it is; both as an attachment named after the path (/api/dyads/series: dyads-series.csv). Any other
`format`, or a `format` on an answer that is not one table, is a 422 that says so.

One middleware (`TableFiles`) does this for every route, so a route that answers a table, whatever
module adds it (charts.py's), is downloadable with no code of its own. A route whose answer is not a
table, or holds several, can still offer one with `table_response(rows, format, name)`.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import msgspec
from fastapi.responses import Response
from starlette.datastructures import QueryParams

__all__ = ["TABLE_FORMATS", "TableFiles", "table_csv", "table_response", "table_rows"]

TABLE_FORMATS = ("csv", "json")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


class NotATable(ValueError):
    pass


def table_rows(answer: Any) -> list[dict]:
    """The rows of an answer that is a table: a list of objects, or an object's one list of objects."""
    if isinstance(answer, dict):
        lists = [value for value in answer.values() if isinstance(value, list)]
        if len(lists) != 1:
            raise NotATable(f"this answer holds {len(lists)} lists, not one table")
        answer = lists[0]
    if not isinstance(answer, list) or not all(isinstance(row, dict) for row in answer):
        raise NotATable("this answer is not a table (a list of rows)")
    return answer


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return msgspec.json.encode(value).decode()  # numbers and booleans as JSON writes them; lists, objects


def table_csv(rows: list[dict]) -> bytes:
    """CSV of `rows`: a header of their fields (in first-seen order), then a line per row; none: empty."""
    if not rows:
        return b""
    fields = list(dict.fromkeys(name for row in rows for name in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows([_cell(row.get(name)) for name in fields] for row in rows)
    return out.getvalue().encode()


def _filename(name: str, file_format: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", name.removeprefix("/api/").strip("/")) or "table"
    return f"{stem}.{file_format}"


def table_response(rows: list[dict], file_format: str, name: str) -> Response:
    """`rows` as a CSV or JSON attachment named after `name` (an API path, or a word)."""
    body = table_csv(rows) if file_format == "csv" else msgspec.json.encode(rows)
    return Response(body, media_type=MEDIA_TYPES[file_format],
                    headers={"Content-Disposition": f'attachment; filename="{_filename(name, file_format)}"'})


def _refusal(detail: str) -> tuple[int, str, bytes]:
    return 422, "application/json", msgspec.json.encode({"detail": detail})


def _converted(body: bytes, file_format: str) -> tuple[int, str, bytes]:
    """(status, media type, body) of a JSON answer asked for as `file_format`."""
    if file_format not in TABLE_FORMATS:
        return _refusal(f"format: one of {', '.join(TABLE_FORMATS)} for this answer, not {file_format[:40]!r}")
    if file_format == "json":
        return 200, MEDIA_TYPES["json"], body
    try:
        return 200, MEDIA_TYPES["csv"], table_csv(table_rows(msgspec.json.decode(body)))
    except NotATable as error:
        return _refusal(f"format=csv: {error}")


class TableFiles:
    """Pure ASGI: a GET under /api/ with `format` whose answer is JSON (200) is answered as the file asked
    for; every other request and answer passes through untouched (a download route's own `format`
    answers a file, not JSON)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/api/"):
            return await self.app(scope, receive, send)
        file_format = QueryParams(scope["query_string"]).get("format")
        if file_format is None:
            return await self.app(scope, receive, send)
        start: dict | None = None
        passing = False
        body: list[bytes] = []

        async def as_file(message):
            nonlocal start, passing
            if message["type"] == "http.response.start":
                media_type = dict(message.get("headers", [])).get(b"content-type", b"")
                passing = message["status"] != 200 or not media_type.startswith(b"application/json")
                if passing:
                    return await send(message)
                start = message
                return None
            if passing or message["type"] != "http.response.body":
                return await send(message)
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return None
            status, media_type, content = _converted(b"".join(body), file_format)
            headers = [(k, v) for k, v in start["headers"] if k not in (b"content-type", b"content-length")]
            headers += [(b"content-type", media_type.encode()), (b"content-length", str(len(content)).encode())]
            if status == 200:
                disposition = f'attachment; filename="{_filename(scope["path"], file_format)}"'
                headers.append((b"content-disposition", disposition.encode()))
            await send({**start, "status": status, "headers": headers})
            return await send({"type": "http.response.body", "body": content})

        await self.app(scope, receive, as_file)
