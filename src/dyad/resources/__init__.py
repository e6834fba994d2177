"""Built once and shared by the stages: the CAMEO ontology, the gazetteer."""
