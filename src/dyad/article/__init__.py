"""Before the parse: reading inputs, HTML extraction, cleaning scraped text, the language check."""
