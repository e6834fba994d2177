"""The places stage (`dyad_places`, in `component.py`): toponyms and demonyms found in the Doc
(`recognise.py`), resolved to entries of the shared gazetteer (`resolve.py`: priors, the article's
context and focus), and each event's location (`locate.py`)."""
