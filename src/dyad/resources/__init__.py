"""Built once and shared by the stages: the CAMEO ontology (`ontology.py`) and the gazetteer
(`gazetteer.py`, from the index `gazetteer_index.py` compiles and caches on disk)."""
