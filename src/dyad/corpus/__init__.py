"""The corpus: the DuckDB store, ingest and recode, stories, queries, exports, Spark."""
