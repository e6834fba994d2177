"""dyad's spaCy components, one module or folder each (registered on import by `dyad.pipeline`)."""
