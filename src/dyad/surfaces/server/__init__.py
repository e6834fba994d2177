"""`dyad serve`: a web explorer and an HTTP API over a dyad store (FastAPI on uvicorn).

`create_app(db)` is the ASGI application; `serve(db, host, port)` runs it. The queries it asks are
plain functions, usable without the server: the common questions in `dyad.corpus.queries` (shared
with `dyad query`), the explorer's own in `dyad.surfaces.server.queries`.
"""

from dyad.surfaces.server.app import create_app, serve

__all__ = ["create_app", "serve"]
