"""dyad's knowledge: ontology, actors, lexicon and boilerplate tables. Data only, read by the stages.

KNOWLEDGE_VERSION changes whenever a table changes meaning; every event records it.
"""

KNOWLEDGE_VERSION = "2026.12.1"
