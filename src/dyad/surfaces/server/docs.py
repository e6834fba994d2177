"""The API's docs at `/docs`: Swagger UI from the files an installed package ships (no CDN), on the
server's OpenAPI schema, every `/api/` operation with an example request.

FastAPI's own `/docs` loads Swagger UI from a CDN, so it is off (`docs_url=None`). The files come from
fastapi-offline, whose Swagger UI 5 reads OpenAPI 3.1, the version FastAPI writes (swagger-ui-bundle's
Swagger UI 4.15 reads 3.0 only); the page starts it with a script file of ours, as the
Content-Security-Policy allows no inline script, and Swagger UI sets its styles through the DOM (which
the policy allows), so the policy stays as strict here as on every other page.

The examples are filled into the schema when it is first asked for: an event, its article and its dyad
from the store itself, so that "Try it out" answers with data on any store, and fixed values besides.
"""

from __future__ import annotations

import importlib.resources
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from dyad.surfaces.server.reading import reading

ASSETS = "/docs/assets"
# Used when the store has no event with a target: the bundled examples' dyad
FALLBACK = {"event_id": "0123456789abcdef", "article_id": "example-talks-2", "source": "TUR", "target": "GRC"}


def _operation_examples(seen: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Per path, one request that makes sense (and answers with data, on `seen`'s store)."""
    dyad = {"source": seen["source"], "target": seen["target"]}
    return {
        "/api/events": {**dyad, "per_page": 20},
        "/api/events/{event_id}": {"event_id": seen["event_id"]},
        "/api/articles/{article_id}": {"article_id": seen["article_id"]},
        "/api/actors": {"q": seen["source"][:3]},
        "/api/quotes": {"article_id": seen["article_id"]},
        "/api/places": {"country": seen["source"][:3]},
        "/api/stories": {"per_page": 10},
        "/api/locations": {"actor": seen["source"]},
        "/api/dyads": {"limit": 10},
        "/api/dyads/series": {**dyad, "period": "month"},
        "/api/roots": {"period": "year"},
        "/api/partners": {"actor": seen["source"], "limit": 10},
        "/api/volume": {"period": "month"},
        "/api/sources": {"per_page": 10},
        "/api/download/events": {**dyad, "format": "csv", "sort": "-goldstein"},
    }


def _by_name(names: list[str], seen: dict[str, str]) -> dict[str, Any]:
    """An operation not listed above: its ids, else its dyad, else one of the usual parameters."""
    named = {"event_id": seen["event_id"], "article_id": seen["article_id"], "source": seen["source"],
             "target": seen["target"], "actor": seen["source"], "period": "month", "limit": 10, "per_page": 10}
    chosen = [n for n in ("event_id", "article_id") if n in names]
    if not chosen and {"source", "target"} <= set(names):
        chosen = ["source", "target"]
    chosen = chosen or [n for n in ("actor", "period", "limit", "per_page") if n in names][:1]
    return {n: named[n] for n in chosen}


def _seen(app: FastAPI) -> dict[str, str]:
    """An event of the store with a target: its id, article and dyad (FALLBACK on an empty store)."""
    with reading(app.state.connection) as cur:
        row = cur.execute("SELECT event_id, article_id, source_code, target_code FROM events "
                          "WHERE target_code IS NOT NULL AND source_code IS NOT NULL LIMIT 1").fetchone()
    return dict(zip(FALLBACK, row, strict=True)) if row else FALLBACK


def with_examples(schema: dict, seen: dict[str, str]) -> dict:
    """`schema` with an example on the parameters of each `/api/` operation, and on its 404 if it has one."""
    listed = _operation_examples(seen)
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            examples = listed.get(path) or _by_name([p["name"] for p in parameters], seen)
            for parameter in parameters:
                if parameter["name"] in examples:
                    parameter["example"] = examples[parameter["name"]]
            if "{" in path:
                thing = path.split("/")[2].rstrip("s")
                operation.setdefault("responses", {})["404"] = {
                    "description": f"No {thing} has this id",
                    "content": {"application/json": {"example": {"detail": f"no such {thing}"}}}}
    return schema


def add_routes(app: FastAPI, html) -> None:
    """`/docs`, Swagger UI's files under ASSETS, and the schema's examples."""
    files = importlib.resources.files("fastapi_offline") / "static"
    app.mount(ASSETS, StaticFiles(directory=str(files)), name="docs-assets")

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs_page():
        return html("docs.html", assets=ASSETS)

    generate, filled = app.openapi, []  # FastAPI's, which keeps the schema it made until the routes change

    def openapi() -> dict:
        schema = generate()
        if not filled or filled[-1] is not schema:
            filled[:] = [with_examples(schema, _seen(app))]
        return schema

    app.openapi = openapi
