"""`dyad serve`: a web explorer and an HTTP API over a dyad store (FastAPI on uvicorn).

`create_app(db)` is the ASGI application (`create_app(connection=..., last_batch=...)` over the open
connection of the process writing the store, as `dyad watch --serve`); `serve(db, host, port)` runs it;
`BackgroundServer(app)` runs it in a thread of the current process. The queries it asks are plain
functions, usable without the server: the common questions in `dyad.corpus.queries` (shared with
`dyad query`), the explorer's own in `dyad.surfaces.server.queries`.
"""

from dyad.surfaces.server.app import create_app, serve
from dyad.surfaces.server.background import BackgroundServer

__all__ = ["BackgroundServer", "create_app", "serve"]
