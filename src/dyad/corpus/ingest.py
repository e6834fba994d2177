"""Ingest a corpus into the DuckDB store: resumable, idempotent, batched, optionally in parallel.

Articles whose id is already in the store are skipped, so re-running the same input adds nothing and
a run killed mid-way resumes where its last committed batch ended. With `jobs > 1` batches are coded
in worker processes (each loads the model once) and written by this process, in input order.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import functools
import itertools
import multiprocessing
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import msgspec
import numpy

from dyad.corpus import WAIT_SECONDS
from dyad.records import Article, Result

# Articles per transaction: large enough that DuckDB's per-commit cost is noise beside coding time,
# small enough that a kill loses little work (~13 s of coding at 5 articles/s). Compare
# `python benchmarks/ingest.py --articles 400 --batch-size N` for two values of N to re-measure.
BATCH_SIZE = 64
# Batches queued per worker process (`jobs > 1`): enough that no worker waits for the writer, few enough
# that memory stays flat (each holds its Results and parses). A setting, not tuned.
PENDING_PER_WORKER = 2
UNCODED_KEPT = 100  # skipped/failed inputs a summary names (the store keeps them all): a bound, set by hand


class IngestSummary(msgspec.Struct):
    read: int = 0
    already_stored: int = 0
    coded: int = 0
    skipped: int = 0
    failed: int = 0
    events: int = 0
    multi_article_stories: int = 0
    seconds: float = 0.0
    # (origin, status, reason) of the first skipped or failed inputs, for the caller to name them
    uncoded: list[tuple[str, str, str]] = msgspec.field(default_factory=list)

    @property
    def articles_per_second(self) -> float:
        done = self.coded + self.skipped + self.failed
        return done / self.seconds if self.seconds else 0.0

    def tally(self, results: list[Result], events: int, started: float) -> None:
        """Count a stored batch: its events, its articles by status, the time since `started`."""
        self.events += events
        for result in results:
            setattr(self, result.status, getattr(self, result.status) + 1)
            if result.status != "coded" and len(self.uncoded) < UNCODED_KEPT:
                article = result.article
                self.uncoded.append((article.origin or article.id, result.status, result.reason or ""))
        self.seconds = time.perf_counter() - started


def _new_items(items: Iterable[Article | Result], known: set[str], summary: IngestSummary) -> Iterator:
    for item in items:
        summary.read += 1
        article_id = item.id if isinstance(item, Article) else item.article.id
        if article_id in known:
            summary.already_stored += 1
            continue
        known.add(article_id)  # the same article twice in one input is coded once
        yield item


def code_batch(batch: list[Article | Result], timeout: float | None = None) -> tuple[list[Result], dict[str, bytes]]:
    """Results of a batch, and the serialised parse of each coded article (for `recode`)."""
    from dyad.pipeline import parse, result_from_doc

    results, parses = [], {}
    for item in parse(batch, timeout=timeout):
        if isinstance(item, Result):
            results.append(item)
        else:
            results.append(result_from_doc(item))
            parses[item._.article.id] = doc_to_bytes(item)
    return results, parses


# The token attributes dyad's components read; a DocBin of them is ~10 KB per 600 words (40 PolNeAR
# articles, `len(doc_to_bytes(doc))`).
PARSE_ATTRS = ["ORTH", "TAG", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "LEMMA", "POS", "MORPH", "SENT_START",
               "SPACY"]


def doc_to_bytes(doc) -> bytes:
    """The parse as spaCy's DocBin bytes (what `doc_from_bytes`, or any DocBin reader, reads back)."""
    docbin = _parse_bin()
    docbin.add(doc)
    return docbin.to_bytes()


@functools.cache
def _parse_bin_class():
    from spacy.tokens import DocBin

    class ParseBin(DocBin):
        """A DocBin whose `add` collects the strings of the stored attributes from their distinct ids,
        not token by token through nine string properties: the same Doc comes back (the strings of
        attributes it does not store, such as NORM, are not kept), in a third of the time (~1.4 ms -> 0.4
        ms a 1,000-token article, 1% of ingest: `python benchmarks/ingest.py`)."""

        def add(self, doc) -> None:
            if doc.spans or doc.cats or self.store_user_data:
                return super().add(doc)  # dyad sets none of them; DocBin keeps what they need
            array = doc.to_array(self.attrs)
            self.tokens.append(array)
            self.spaces.append(numpy.asarray(doc.to_array("SPACY"), dtype=bool).reshape((-1, 1)))
            self.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
            strings = doc.vocab.strings
            for column in _string_columns(tuple(self.attrs)):
                self.strings.update(strings[h] for h in numpy.unique(array[:, column]).tolist())
            self.cats.append(doc.cats)
            self.span_groups.append(doc.spans.to_bytes())
            return None

        def from_bytes(self, bytes_data: bytes):
            """DocBin's bytes read through one msgpack decoder, made once: srsly's `msgpack_loads` gathers
            its decoders from a registry, every installed package's entry points included, on each call,
            a quarter of reading a parse (0.26 of 0.95 s for 500 PolNeAR parses, cProfile). The message
            is DocBin's; one with parts dyad never writes (user data) is left to DocBin."""
            message = _unpack(zlib.decompress(bytes_data))
            if "user_data" in message:
                return super().from_bytes(bytes_data)
            self.attrs, self.strings, self.cats = message["attrs"], set(message["strings"]), message["cats"]
            lengths = numpy.frombuffer(message["lengths"], dtype="int32")
            ends = numpy.cumsum(lengths)[:-1]
            self.tokens = numpy.split(numpy.frombuffer(message["tokens"], dtype="uint64").reshape(
                -1, len(self.attrs)), ends)
            self.spaces = numpy.split(numpy.frombuffer(message["spaces"], dtype=bool).reshape(-1, 1), ends)
            self.span_groups = message.get("span_groups", [b""] * len(lengths))
            self.flags = message.get("flags", [{} for _ in lengths])
            self.user_data = [None] * len(lengths)
            return self

        def get_docs(self, vocab):
            """DocBin's Docs, its strings added to the vocabulary's strings, not each made a lexeme (a
            lemma, a tag or a morphology string is no word): recode reads parses ~1.5 x faster."""
            for string in self.strings:
                vocab.strings.add(string)
            self.strings = set()
            return super().get_docs(vocab)

    return ParseBin


_decoder_lock = threading.Lock()


@functools.cache
def _decoder():
    import srsly.msgpack

    return srsly.msgpack.Unpacker(raw=False, use_list=True)  # srsly's decoders, gathered here once


def _unpack(data: bytes) -> dict:
    with _decoder_lock:  # one decoder, fed one message at a time
        decoder = _decoder()
        decoder.feed(data)
        return next(decoder)


def _parse_bin():
    return _parse_bin_class()(attrs=PARSE_ATTRS, store_user_data=False)


@functools.cache
def _string_columns(attrs: tuple[int, ...]) -> list[int]:
    """The columns of a DocBin's attrs whose values are string ids (ORTH, TAG, LEMMA...), not numbers."""
    from spacy.attrs import DEP, ENT_KB_ID, ENT_TYPE, LEMMA, MORPH, NORM, ORTH, TAG

    return [i for i, attr in enumerate(attrs) if attr in (ORTH, TAG, DEP, ENT_TYPE, LEMMA, MORPH, NORM, ENT_KB_ID)]


def doc_from_bytes(data: bytes, vocab):
    """The Doc of a stored parse (any DocBin's bytes)."""
    return next(iter(_parse_bin_class()().from_bytes(data).get_docs(vocab)))


def _warm_worker() -> None:
    from dyad.pipeline import load

    load()


def _coded_batches(batches: Iterator[list], jobs: int,
                   timeout: float | None) -> Iterator[tuple[list[Result], dict[str, bytes]]]:
    """Each batch coded, in order. A worker enforces the article timeout itself (it codes in its main
    thread), so a slow article holds its batch up for at most about twice the timeout."""
    if jobs <= 1:
        for batch in batches:
            yield code_batch(batch, timeout)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process holding DuckDB and spaCy
    with futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_warm_worker) as pool:
        pending: list[futures.Future] = []
        for batch in batches:
            pending.append(pool.submit(code_batch, batch, timeout))
            if len(pending) >= PENDING_PER_WORKER * jobs:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def ingest(items: Iterable[Article | Result], db: str | Path, *, jobs: int = 1, batch_size: int = BATCH_SIZE,
           on_batch: Callable[[IngestSummary, int], None] | None = None, timeout: float | None = None,
           wait: float = WAIT_SECONDS) -> IngestSummary:
    """Code and store every new article of `items` (from `dyad.article.readers.read_inputs`) into `db`.
    `timeout`: seconds one article may take (`dyad.pipeline.parse`); `wait`: seconds to wait for a store
    another process is writing (`dyad.corpus.store.connect`)."""
    from dyad.corpus.store import Store  # here, not at the top: the CLI reads BATCH_SIZE without DuckDB

    summary = IngestSummary()
    started = time.perf_counter()
    store = Store(db, wait=wait)
    try:
        fresh = _new_items(items, store.known_ids(), summary)
        batches = iter(lambda: list(itertools.islice(fresh, batch_size)), [])
        for results, parses in _coded_batches(batches, jobs, timeout):
            summary.tally(results, store.add(results, parses), started)
            if on_batch is not None:
                on_batch(summary, len(results))
        summary.multi_article_stories = store.update_stories()
    finally:
        store.close()
    summary.seconds = time.perf_counter() - started
    return summary


_stored = msgspec.msgpack.Decoder(list[tuple[Article, bytes]])
_coded = msgspec.msgpack.Decoder(list[Result])


def recode(db: str | Path, dictionaries: tuple[str, ...] = (), *, batch_size: int = BATCH_SIZE,
           on_batch: Callable[[IngestSummary, int], None] | None = None, wait: float = WAIT_SECONDS) -> IngestSummary:
    """Re-run actor, quote, event, place and date coding over the stored parses, without parsing.

    Two processes: this one codes, and a store process (`_store_process`) owns the store, writes each
    coded batch while the next is coded and reads the batch after it meanwhile. A writer thread here
    gained little: DuckDB takes the GIL back at every step of a statement, and coding is Python that
    holds it (the 2,131 articles of `python benchmarks/ingest.py`: coding 14.5 s and writing 3.1 s
    alone, 18-19.5 s together with the thread). Batches cross the pipe as msgpack (msgspec), not pickles.

    Event ids depend only on the article, sentence, tokens and codes, so an event that did not change
    keeps its id."""
    from dyad.pipeline import BEFORE_PARSER, NO_DATE_WARNING, load, result_from_doc

    context = multiprocessing.get_context("spawn")  # no fork of a process holding spaCy
    connection, child = context.Pipe()
    writer = context.Process(target=_store_process, args=(child, str(db), batch_size, wait),
                             name="dyad-recode-store", daemon=True)
    writer.start()  # it opens the store and reads the first parses while the pipeline loads here
    child.close()
    summary = IngestSummary()
    try:
        nlp = load(dictionaries=tuple(dictionaries))
        stages = [proc for name, proc in nlp.pipeline if name.startswith("dyad_") and name not in BEFORE_PARSER]
        encode = msgspec.msgpack.Encoder().encode
        started = time.perf_counter()
        coded, sent, before = None, None, None  # this round's coded batch (bytes, Results), the last round's
        while True:
            # one round: send a coded batch (None at the start and the end), get the events written of the
            # batch sent the round before and the next parses (None: no more)
            with contextlib.suppress(OSError):  # the store process has stopped: its last word says why
                connection.send(coded)
            written, parses = _reply(connection)
            if before is not None:
                summary.read += len(before)
                summary.tally(before, written, started)
                if on_batch is not None:
                    on_batch(summary, len(before))
            before = sent
            if parses is None:
                if coded is None:
                    break
                coded, sent = None, None  # one more round, for the last batch's events written
                continue
            sent = []
            for article, data in _stored.decode(parses):
                # the stored warnings less the coding's, which coding the article again gives again
                article.warnings = [w for w in article.warnings if w != NO_DATE_WARNING]
                doc = doc_from_bytes(data, nlp.vocab)
                doc._.article = article
                for stage in stages:
                    doc = stage(doc)
                sent.append(result_from_doc(doc))
            coded = encode(sent)
        _reply(connection)  # the store process's last word: the store rebuilt and closed
    finally:
        connection.close()  # a store process still waiting for a batch ends its rewrite and closes the store
        writer.join()
    summary.seconds = time.perf_counter() - started
    return summary


def _reply(connection):
    """The store process's answer; its error (the store busy, of another version...) raised here."""
    try:
        reply = connection.recv()
    except EOFError:
        raise RuntimeError("the recode store process ended without answering (its error is above)") from None
    if isinstance(reply, BaseException):
        raise reply
    return reply


def _store_process(connection, db: str, batch_size: int, wait: float) -> None:
    """`recode`'s store process. Each round it takes a coded batch (or None), answers at once with the
    events written of the batch before and the next parses (read meanwhile), then writes the batch; the
    coder sends and waits in turn, so neither ever blocks the other's sending. The run is one
    `Store.rewriting` block: aggregates and indexes are rebuilt once at the end, also when the coder
    stops early (its end of the pipe closes). Last: None once the store is closed, or the error."""
    import signal

    from dyad.corpus.store import Store

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the coder, whose closed pipe stops us
    encode = msgspec.msgpack.Encoder().encode
    try:
        store = Store(db, wait=wait)
    except Exception as error:
        with contextlib.suppress(EOFError, OSError):
            connection.recv()
            connection.send(error)
        return
    ending: BaseException | None = None
    try:
        with store.rewriting():
            batches = store.stored_parses(batch_size)
            upcoming, written = next(batches, None), None
            while True:
                try:
                    coded = connection.recv()
                    connection.send((written, None if upcoming is None else encode(upcoming)))
                except (EOFError, OSError):  # the coder has gone (its error is its own)
                    return  # the rewriting block restores the store, then it is closed
                if coded is None and upcoming is None:
                    break
                written = store.add(_coded.decode(coded)) if coded is not None else None
                upcoming = next(batches, None)
    except Exception as error:
        ending = error
    finally:
        store.close()
    with contextlib.suppress(OSError):
        connection.send(ending)


def _parquet_source(folder: Path, table: str) -> str | None:
    """DuckDB's read_parquet over one table of a Parquet export (`dyad export --format parquet` writes
    `<table>.parquet` files, `dyad spark` folders of part files; events are partitioned by month)."""
    if table == "events":
        if not any((folder / "events").rglob("*.parquet")):
            return None
        glob = folder / "events" / "**" / "*.parquet"
        return f"read_parquet('{glob}', hive_partitioning = true, union_by_name = true)"
    path = folder / f"{table}.parquet"
    if path.is_dir():
        return f"read_parquet('{path / '*.parquet'}', union_by_name = true)" if any(path.glob("*.parquet")) else None
    return f"read_parquet('{path}')" if path.is_file() else None


def load_parquet(folder: str | Path, db: str | Path, wait: float = WAIT_SECONDS) -> IngestSummary:
    """Load a Parquet export (`dyad spark` output or `dyad export --format parquet`) into a store, in one
    transaction. An article already in the store is replaced with its rows from the export. Stories
    come from the export when the store held nothing else, else the whole store is regrouped.
    Parses load when the export has them (`dyad spark` writes `parses.parquet`), so `recode` covers
    the loaded articles; an export without them (`dyad export`, an older `dyad spark`) loads without,
    and `recode` skips those articles. An export made by an older dyad loads too: the columns it lacks
    stay NULL."""
    from dyad.corpus import aggregates
    from dyad.corpus.schema import TABLES, columns
    from dyad.corpus.store import Store

    folder = Path(folder)
    articles = _parquet_source(folder, "articles")
    if articles is None:
        raise ValueError(f"{folder}: no articles.parquet here; expected `dyad spark` or `dyad export` output")
    summary = IngestSummary()
    started = time.perf_counter()
    store = Store(db, wait=wait)
    con = store.connection
    try:
        had_others = con.execute("SELECT count(*) FROM articles WHERE id NOT IN (SELECT id FROM "
                                 f"{articles})").fetchall()[0][0] > 0
        with store.transaction():
            con.execute(f"CREATE TEMP TABLE loaded_ids AS SELECT DISTINCT id FROM {articles}")
            for table in (*TABLES, "stories", "parses"):
                key = "id" if table == "articles" else "article_id"
                con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT id FROM loaded_ids)")
            for table in (*TABLES, "stories", "parses"):
                source = _parquet_source(folder, table)
                if source is None or (table == "stories" and had_others):
                    continue
                present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
                names = ", ".join(c for c in columns(table) if c in present)
                verb = "INSERT OR REPLACE" if table in ("events", "articles", "stories", "parses") else "INSERT"
                con.execute(f"{verb} INTO {table} ({names}) SELECT {names} FROM {source}")
            con.execute("DROP TABLE loaded_ids")
            aggregates.refresh(con)
        for status, n in con.execute(f"SELECT status, count(*) FROM {articles} GROUP BY 1").fetchall():
            if status in ("coded", "skipped", "failed"):
                setattr(summary, status, n)
        summary.read = summary.coded + summary.skipped + summary.failed
        source = _parquet_source(folder, "events")
        summary.events = con.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0] if source else 0
        if had_others or _parquet_source(folder, "stories") is None:
            summary.multi_article_stories = store.update_stories()
        else:
            summary.multi_article_stories = store.multi_article_stories()
    finally:
        store.close()
    summary.seconds = time.perf_counter() - started
    return summary
