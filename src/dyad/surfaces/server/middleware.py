"""The middleware every response passes through: a bound on request bodies and the defensive headers.

Pure ASGI (no FastAPI), so they wrap the whole application, static files and errors included.
"""

from __future__ import annotations

import msgspec

# Bytes a request body may have: room for a text of the coders' limit (coding.MAX_CHARS, 10^6 characters)
# posted to /api/code as JSON (1.03 bytes a character for English news: examples/ repeated to 0.9 MB) or
# from the paste box (form-encoded with CRLF line breaks, punctuation as %XX: 1.15), and for text in a
# non-Latin script (2 bytes a character in UTF-8: 2 MB as JSON; 6 form-encoded, so the paste box takes
# ~650,000 such characters). Set by hand from those ratios.
MAX_BODY = 4_000_000
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_encoder = msgspec.json.Encoder()


class BodyLimit:
    """413 for a request body over `max_bytes`, declared (Content-Length) or streamed (chunked)."""

    def __init__(self, app, max_bytes: int = MAX_BODY):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await self._reject(send)
        seen, started, rejected = 0, False, False

        async def limited_receive():
            # past the limit: answer 413 now and tell the app the client has gone
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes and not started:
                    rejected = True
                    await self._reject(send)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message):
            nonlocal started
            if rejected:
                return  # the 413 has been sent; whatever the app answers after it is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception:
            if not rejected:
                raise

    async def _reject(self, send):
        body = _encoder.encode({"detail": f"request body larger than {self.max_bytes} bytes"})
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """The same defensive headers on every response."""

    HEADERS = ((b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"))

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)
