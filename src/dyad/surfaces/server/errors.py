"""The API's answer to a request that fails validation: FastAPI's 422, made sendable whatever the request
held (a body of undecodable bytes, a lone surrogate in its JSON), so a bad input never becomes a 500."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

__all__ = ["invalid_request", "sendable"]


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
