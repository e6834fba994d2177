"""Coding posted text in worker processes (`dyad.surfaces.server.coding`): the same Result as coding in
process, a size limit, a time limit the coder survives, a bounded queue, and the server answering other
requests while a text is coded."""

from __future__ import annotations

import asyncio
import threading
import warnings

import httpx
import msgspec
import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient


from dyad.surfaces.server import BackgroundServer, create_app
from dyad.surfaces.server.coding import Busy, CodingPool, Invalid, TimedOut, TooLong

TEXT = ("ATHENS - Greece accused Turkey of violating its airspace on Monday.\n\n"
        "Turkish officials rejected the accusation, and Ankara threatened to respond.")
LONG = "\n\n".join([TEXT] * 200)  # ~30,000 characters: seconds of coding, not minutes


@pytest.fixture(scope="module")
def pool():
    pool = CodingPool(1)
    yield pool
    pool.close()


def test_the_pool_codes_as_the_process_does(pool, nlp):
    from dyad.pipeline import code_text

    result = asyncio.run(pool.code(TEXT, None, title="Airspace", source="Example Wire"))
    here = code_text(TEXT, nlp=nlp, title="Airspace", source="Example Wire")
    assert result.status == "coded" and result.events
    assert msgspec.to_builtins(result) == msgspec.to_builtins(here)
    with pytest.raises(Invalid, match="invalid date 'soon'"):
        asyncio.run(pool.code(TEXT, "soon"))


def test_past_the_time_limit_the_coder_stops_and_codes_the_next_text(pool):
    with pytest.raises(TimedOut, match=r"took over 0\.001 s"):
        asyncio.run(pool.code(LONG, timeout=0.001))
    assert asyncio.run(pool.code(TEXT)).status == "coded"


def test_a_coder_that_does_not_answer_in_time_is_replaced():
    pool = CodingPool(1, grace=0)  # no grace: the server gives up when the budget ends, before the coder says so
    try:
        with pytest.raises(TimedOut):
            asyncio.run(pool.code(LONG, timeout=0.001))
        assert asyncio.run(pool.code(TEXT)).status == "coded"
    finally:
        pool.close()


def test_over_the_size_limit_nothing_is_coded():
    pool = CodingPool(1, max_chars=100)
    with pytest.raises(TooLong, match="101 characters, over the 100"):
        asyncio.run(pool.code("x" * 101))
    assert pool.in_flight == 0
    pool.close()


def test_a_full_queue_answers_busy_at_once():
    pool = CodingPool(1, queue=0)

    async def two_at_once():
        first = asyncio.create_task(pool.code(TEXT))
        while pool.in_flight == 0:
            await asyncio.sleep(0.01)
        with pytest.raises(Busy, match="try again"):
            await pool.code(TEXT)
        return await first

    try:
        assert asyncio.run(two_at_once()).status == "coded"
        assert pool.in_flight == 0
    finally:
        pool.close()


def test_the_api_and_the_paste_box_answer_each_limit(explorer_store):
    with TestClient(create_app(explorer_store, coders=CodingPool(1, queue=0, max_chars=1_000))) as client:
        too_long = client.post("/api/code", json={"text": "x" * 1_001})
        assert too_long.status_code == 413 and "1,001 characters, over the 1,000" in too_long.json()["detail"]
        page = client.post("/code", data={"text": "x" * 1_001})
        assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
        assert "over the 1,000" in page.text
        assert client.post("/code", data={"text": TEXT, "date": "soon"}).status_code == 422
        pool: CodingPool = client.app.state.coding
        pool.in_flight = pool.slots  # as if every coder and place in the queue were taken
        busy = client.post("/api/code", json={"text": TEXT})
        assert busy.status_code == 503 and int(busy.headers["retry-after"]) > 0
        page = client.post("/code", data={"text": TEXT})
        assert page.status_code == 503 and "try again" in page.text and page.headers["retry-after"]
        pool.in_flight = 0
    with TestClient(create_app(explorer_store, coders=CodingPool(1, timeout=0.001))) as client:
        late = client.post("/api/code", json={"text": LONG})
        assert late.status_code == 504 and "took over 0.001 s" in late.json()["detail"]


def test_other_requests_are_answered_while_a_text_is_coded(explorer_store):
    app = create_app(explorer_store, coders=CodingPool(1))
    done: list[str] = []
    with BackgroundServer(app, port=0) as url:
        def code():
            response = httpx.post(f"{url}/api/code", json={"text": LONG}, timeout=120)
            done.append(f"code {response.status_code}")

        coding = threading.Thread(target=code)
        coding.start()
        while app.state.coding.in_flight == 0 and coding.is_alive():
            threading.Event().wait(0.01)
        for path in ("/api/events?per_page=5", "/", "/api/dyads"):  # the coder is starting, then coding
            response = httpx.get(url + path, timeout=30)
            done.append(f"{path} {response.status_code}")
        coding.join(120)
    assert done == ["/api/events?per_page=5 200", "/ 200", "/api/dyads 200", "code 200"]
