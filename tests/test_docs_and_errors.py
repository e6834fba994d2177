"""The API docs at /docs (Swagger UI from an installed package's files, an example for every API operation)
and the explorer's error pages (HTML for pages, JSON for the API), through FastAPI's TestClient."""

from __future__ import annotations

import re
import warnings

import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient


from dyad.surfaces.server import create_app


@pytest.fixture(scope="module")
def app(explorer_store):
    app = create_app(explorer_store)

    @app.get("/crash", include_in_schema=False)
    def crash():  # a page with a bug
        raise RuntimeError("a bug")

    @app.get("/api/crash", include_in_schema=False)
    def api_crash():
        raise RuntimeError("a bug")

    return app


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_the_docs_page_loads_only_the_servers_own_files(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and "/static/docs.js" in assets
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        assert client.get(asset).status_code == 200, asset
    assert "<script>" not in page.text  # the CSP allows no inline script: Swagger UI starts from a file


def api_operations(schema: dict):
    for path, operations in schema["paths"].items():
        if path.startswith("/api/"):
            yield from ((path, method, operation) for method, operation in operations.items())


def test_every_api_operation_has_an_example_that_answers(client):
    schema = client.get("/openapi.json").json()
    operations = list(api_operations(schema))
    assert len(operations) >= 14
    for path, method, operation in operations:
        examples = {p["name"]: p["example"] for p in operation.get("parameters", []) if "example" in p}
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        assert examples or body.get("examples"), f"{method} {path} has no example"
        if method == "post":
            value = next(iter(body["examples"].values()))["value"]
            assert client.post(path, json=value).status_code == 200, path
            continue
        url = path.format(**examples)
        query = {k: v for k, v in examples.items() if "{" + k + "}" not in path}
        response = client.get(url, params=query)
        assert response.status_code == 200, (url, query, response.text[:200])
        if response.headers["content-type"].startswith("application/json"):
            assert response.json(), (url, query)  # the example finds something in the store
        else:  # a file (/api/download/events): a header and rows
            assert response.content.count(b"\n") > 1, (url, query)
    article = schema["paths"]["/api/articles/{article_id}"]["get"]
    assert article["responses"]["404"]["content"]["application/json"]["example"] == {"detail": "no such article"}
    assert set(schema["paths"]["/api/code"]["post"]["responses"]) >= {"200", "413", "422", "503", "504"}


@pytest.mark.parametrize(("url", "status", "says", "back"), [
    ("/articles/nope", 404, "No such article: /articles/nope", "/events"),
    ("/events/nope", 404, "No such event: /events/nope", "/events"),
    ("/nowhere", 404, "/nowhere", "/"),
    ("/events?since=yesterday&per_page=0", 422, "since: Input should be a valid date", "/events"),
    ("/crash", 500, "The server failed to make this page", "/"),
])
def test_a_page_that_fails_is_a_page(client, url, status, says, back):
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert says in response.text.replace("&#39;", "'")
    assert f'<a href="{back}" id="error-back">' in response.text
    assert '<link rel="stylesheet" href="/static/app.css">' in response.text  # the explorer's own page
    if status == 422:
        assert "per_page: Input should be greater than or equal to 1" in response.text


def test_the_api_keeps_json_errors(client):
    for url, status in (("/api/articles/nope", 404), ("/api/events?since=yesterday", 422), ("/api/crash", 500),
                        ("/api/nowhere", 404)):
        response = client.get(url)
        assert response.status_code == status, url
        assert response.headers["content-type"] == "application/json" and response.json()["detail"], url
