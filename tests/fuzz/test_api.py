"""Fuzzing `dyad serve` (issue 19): any query string, path or body sent to the API and the pages is answered
below 500, and an API error is JSON with a `detail`. Over a small store of invented articles."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from .strategies import hostile_bytes, hostile_text, json_values, records, seed_files

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.fuzz

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "server" / "articles.jsonl"
LISTS = ("/api/events", "/api/actors", "/api/quotes", "/api/places", "/api/stories", "/api/locations", "/api/dyads",
         "/api/dyads/series", "/api/roots", "/api/partners", "/api/volume", "/", "/events", "/rule", "/timeline",
         "/map", "/code", "/actors", "/quotes", "/places", "/stories", "/api/nothing")
SEEDS = tuple(s.decode()[:400] for s in seed_files("scraped", "*.txt"))  # short: each is parsed
ITEMS = ("/api/events/", "/api/articles/", "/events/", "/articles/")
PARAMS = ("actor", "source", "target", "code", "root", "quad_class", "since", "until", "country", "q", "article_id",
          "rule", "page", "per_page", "limit", "period", "both_ways", "normalize", "speaker", "name", "event")
VALUES = st.sampled_from(["", "1", "0", "-1", "4", "100000", "1e3", "TUR", "GRC", "MLI", "04", "2024-01-16",
                          "2024-02-30", "month", "year", "true", "no", "srv-talks-1", "dyad:events/verbs.tsv:1",
                          "dyad:../../etc/passwd:1", "%", "_", "' OR 1=1 --"])


def _quoted(value: str | bytes) -> str:
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return quote_from_bytes(raw, safe="")


QUERY = st.lists(st.tuples(st.sampled_from(PARAMS) | hostile_text(),
                           VALUES | hostile_text() | hostile_bytes()), max_size=6).map(
    lambda pairs: "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in pairs))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from dyad.article.readers import read_inputs
    from dyad.corpus.ingest import ingest
    from dyad.surfaces.server import create_app

    store = tmp_path_factory.mktemp("fuzz-api") / "store.duckdb"
    ingest(read_inputs([str(ARTICLES)]), store)
    with TestClient(create_app(store, cache_size=0, max_body=20_000), raise_server_exceptions=False) as c:
        assert c.post("/api/code", json={"text": "Police arrested four men in Nairobi."}).status_code == 200  # warm up
        yield c


def answered(response, api: bool) -> None:
    """Below 500; an API error says what in JSON; an API answer is JSON."""
    assert response.status_code < 500, (response.status_code, response.text[:300])
    event(f"HTTP {response.status_code}")
    if api and response.status_code >= 400:
        assert response.json()["detail"], response.text[:300]
    elif api and response.status_code == 200:
        response.json()


@given(path=st.sampled_from(LISTS), query=QUERY | hostile_text().map(_quoted) | st.sampled_from(["%", "%zz&&=", "=&"]))
def test_query_parameters(client, path, query):
    answered(client.get(f"{path}?{query}"), path.startswith("/api/"))


STORED = tuple(json.loads(line)["id"] for line in ARTICLES.read_text().splitlines())  # ids the store holds


@given(path=st.sampled_from(ITEMS), item=st.sampled_from(STORED) | (hostile_text() | hostile_bytes()).filter(len),
       query=QUERY)
def test_paths(client, path, item, query):
    answered(client.get(f"{path}{_quoted(item)}?{query}", follow_redirects=False), path.startswith("/api/"))


CODE = {"text": hostile_text(), "date": st.sampled_from(["2024-05-14", "2024-05-14T10:00:00", "", "14/05/2024"])
        | hostile_text(), "title": hostile_text(), "url": hostile_text(), "source": hostile_text()}
TYPES = st.sampled_from(["application/json", "application/json; charset=latin-1", "text/plain", None,
                         "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])


VALID = st.fixed_dictionaries({"text": hostile_text(SEEDS).filter(str.strip)}, optional={  # reaches the coder
    "date": st.dates().map(str), "title": hostile_text(), "url": st.just("https://news.test/a")})


@given(case=st.tuples(VALID.map(lambda r: json.dumps(r).encode()), st.just("application/json"))
       | st.tuples(records(CODE).map(lambda r: json.dumps(r).encode())
                   | json_values().map(lambda v: json.dumps(v).encode()) | hostile_bytes(), TYPES))
def test_code_bodies(client, case):
    body, content_type = case
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/api/code", content=body, headers=headers)
    answered(response, api=True)
    if response.status_code == 200:
        assert response.json()["status"] in ("coded", "skipped", "failed")


FORM = st.fixed_dictionaries({"text": hostile_text(SEEDS)}, optional={"date": st.dates().map(str) | hostile_text()}) \
    | st.dictionaries(st.sampled_from(["text", "date"]) | hostile_text(), hostile_text(), max_size=3)


@given(body=FORM.map(lambda form: "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in form.items()).encode())
       | hostile_bytes())
def test_code_form(client, body):
    response = client.post("/code", content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    answered(response, api=False)
    assert response.status_code in (200, 413, 422), response.status_code
