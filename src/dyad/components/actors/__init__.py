"""Actor coding: names, adjectives, titles and sector nouns -> CAMEO actor codes."""

from dyad.components.actors.component import ActorCoder
from dyad.components.actors.knowledge import ActorKnowledge, load_actor_knowledge

__all__ = ["ActorCoder", "ActorKnowledge", "load_actor_knowledge"]
