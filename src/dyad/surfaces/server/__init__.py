"""`dyad serve`: a web explorer and an HTTP API over a dyad store (FastAPI on uvicorn).

`create_app(db)` is the ASGI application; `serve(db, host, port)` runs it. The queries it asks are
plain functions in `dyad.surfaces.server.queries`, usable without the server.
"""

from dyad.surfaces.server.app import create_app, serve

__all__ = ["create_app", "serve"]
