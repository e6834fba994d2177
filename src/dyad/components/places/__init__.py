"""The places stage: toponyms and demonyms resolved to the gazetteer; event locations."""
