"""The `dyad_places` component: the places of a document, and each event's location.

The Doc's toponyms and demonyms (`recognise.py`) are resolved against the shared gazetteer
(`dyad.resources.gazetteer`) in the light of the whole article (`resolve.py`: its countries, regions,
dateline and geographic focus); each event then takes a location (`locate.py`). It runs after the
event coder so it can locate events; without one it still finds the places.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from dyad.components.places.locate import Locator
from dyad.components.places.recognise import find_mentions
from dyad.components.places.resolve import article_context, resolve
from dyad.extensions import record_error, sentence_index_of
from dyad.records import Place
from dyad.resources.gazetteer import Gazetteer, load_gazetteer, normalise


def geoparse(doc: Doc, gazetteer: Gazetteer | None = None) -> list[Place]:
    """The places of a parsed document: the dateline's first, then every mention in text order."""
    gazetteer = gazetteer or load_gazetteer()
    article = doc._.article
    dateline = article.dateline if article is not None else None
    mentions = find_mentions(doc, gazetteer)
    context = article_context(mentions, gazetteer, dateline)
    sentence_of = sentence_index_of(doc)
    places: list[Place] = []
    if dateline:
        head, _, rest = dateline.partition(",")
        place = resolve(head.strip().title() if head.isupper() else head.strip(), gazetteer, context=context,
                        within=rest.strip() or None)
        if place is not None:
            place.name, place.kind, place.method = dateline, "dateline", "dateline: " + place.method
            place.start = place.end = -1
            places.append(place)
    contained: Place | None = None  # the place just resolved inside the next mention ("Seattle, Washington")
    for m in mentions:
        if m.kind == "adjective":
            d = gazetteer.demonym(m.text)
            place = gazetteer.country_place(d, m.text, "demonym of the country", "adjective")
        else:
            place = resolve(m.text, gazetteer, context=context, within=m.within)
            if place is None:
                place = Place(name=m.text, method="not in the gazetteer")
            elif m.town and place.feature == "region":
                place = _the_town(gazetteer, m.text, place)
            elif contained is not None and place.feature == "city":
                place = _the_container(gazetteer, m.text, contained, place)
        place.start, place.end, place.sentence_index = m.start, m.end, sentence_of[m.token]
        places.append(place)
        contained = place if m.within else None
    return places


def _the_container(gazetteer: Gazetteer, name: str, inside: Place, resolved: Place) -> Place:
    """"Seattle, Washington": a name that holds the town before it is the region the town lies in (the
    state, not the capital city of that name), when the gazetteer knows such a region."""
    if not inside.admin1 or normalise(inside.admin1) != normalise(name):
        return resolved
    entry = gazetteer.namesake(name, inside.country_iso2, "region")
    return resolved if entry is None else gazetteer.place(entry, name, "region, holding the town named before it")


def _the_town(gazetteer: Gazetteer, name: str, region: Place) -> Place:
    """"the town of Gao": the biggest town of that name in the region's country, not the region."""
    entry = gazetteer.namesake(name, region.country_iso2, "city", primary=True)
    if entry is None:
        return region
    return gazetteer.place(entry, name, "city, as its words say ('the town of'); " + region.method)


class PlaceResolver:
    def __init__(self) -> None:
        self._gazetteer: Gazetteer | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        """The shared gazetteer, loaded when the first document arrives (not when the pipeline is built)."""
        if self._gazetteer is None:
            self._gazetteer = load_gazetteer()
        return self._gazetteer

    def __call__(self, doc: Doc) -> Doc:
        try:
            doc._.places = geoparse(doc, self.gazetteer)
            if doc._.events:
                locator = Locator(doc, doc._.places, self.gazetteer)
                for event in doc._.events:
                    event.location = locator.locate(event)
        except Exception as error:  # one bad document must not break the batch
            doc._.places = doc._.places or []
            record_error(doc, "places", error)
        return doc


# requires: the NER's entities, the tagger's proper nouns, the parser's sentences, and the events to locate
@Language.factory("dyad_places", requires=["doc.ents", "token.tag", "doc.sents", "doc._.events"],
                  assigns=["doc._.places"])
def make_place_resolver(nlp: Language, name: str) -> PlaceResolver:  # noqa: ARG001 (spaCy's factory signature)
    return PlaceResolver()
