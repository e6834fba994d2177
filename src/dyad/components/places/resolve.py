"""Choosing the gazetteer entry a place name means: priors, the article's context, its focus.

Each candidate entry of a name is scored by population and feature type (country > region > city, a
capital gets a bonus), the article's country and region context (countries named, demonyms, the
dateline, unambiguous places), its geographic focus (the region holding most of its places' names:
"Paris" beside "Urbana" and "Edgar County" is Paris, Illinois; see `focus_of`), containment
("Aleppo, Syria") and the dateline.

The weights below were set by hand (the project's history records no fit or sweep of them). Any
change is re-measured on both with `dyad evaluate --task places --format gwn ../shared/gold/places/GWN.xml` and
`dyad evaluate --task places --format lgl ../shared/gold/places/lgl.xml` (README: F1 0.775 / 0.717,
within 161 km 0.932 / 0.822).
"""

from __future__ import annotations

import math
from collections import Counter

from dyad.components.places.recognise import Mention
from dyad.records import Place
from dyad.resources.gazetteer import (
    CAPITAL,
    CONTINENT,
    COUNTRY,
    FEATURES,
    REGION,
    Columns,
    Gazetteer,
    load_gazetteer,
    normalise,
)

# -- priors: how likely a name means an entry, knowing nothing of the article (a town scores
# log10(population + 10), so a country outranks any town and a region one of ~400,000 people);
# set by hand, re-measure with the two commands of the module docstring
_PRIOR_CONTINENT = 9.5
_PRIOR_COUNTRY = 11.0
_PRIOR_REGION = 5.6
_PRIOR_CAPITAL_BONUS = 1.5
_PRIOR_ALTERNATE_PENALTY = 0.5  # the name is only an alternate name of the entry
# -- the article's context (set by hand, re-measure as above)
_CONTEXT_COUNTRY_BONUS = 1.5  # an entry in a country the article names ...
_CONTEXT_SHARE_BONUS = 3.0  # ... plus this times that country's share of the article's country weight
_OTHER_COUNTRY_PENALTY = 2.5  # a country the article does not name, when it names others ("Georgia", US)
_CONTEXT_REGION_BONUS = 2.5  # a town or county in a region the article names
_SHADOWED_PENALTY = 3.0  # a town that shares a country's name ("China", Texas) needs "China, Texas"
_CONTAINER_REGION_BONUS = 10.0  # inside the region a containing name gives ("Springfield, Ill.")
_CONTAINER_COUNTRY_BONUS = 8.0  # inside the country a containing name gives ("Aleppo, Syria")
_OUTSIDE_CONTAINER_PENALTY = 3.0  # a town or region outside it
# -- what a mention tells of the article's countries (set by hand, re-measure as above)
_WEIGHT_DEMONYM = 1.0
_WEIGHT_REGION_OR_BIGGER = 1.0  # a name resolved on its own to a region or a country
_WEIGHT_TOWN = 0.5  # ... to a town or county (a likelier mistake)
_WEIGHT_DATELINE = 2.0
# -- the geographic focus (`focus_of`); set by hand with the focus rule, which took LGL to 0.822 within
# 161 km; re-measure with `dyad evaluate --task places --format lgl ../shared/gold/places/lgl.xml`
_FOCUS_BONUS = 4.0  # added, times the focus's strength, to a town or county inside the article's focus
_FOCUS_MIN_VOTES = 2.5  # the least evidence for a focus: two names found there, one of them there only
_FOCUS_MIN_LEAD = 0.5  # over the runner-up region
_FOCUS_FULL_LEAD = 1.5  # a lead this large gives the focus its full strength (1.0)
_FOCUS_REGION_VOTE = 2.0  # a name first of all a region ("Tennessee"), or settled by containment
# Only a name's first entries are scored (population order): "San Jose" has hundreds; the ones past
# this are hamlets no context makes likelier than those before them. Set by hand.
_MAX_CANDIDATES = 400
# A town is "shadowed" when a country of its name is among the name's first entries
_SHADOW_DEPTH = 3


class Context:
    """What an article says about where it is: countries and regions named, weighted.

    Contributions are kept per name, so a name is not its own evidence ("Paris" does not vote
    for France when "Paris" itself is being resolved).
    """

    def __init__(self) -> None:
        self.countries: Counter = Counter()
        self.regions: Counter = Counter()
        self.by_name: dict[str, tuple[Counter, Counter]] = {}
        self._total = 0.0
        # the article's geographic focus: the (country, region) its places most often lie in, and how
        # clearly (0..1); see `focus_of`
        self.focus: tuple | None = None
        self.focus_strength = 0.0

    def add(self, name: str, country: int, weight: float, region: tuple | None = None) -> None:
        own = self.by_name.setdefault(name, (Counter(), Counter()))
        own[0][country] += weight
        self.countries[country] += weight
        self._total += weight
        if region is not None:
            own[1][region] += weight
            self.regions[region] += weight

    def without(self, name: str) -> Context:
        own = self.by_name.get(normalise(name))
        if own is None:
            return self
        view = Context()
        view.countries = self.countries - own[0]
        view.regions = self.regions - own[1]
        view._total = sum(view.countries.values())
        view.focus, view.focus_strength = self.focus, self.focus_strength
        return view

    def share(self, country: int) -> float:
        return self.countries[country] / self._total if self._total else 0.0


def prior(ix: Columns, entry: int, alternate: bool) -> float:
    """How likely a name means this entry, knowing nothing of the article."""
    feature = ix.feature[entry]
    if feature == CONTINENT:
        score = _PRIOR_CONTINENT
    elif feature == COUNTRY:
        score = _PRIOR_COUNTRY
    elif feature == REGION:
        score = _PRIOR_REGION
    else:
        score = math.log10(ix.population[entry] + 10) + (_PRIOR_CAPITAL_BONUS if feature == CAPITAL else 0.0)
    return score - _PRIOR_ALTERNATE_PENALTY if alternate else score


def score(ix: Columns, entry: int, alternate: bool, context: Context | None, container: set | None,
          shadowed: bool = False) -> float:
    """The prior, raised or lowered by the article's context, its focus and a containing name."""
    value = prior(ix, entry, alternate)
    feature = ix.feature[entry]
    country = ix.country[entry]
    region = (country, ix.admin1[entry])
    if context is not None and feature != CONTINENT:
        if context.countries[country]:
            value += _CONTEXT_COUNTRY_BONUS + _CONTEXT_SHARE_BONUS * context.share(country)
        elif feature == COUNTRY and context.countries:
            value -= _OTHER_COUNTRY_PENALTY
        if feature < REGION and ix.admin1[entry] >= 0 and context.regions[region]:
            value += _CONTEXT_REGION_BONUS
    if context is not None and feature < REGION and context.focus is not None and context.focus == region:
        value += _FOCUS_BONUS * context.focus_strength
    if shadowed and feature < REGION and not container:
        value -= _SHADOWED_PENALTY
    if container:
        if region in container:
            value += _CONTAINER_REGION_BONUS
        elif country in container:
            value += _CONTAINER_COUNTRY_BONUS
        elif feature < COUNTRY:
            value -= _OUTSIDE_CONTAINER_PENALTY
    return value


def best(gazetteer: Gazetteer, text: str, context: Context | None = None,
         container: set | None = None) -> tuple[int, str] | None:
    """The best-scoring entry of a name and why it won; None when the gazetteer does not know the name."""
    found = gazetteer.candidates(text)
    if not found:
        return None
    if context is not None:
        context = context.without(text)
    ix = gazetteer.index
    shadowed = any(ix.feature[e] == COUNTRY and not alt for e, alt in found[:_SHADOW_DEPTH])
    scored = [(score(ix, e, alt, context, container, shadowed), -i, e)
              for i, (e, alt) in enumerate(found[:_MAX_CANDIDATES])]
    entry = max(scored)[2]
    reasons = [FEATURES[ix.feature[entry]]]
    if len(scored) > 1:
        country = ix.country[entry]
        region = (country, ix.admin1[entry])
        if container and (country in container or region in container):
            reasons.append("inside the place named after it")
        elif context is not None and context.regions[region] and ix.feature[entry] < REGION:
            reasons.append("in a region the article names")
        elif context is not None and context.focus == region and ix.feature[entry] < REGION:
            reasons.append("in the region the article's places lie in")
        elif context is not None and context.countries[country]:
            reasons.append("in a country the article names")
        else:
            reasons.append("most prominent of that name")
    return entry, ", ".join(reasons)


def resolve(name: str, gazetteer: Gazetteer | None = None, *, context: Context | None = None,
            within: str | None = None) -> Place | None:
    """A place name -> Place (country codes, region, coordinates, GeoNames id); None when unknown.

    `within` names a containing place ("Syria" for "Aleppo, Syria"); `context` holds the countries
    and regions the article names.
    """
    gazetteer = gazetteer or load_gazetteer()
    container = gazetteer.containers(within) if within else None
    found = best(gazetteer, name, context, container or None)
    if found is None:
        d = gazetteer.demonym(name)
        if d is None:
            return None
        return gazetteer.country_place(d, name, "demonym of the country", "adjective")
    entry, method = found
    return gazetteer.place(entry, name, method)


def article_context(mentions: list[Mention], gazetteer: Gazetteer, dateline: str | None) -> Context:
    """The countries and regions an article is about: each mention resolved on its own first."""
    context = Context()
    ix = gazetteer.index
    for m in mentions:
        key = normalise(m.text)
        if m.kind == "adjective":
            d = gazetteer.demonym(m.text)
            if d is not None:
                context.add(key, d, _WEIGHT_DEMONYM)
            continue
        found = best(gazetteer, m.text, None, gazetteer.containers(m.within) if m.within else None)
        if found is None:
            continue
        entry = found[0]
        feature, country = ix.feature[entry], ix.country[entry]
        if feature == CONTINENT:
            continue
        region = (country, ix.admin1[entry]) if feature == REGION or m.within else None
        context.add(key, country, _WEIGHT_REGION_OR_BIGGER if feature >= REGION else _WEIGHT_TOWN, region)
    if dateline:
        head, _, rest = dateline.partition(",")
        for part in (rest, head):
            found = best(gazetteer, part.strip()) if part.strip() else None
            if found is not None and ix.feature[found[0]] != CONTINENT:
                entry = found[0]
                context.add("<dateline>", ix.country[entry], _WEIGHT_DATELINE, (ix.country[entry], ix.admin1[entry]))
                break
    context.focus, context.focus_strength = focus_of(mentions, gazetteer, context)
    return context


def focus_of(mentions: list[Mention], gazetteer: Gazetteer, context: Context) -> tuple[tuple | None, float]:
    """The article's geographic focus: the first-level region (state, province) its places point to.

    Only regions of the countries in the article's context compete. Each distinct toponym gives each region
    holding an entry of that name 1, plus 1 shared among those regions (a name found in one state
    only gives it 2, "Springfield" a little over 1 to each of its many): the region where the most
    names, and the rarest, are found wins. A name first of all a region ("Tennessee") or settled by
    containment ("Paris, Tenn.") gives its region `_FOCUS_REGION_VOTE` outright, the dateline its region
    its context weight. The best region is the focus when it has `_FOCUS_MIN_VOTES` and leads the
    runner-up by `_FOCUS_MIN_LEAD`; its strength (0..1) grows with the lead. Names of countries and
    continents vote nothing.
    """
    if not context.countries:
        return None, 0.0
    ix = gazetteer.index
    leading = {country for country, weight in context.countries.items() if weight > 0}
    votes: Counter = Counter()
    seen: set[str] = set()
    for m in mentions:
        if m.kind != "toponym":
            continue
        key = normalise(m.text) + "|" + (m.within or "")
        if key in seen:
            continue
        seen.add(key)
        found = gazetteer.candidates(m.text)
        if not found or ix.feature[found[0][0]] >= COUNTRY:
            continue
        if m.within:
            allowed = gazetteer.containers(m.within)
            found = [(e, a) for e, a in found if (ix.country[e], ix.admin1[e]) in allowed] or found
        if ix.feature[found[0][0]] == REGION and not found[0][1]:
            if ix.country[found[0][0]] in leading:
                votes[(ix.country[found[0][0]], ix.admin1[found[0][0]])] += _FOCUS_REGION_VOTE
            continue
        regions = {(ix.country[e], ix.admin1[e]) for e, alternate in found[:_MAX_CANDIDATES]
                   if not alternate and ix.country[e] in leading and ix.admin1[e] >= 0 and ix.feature[e] <= REGION}
        for region in regions:
            votes[region] += 1.0 + 1.0 / len(regions)
    dateline = context.by_name.get("<dateline>")
    if dateline is not None:
        for (country, region), weight in dateline[1].items():
            if country in leading and region >= 0:
                votes[(country, region)] += weight
    if not votes:
        return None, 0.0
    (top, first), *rest = [*votes.most_common(2), (None, 0.0)]
    lead = first - rest[0][1]
    if first < _FOCUS_MIN_VOTES or lead < _FOCUS_MIN_LEAD:
        return None, 0.0
    return top, min(1.0, lead / _FOCUS_FULL_LEAD)
