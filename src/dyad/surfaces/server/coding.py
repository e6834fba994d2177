"""Coding posted text off the server's event loop: `POST /api/code` and the paste box (`/code`) code in a
bounded pool of worker processes, with a size limit and a time limit.

One spaCy pipeline in the server process held its GIL while it coded: a 0.9 MB paste took 48 s and every
other request of the process slowed down, every other code request waited. Here each coder is a process
of its own, spawned (as `dyad ingest --jobs` spawns its coders: no fork of a process holding DuckDB and
threads) on the first code request, so the server starts as fast as before, and it loads the pipeline
once. A job runs in the coder's main thread under the article's time budget (`dyad.budget`: SIGALRM);
a coder that does not answer within the budget and a grace is killed and a fresh one started for the next
job. At most `coders` jobs run and `queue` more wait; past that a request gets 503 with Retry-After at
once, rather than requests piling up behind one long article.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import multiprocessing
import os
import queue as queues
import signal
import threading
from typing import Annotated, Any, ClassVar

import msgspec
from fastapi import Body, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, model_validator

from dyad.budget import ARTICLE_TIMEOUT, OverBudget, budget
from dyad.records import Result

CODERS = 1  # coding processes: one on a 2-core machine leaves the other core to the readers; `dyad serve --coders`
# Code requests that may wait for a busy coder (per server process); more get 503. Set by hand: a few
# people pasting at once wait a second or two each, while a queue of long texts would hold them for minutes
QUEUE = 4
# Characters a text may have. Coding costs about 30 µs of CPU a character (examples/ repeated, as
# `benchmarks/serve.py --code-bytes` posts them: 900,000 characters in 25.1 s on one core of this 2-core
# machine, December 8), so a text of this length codes within the article's time budget (ARTICLE_TIMEOUT,
# 60 s) with half a core; the 0.9 MB paste of issue 20 fits. Longer: 413, the limit named.
MAX_CHARS = 1_000_000
GRACE = 10.0  # seconds past the budget before a coder that has not answered is killed: set by hand, the
# budget interrupts between two Python steps of spaCy (a piece of LONG_TEXT_CHARS at most), well within it
START_SECONDS = 120.0  # a coder's start (Python, spaCy and dyad's knowledge: ~5 s) may take this long: a bound
# Seconds a 503 asks the client to wait: a news article codes in about a second, so a queue of them has
# moved on by then. Set by hand
RETRY_AFTER = 10
# The coders' CPU niceness. 0: a coder shares the cores with the readers as any thread does, and with one
# coder (CODERS) coding takes at most one core's share, however many texts are posted. A positive value
# also puts the coders in Linux's SCHED_IDLE class: the readers first, and a coder runs only on a core
# that is otherwise idle. Measured with `python benchmarks/serve.py --db bigstore.duckdb --cache-size 0
# --seconds 60 --code-bytes 900000` (20 closed-loop clients keep both cores busy; 2-core machine). At
# SCHED_IDLE (stop 28, `--workers 2`) the 900,000 characters never got the half core they need: their
# 60 s budget ran out (504) in every run, p99 of the mix meanwhile 274-292 ms. At nice 0 (December 8,
# six runs) they coded in 48.3-56.4 s, p99 meanwhile 224-284 ms (without coding: 205-212 ms).
NICE = 0
WARM_TEXT = "Police arrested four protesters in Paris on Monday, the French government said."
_results = msgspec.msgpack.Decoder(Result)


class CodingError(Exception):
    """A text that was not coded: `status` is the HTTP status to answer, `str(error)` says why."""

    status = 500
    headers: ClassVar[dict[str, str]] = {}


class TooLong(CodingError):
    status = 413


class Busy(CodingError):
    status = 503
    headers: ClassVar[dict[str, str]] = {"Retry-After": str(RETRY_AFTER)}


class TimedOut(CodingError):
    status = 504


class Invalid(CodingError):
    status = 422


class _Coder:
    """One coding process and the parent's end of its pipe."""

    def __init__(self, nice: int):
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=work, args=(child, nice), name="dyad-coder", daemon=True)
        self.process.start()
        child.close()
        try:
            ready = self.connection.poll(START_SECONDS) and self.connection.recv() == "ready"
        except (EOFError, OSError):  # it died loading the pipeline (its error is in the server's log)
            ready = False
        if not ready:
            self.stop()
            raise CodingError(f"the coding process did not start within {START_SECONDS:g} s")

    def code(self, job: tuple, seconds: float) -> tuple[str, Any]:
        """Send the job and wait `seconds` at most for the answer; ("dead", why) if none came."""
        try:
            self.connection.send(job)
            if self.connection.poll(seconds):
                return self.connection.recv()
        except (EOFError, OSError):
            return "dead", "the coding process ended while coding this text; it has been restarted"
        return "dead", None

    def stop(self) -> None:
        self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class CodingPool:
    """Up to `coders` coding processes, started when first needed, and up to `queue` waiting jobs.

        pool = CodingPool()
        result = await pool.code(text, date, title=...)  # a Result, or a CodingError
        pool.close()
    """

    def __init__(self, coders: int = CODERS, *, queue: int = QUEUE, timeout: float = ARTICLE_TIMEOUT,
                 max_chars: int = MAX_CHARS, grace: float = GRACE, nice: int = NICE):
        if coders < 1:
            raise ValueError("a coding pool needs at least one coder")
        self.coders, self.slots, self.timeout = coders, coders + queue, timeout
        self.max_chars, self.grace, self.nice = max_chars, grace, nice
        self._idle: queues.SimpleQueue[_Coder | None] = queues.SimpleQueue()
        for _ in range(coders):
            self._idle.put(None)  # a place for a coder, started by the first job that takes it
        self._started: set[_Coder] = set()
        self._lock = threading.Lock()
        self.in_flight = 0  # admitted jobs, coding or waiting
        # threads that wait on the coders (not anyio's, which read the store): one per admitted job
        self._threads = concurrent.futures.ThreadPoolExecutor(self.slots, thread_name_prefix="dyad-coding")

    async def code(self, text: str, date: dt.date | None = None, *, timeout: float | None = None,
                   **metadata) -> Result:
        """The Result of coding `text`, from a coding process; `timeout`: this job's budget in seconds."""
        if len(text) > self.max_chars:
            raise TooLong(f"the text has {len(text):,} characters, over the {self.max_chars:,} this server codes "
                          "at once; send a shorter text or split it")
        with self._lock:
            if self.in_flight >= self.slots:
                raise Busy(f"{self.in_flight} texts are being coded or waiting; try again in {RETRY_AFTER} s")
            self.in_flight += 1
        job = (text, date, {k: v for k, v in metadata.items() if v}, timeout or self.timeout)
        future = self._threads.submit(self._run, job)
        future.add_done_callback(self._release)  # when the job ends, not when its request does
        status, value = await asyncio.wrap_future(future)
        if status == "ok":
            return _results.decode(value)
        raise {"timeout": TimedOut, "invalid": Invalid}.get(status, CodingError)(value)

    def _release(self, _future) -> None:
        with self._lock:
            self.in_flight -= 1

    def _run(self, job: tuple) -> tuple[str, Any]:
        """In a thread of the pool: wait for a free coder (starting it if it is not yet), code, free it."""
        coder = self._idle.get()
        try:
            if coder is None:
                coder = _Coder(self.nice)
                self._started.add(coder)
            status, value = coder.code(job, job[-1] + self.grace)
            if status == "dead":
                self._retire(coder)
                coder = None  # the next job starts a fresh coder
                return ("timeout", f"coding took over {job[-1]:g} s and was stopped") if value is None else \
                    ("error", value)
            return status, value
        finally:
            self._idle.put(coder)

    def _retire(self, coder: _Coder) -> None:
        self._started.discard(coder)
        coder.stop()

    def close(self) -> None:
        """Stop the coding processes (a job under way ends with an error) and the waiting threads."""
        for coder in list(self._started):
            self._retire(coder)
        self._threads.shutdown(wait=False, cancel_futures=True)


def work(connection, nice: int) -> None:
    """A coding process: load the pipeline once, then code each job sent, in the main thread, where the
    time budget can interrupt it. Ends when the server closes its end of the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the server stops us
    if nice:
        os.nice(nice)
        if hasattr(os, "SCHED_IDLE"):  # Linux
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    from dyad.pipeline import code_text, load

    nlp = load()
    code_text(WARM_TEXT, nlp=nlp)  # the knowledge components load on their first text, outside any budget
    connection.send("ready")
    encode = msgspec.msgpack.Encoder().encode
    while True:
        try:
            text, date, metadata, seconds = connection.recv()
        except (EOFError, OSError):
            return
        try:
            with budget(seconds):
                reply = "ok", encode(code_text(text, date, nlp=nlp, **metadata))
        except OverBudget:
            reply = "timeout", f"coding took over {seconds:g} s (the time budget of one article) and was stopped"
        except ValueError as error:
            reply = "invalid", str(error)
        except Exception as error:  # a bug met on this text: the server says so, the coder codes the next one
            reply = "error", f"coding failed: {type(error).__name__}: {error}"
        try:
            connection.send(reply)
        except OSError:  # the server has gone
            return


class CodeRequest(BaseModel):
    text: str = Field(min_length=1, description=f"The article's raw text (scraped text is cleaned first), at most "
                      f"{MAX_CHARS:,} characters (longer: 413).")
    date: dt.date | None = Field(None, description="Publication date, to resolve relative dates.")
    title: str | None = None
    url: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _unicode_text(self) -> CodeRequest:
        """A lone surrogate ("\\ud800" in the JSON) is not text: a 422 naming the field, not a 500 later."""
        for name in ("text", "title", "url", "source"):
            value = getattr(self, name)
            if value is not None and not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as error:
                    raise ValueError(f"{name} holds a lone surrogate at character {error.start}, which is not "
                                     "Unicode text; send UTF-8 text") from None
        return self


CODE_EXAMPLES = {"an article": {"summary": "An article with its publication date", "value": {
    "text": "ATHENS - Greece accused Turkey of violating its airspace on Monday.\n\n"
            "Turkish officials rejected the accusation.", "date": "2024-05-14", "source": "Example Wire"}}}


def _error(detail: str) -> dict:
    return {"description": detail, "content": {"application/json": {"example": {"detail": detail}}}}


CODE_RESPONSES = {
    413: _error(f"the text has 1,200,000 characters, over the {MAX_CHARS:,} this server codes at once; "
                "send a shorter text or split it"),
    422: _error("cannot code this text: no text left after cleaning"),
    503: _error(f"5 texts are being coded or waiting; try again in {RETRY_AFTER} s"),
    504: _error(f"coding took over {ARTICLE_TIMEOUT:g} s (the time budget of one article) and was stopped"),
}


def add_routes(app: FastAPI, html, pool: CodingPool) -> None:
    """`POST /api/code` and the paste box (`GET` and `POST /code`), coding through `pool`."""
    from urllib.parse import parse_qs

    from dyad.surfaces.server import render

    @app.post("/api/code", tags=["code"], responses=CODE_RESPONSES,
              summary="Code posted text: the Result `dyad code --format results` gives")
    async def api_code(body: Annotated[CodeRequest, Body(openapi_examples=CODE_EXAMPLES)]):
        try:
            result = await pool.code(body.text, body.date, title=body.title, url=body.url, source=body.source)
        except CodingError as error:
            raise HTTPException(error.status, str(error), headers=error.headers) from None
        return Response(msgspec.json.encode(result), media_type="application/json")

    def page(text="", date="", view=None, error=None, status_code=200, headers=None) -> HTMLResponse:
        response = html("code.html", nav="code", text=text, date=date, view=view, error=error, selected=None,
                        segments=render.segments(view) if view else [], stored=False, status_code=status_code)
        response.headers.update(headers or {})
        return response

    @app.get("/code", response_class=HTMLResponse, include_in_schema=False)
    def code_form():
        return page()

    @app.post("/code", response_class=HTMLResponse, include_in_schema=False)
    async def code_submit(request: Request):
        form = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
        text, date = form.get("text", [""])[0], form.get("date", [""])[0].strip()
        try:
            if not text.strip():
                raise Invalid("paste an article's text first")
            result = await pool.code(text, _form_date(date))
        except CodingError as error:
            return page(text if len(text) <= pool.max_chars else "", date, error=str(error),
                        status_code=error.status, headers=error.headers)
        return page(text, date, view=render.result_view(result))


def _form_date(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"not a date (YYYY-MM-DD): {value[:40]}") from None
