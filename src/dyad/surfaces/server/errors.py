"""Errors as the asker can read them: the API's in JSON, the explorer's pages' as a page of the explorer.

The API's answer to a request that fails validation is FastAPI's 422, made sendable whatever the request
held (a body of undecodable bytes, a lone surrogate in its JSON), so a bad input never becomes a 500. A
page (any path outside `/api/`, the schema and the static files) answers a 404, a 422 or a 500 with an
HTML page that says what went wrong and leads back, its status kept.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

__all__ = ["add_handlers", "invalid_request", "sendable"]

NOT_PAGES = ("/api/", "/openapi.json", "/static/", "/docs/assets/")  # JSON (or the server's plain) errors
# Where a page's error page leads back to: the list the missing thing belongs to
BACK = {"articles": ("/events", "the events"), "events": ("/events", "the events"), "rule": ("/events", "the events")}
TITLES = {404: "Not found", 422: "Not a valid request", 500: "Something went wrong"}
logger = logging.getLogger("dyad.serve")


def sendable(value: Any) -> Any:
    """`value` as JSON can carry it: bytes decoded (bad bytes as U+FFFD) and lone surrogates (text UTF-8
    cannot encode, as a JSON body's "\\ud800") replaced by U+FFFD."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {sendable(k): sendable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [sendable(v) for v in value]
    return value


async def invalid_request(_request: Request, error: RequestValidationError) -> Response:
    """FastAPI's 422 for a request that fails validation: the errors with the input that failed them."""
    detail = sendable(jsonable_encoder(sendable(error.errors())))  # its encoder decodes bytes as strict UTF-8
    return Response(msgspec.json.encode({"detail": detail}), status_code=422, media_type="application/json")


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


def _problem(error: dict) -> str:
    """One validation error as a reader says it: the parameter, what is wrong, what was given."""
    where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "the request"
    given = error.get("input")
    shown = f" (given: {str(given)[:80]!r})" if isinstance(given, str | int | float) else ""
    return f"{where}: {error.get('msg', 'not valid')}{shown}"


def add_handlers(app: FastAPI, html) -> None:
    """The error answers: JSON for the API (`invalid_request`, FastAPI's own), a page for the pages."""

    def page(request: Request, status: int, message: str, problems: list[str] | None = None) -> Response:
        back, label = BACK.get(request.url.path.strip("/").split("/")[0], ("/", "the explorer's home page"))
        title = TITLES.get(status) or HTTPStatus(status).phrase
        return html("error.html", status_code=status, nav="", title=title, status=status, message=message,
                    problems=problems or [], back=back, back_label=label)

    async def on_invalid(request: Request, error: RequestValidationError) -> Response:
        if not _is_page(request):
            return await invalid_request(request, error)
        problems = [_problem(e) for e in sendable(jsonable_encoder(sendable(error.errors())))]
        return page(request, 422, "This page cannot be shown for the values in its address:", problems)

    async def on_http(request: Request, error: HTTPException) -> Response:
        if not _is_page(request) or error.status_code < 400:
            return await http_exception_handler(request, error)
        detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
        message = f"{detail[:1].upper()}{detail[1:]}: {request.url.path}" if error.status_code == 404 else detail
        response = page(request, error.status_code, message)
        response.headers.update(error.headers or {})
        return response

    async def on_crash(request: Request, error: Exception) -> Response:
        """A bug (the exception still reaches the server's log): a page, or the API's JSON."""
        logger.error("%s %s failed: %s: %s", request.method, request.url.path, type(error).__name__, error)
        if not _is_page(request):
            return Response(msgspec.json.encode({"detail": "internal server error"}), status_code=500,
                            media_type="application/json")
        return page(request, 500, "The server failed to make this page; the error has been logged. Trying "
                    "again may help, or another page.")

    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)
