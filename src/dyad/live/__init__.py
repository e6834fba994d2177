"""Live news (`dyad watch`): sources, a polite fetcher, feeds and sitemaps, a WARC archive, the poll loop."""
