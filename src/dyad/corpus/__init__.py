"""The corpus: the DuckDB store, ingest and recode, stories, queries, exports, Spark."""

# Seconds a writing command (ingest, recode, migrate) waits for a store another process is writing
# (`--wait`): long enough to ride out a short write (a `dyad migrate`, the end of an ingest), short enough
# that a store held by a long ingest fails soon with its holder named. A setting, not tuned. Defined here,
# not in store.py (which imports it), so the CLI's option needs no DuckDB import.
WAIT_SECONDS = 10.0
