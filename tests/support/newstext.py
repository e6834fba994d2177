"""Invented news articles for the test news site: deterministic from a seed, about real countries, worded so
that an event coder finds events (meetings, attacks, appeals, sanctions...) and so that two articles share
few five-word runs (near-duplicate grouping must keep them apart)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re

from tests.support import newswords as w

_KINDS = ("meet", "condemn", "attack", "appeal", "agree", "sanction", "aid", "protest", "arrest", "expel",
          "accuse", "threaten")

# kind -> (headline templates, lead templates, detail templates); leads open with a wire dateline.
_TEMPLATES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "meet": (
        ("{a_adj} and {b_adj} leaders discuss {topic} in {a_capital}", "{A} hosts {b_adj} leader for talks on {topic}"),
        ("{a_leader} met {b_leader} on {day} to discuss {topic}, officials from both governments said.",
         "{a_leader} hosted {b_leader} in {a_capital} on {day} for talks on {topic} that aides described as frank."),
        ("The two leaders spoke for {n1} hours and agreed to set up a joint working group on {topic2}, according "
         "to a statement issued after the meeting.",
         "{B}'s delegation included its ministers of defence and finance, while a {n2}-member business group "
         "travelled separately to {a_city}."),
    ),
    "condemn": (
        ("{A} condemns {b_adj} {action} near {b_city}", "{a_adj} minister denounces {B}'s {action}"),
        ("{A}'s foreign ministry condemned the {action} carried out by {b_adj} authorities near {b_city} on {day}, "
         "calling it a violation of international law.",
         "{a_leader} on {day} condemned {B}'s {action} around {b_city} as a dangerous step that endangers {topic}."),
        ("Witnesses in {b_city} described {n2} hours of disruption, and local radio said roads to {b_city2} were "
         "closed until the evening.",
         "{A} said the {action} had also hurt {a_adj} citizens working in {b_city}, about {n2} of whom have asked "
         "the embassy for help."),
    ),
    "attack": (
        ("{a_adj} forces shell {b_adj} city of {b_city}, {n1} dead", "{n1} killed as {a_adj} drones hit {b_city}"),
        ("{a_adj} forces shelled the {b_adj} city of {b_city} overnight into {day}, killing {n1} people and "
         "wounding {n2} others, local officials said.",
         "{a_adj} drones struck a {building} in {b_city} early on {day}, killing {n1} civilians, the {b_adj} "
         "emergency service said."),
        ("Rescue workers searched the rubble of a {building} in the {district} district of {b_city} until dawn, "
         "and the regional governor declared {n3} days of mourning.",
         "The {b_adj} military said its air defences shot down {n2} of the drones over {b_city2} and that a "
         "{building} caught fire."),
    ),
    "appeal": (
        ("{igo_short} urges {b_adj} army to {demand}", "{igo_short} presses {B} over civilians in {b_city}"),
        ("{igo} urged {B}'s army on {day} to {demand}, warning that {n2},{n3:03d} civilians in {b_city} were at "
         "risk.",
         "{igo} called on {b_adj} commanders on {day} to {demand}, saying fighting near {b_city} had cut off "
         "food supplies."),
        ("Aid agencies said {n1} trucks carrying flour and medicine were stuck at a checkpoint outside {b_city2} "
         "for a {ordinal} day.",
         "An envoy of {igo_mid} met {b_adj} generals in {b_capital} and was told that access would be granted "
         "within {n1} days."),
    ),
    "agree": (
        ("{A} and {B} sign deal on {topic}", "{a_adj}-{b_adj} agreement on {topic} ends months of talks"),
        ("{A} and {B} signed an agreement on {topic} in {a_capital} on {day}, ending {n1} months of difficult "
         "negotiations.",
         "{a_leader} and {b_leader} signed a deal on {topic} on {day}, pledging to cooperate closely on "
         "{topic2} as well."),
        ("Under the accord, {B} will open {n1} new crossing points and {A} will fund a {amount} programme in "
         "{b_city}.",
         "The text, seen by reporters, sets up a joint commission that will meet in {b_city} every {n1} months."),
    ),
    "sanction": (
        ("{A} imposes sanctions on {n1} {b_adj} {targets}", "{A} sanctions {b_adj} {targets} over {accusation}"),
        ("{A} imposed sanctions on {n1} {b_adj} {targets} on {day}, accusing them of {accusation}.",
         "{A}'s finance ministry froze the assets of {n1} {b_adj} {targets} on {day} over what it said was "
         "evidence of {accusation}."),
        ("The measures bar {a_adj} companies from dealing with the {targets} and ban {n2} {b_adj} executives "
         "from travelling to {A}.",
         "Traders in {b_city} said the sanctions were likely to push up prices of {topic2} in the coming weeks."),
    ),
    "aid": (
        ("{A} pledges {amount} to help {B} with {need}", "{A} sends {amount} in aid to {b_adj} {need}"),
        ("{A} pledged {amount} in aid to {B} on {day} to help with {need}, after weeks of appeals from "
         "{b_adj} officials.",
         "{a_leader} promised {B} {amount} for {need} during a phone call on {day}, his office said."),
        ("The first {n1} aircraft loaded with supplies are expected to land in {b_city} within {n3} days.",
         "{b_adj} officials in {b_city} said about {n2},{n3:03d} families needed help and thanked {A} for its "
         "support."),
    ),
    "protest": (
        ("{b_adj} protesters rally at {a_adj} embassy in {b_capital} over {grievance}",
         "Thousands march in {b_city} against {grievance}"),
        ("Thousands of {b_adj} protesters marched to the {a_adj} embassy in {b_capital} on {day}, demanding an "
         "end to {grievance}.",
         "Protesters rallied in {b_city} on {day} against {grievance}, blaming {A} and burning {a_adj} flags."),
        ("{b_adj} police used tear gas to disperse the crowd near the embassy and detained {n1} people, a police "
         "spokesperson said.",
         "Organisers said {n2},{n3:03d} people joined the march, while police put the figure at about {n1},000."),
    ),
    "arrest": (
        ("{b_adj} police arrest {n1} over {matter}", "{n1} held in {b_city} over {matter}"),
        ("{b_adj} police arrested {n1} people in {b_city} on {day} in connection with {matter}, the interior "
         "ministry said.",
         "Security forces in {B} detained {n1} suspects near {b_city} on {day} over {matter}, officials said."),
        ("{n3} of those held are {a_adj} nationals, and {A}'s embassy in {b_capital} said it had asked for "
         "consular access.",
         "Prosecutors in {b_city2} said the suspects would be charged within {n3} days and could face long "
         "prison terms."),
    ),
    "expel": (
        ("{A} expels {n1} {b_adj} diplomats", "{A} orders {n1} {b_adj} envoys out within {n2} hours"),
        ("{A} expelled {n1} {b_adj} diplomats on {day}, giving them {n2} hours to leave the country, after "
         "accusing them of {accusation}.",
         "{A} declared {n1} {b_adj} diplomats persona non grata on {day} and ordered the closure of the {b_adj} "
         "consulate in {a_city}."),
        ("{B} said it would respond in kind, and its foreign ministry summoned the {a_adj} charge d'affaires in "
         "{b_capital}.",
         "The move leaves {B} with only {n3} accredited diplomats in {a_capital}, a record low."),
    ),
    "accuse": (
        ("{A} accuses {B} of {accusation}", "{a_adj} officials blame {B} for {accusation}"),
        ("{a_leader} accused {B} on {day} of {accusation}, saying {A} had gathered evidence in {a_city}.",
         "{A}'s intelligence service accused {B} on {day} of {accusation} and published the names of "
         "{n1} suspects."),
        ("{a_adj} investigators said they had traced {n2} transfers to accounts in {b_city}.",
         "The accusation follows the arrest of {n1} people near {a_city} last month, officials in {a_capital} said."),
    ),
    "threaten": (
        ("{A} threatens to {threat} over {b_adj} plans for {plan}", "{A} warns {B} it will {threat}"),
        ("{A} threatened on {day} to {threat} if {B} went ahead with {plan}, raising tension in the region.",
         "{a_leader} warned {B} on {day} that {A} would {threat} unless it dropped {plan}."),
        ("{a_adj} state media said {plan} would put at risk {n2},{n3:03d} jobs in {a_city}.",
         "{B} has said {plan} is an internal matter and that work near {b_city} will begin in {month}."),
    ),
}

# where the wire dateline puts an article of each kind (default: the acting country's capital)
_DATELINES = {"attack": "b_city", "appeal": "igo_city", "protest": "b_capital", "arrest": "b_city"}


@dataclasses.dataclass
class NewsArticle:
    """One article as its site serves it: text, dates, and what it is about (for tests and debugging)."""

    slug: str
    headline: str
    paragraphs: list[str]
    published: dt.datetime
    modified: dt.datetime
    kind: str
    byline: str
    revision: int = 0

    @property
    def text(self) -> str:
        return "\n\n".join([self.headline, *self.paragraphs])


def slugify(headline: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", headline.lower()).strip("-")[:70].rstrip("-")


def _name_of(leader: str) -> str:
    """'Prime Minister Abiy Ahmed' -> 'Abiy Ahmed': the name a second mention uses."""
    for title in w.LEADER_TITLES:
        if leader.startswith(title + " "):
            return leader.removeprefix(title + " ")
    return leader


def _fill(template: str, slots: dict) -> str:
    text = template.format(**slots)
    return text[0].upper() + text[1:]


class ArticleWriter:
    """Writes unique invented articles; the same seed gives the same articles in the same order."""

    def __init__(self, seed: int = 0):
        self.seed = seed
        self._headlines: set[str] = set()
        self._count = 0

    def write(self, published: dt.datetime, *, kind: str | None = None) -> NewsArticle:
        """The next article (headline unique among this writer's), published at `published`."""
        self._count += 1
        rng = random.Random(f"newssite:{self.seed}:{self._count}")
        while True:
            slots = self._slots(rng, published)
            article_kind = kind or rng.choice(_KINDS)
            headlines, leads, details = _TEMPLATES[article_kind]
            headline = _fill(rng.choice(headlines), slots)
            if headline not in self._headlines:
                break
        self._headlines.add(headline)
        dateline = slots[_DATELINES.get(article_kind, "a_capital")].upper()
        paragraphs = [f"{dateline} ({rng.choice(w.AGENCIES)}) - {_fill(rng.choice(leads), slots)}"]
        paragraphs += [_fill(d, slots) for d in (details if rng.random() < 0.3 else [rng.choice(details)])]
        paragraphs += self._body(rng, slots)
        byline = f"By {rng.choice(w.FIRST_NAMES)} {rng.choice(w.LAST_NAMES)}"
        slug = f"{slugify(headline)}-{self.seed % 100:02d}{self._count:05d}"
        return NewsArticle(slug, headline, paragraphs, published, published, article_kind, byline)

    def update(self, article: NewsArticle, when: dt.datetime) -> None:
        """Revise an article in place: an update paragraph and a changed lead, as newsrooms do."""
        rng = random.Random(f"newssite-update:{self.seed}:{article.slug}:{article.revision}")
        slots = self._slots(rng, article.published)
        article.paragraphs = [*article.paragraphs, _fill(rng.choice(w.UPDATES), slots)]
        article.paragraphs[0] = article.paragraphs[0].replace(" - ", f" - ({slots['day']} update) ", 1)
        article.revision += 1
        article.modified = when

    def _body(self, rng: random.Random, slots: dict) -> list[str]:
        """Quote, reaction, third party, context, outlook: 2 to 6 of them, so articles run 4-8 paragraphs."""
        quote = _fill(rng.choice(w.QUOTE_CORES), slots)
        attribution = rng.choice(w.ATTRIBUTIONS).format(**slots)
        pools = [[f'"{quote}," {attribution}.'], w.REACTIONS, w.THIRD_PARTIES, w.CONTEXTS, w.OUTLOOKS]
        chosen = [rng.choice(pool) for pool in pools]
        keep = rng.randint(2, len(chosen))
        picked = sorted(rng.sample(range(len(chosen)), keep))
        body = [_fill(chosen[i], slots) for i in picked]
        if keep >= 4 and rng.random() < 0.5:  # a second sentence in the longer articles
            body[-1] += " " + _fill(rng.choice(w.CONTEXTS), slots)
        return body

    # Long: one flat table of slot values, every template's names in one place.
    def _slots(self, rng: random.Random, published: dt.datetime) -> dict:
        a, b, c = rng.sample(w.COUNTRIES, 3)
        igo, igo_short, igo_city = rng.choice(w.ORGANIZATIONS)
        topic, topic2 = rng.sample(w.TOPICS, 2)
        event_day = published - dt.timedelta(days=rng.choice((0, 1, 1, 2)))
        demand = rng.choice(w.DEMANDS)
        accusation = rng.choice(w.ACCUSATIONS)
        plan = rng.choice(w.PLANS)
        b_city, b_city2 = rng.sample(b.cities, 2)
        slots = {
            "A": a.name, "B": b.name, "C": c.name, "a_adj": a.adjective, "b_adj": b.adjective, "c_adj": c.adjective,
            "a_capital": a.capital, "b_capital": b.capital, "c_capital": c.capital,
            "a_city": rng.choice(a.cities), "b_city": b_city, "b_city2": b_city2,
            "a_leader": f"{a.adjective} {a.leader}", "b_leader": f"{b.adjective} {b.leader}",
            "b_leader_full": _name_of(b.leader),
            "c_leader": c.leader, "igo": igo, "igo_mid": igo.replace("The ", "the ", 1), "igo_short": igo_short,
            "igo_city": igo_city,
            "topic": topic, "topic2": topic2, "action": rng.choice(w.ACTIONS),
            "accusation": accusation,
            "demand": demand,
            "need": rng.choice(w.NEEDS), "targets": rng.choice(w.TARGETS), "grievance": rng.choice(w.GRIEVANCES),
            "matter": rng.choice(w.MATTERS), "threat": rng.choice(w.THREATS),
            "plan": plan,
            "building": rng.choice(w.BUILDINGS), "district": rng.choice(w.DISTRICTS),
            "day": w.WEEKDAYS[event_day.weekday()], "next_day": w.WEEKDAYS[(published.weekday() + 3) % 7],
            "month": w.MONTHS[(published.month + rng.randint(0, 2)) % 12], "year": rng.randint(2008, 2023),
            "n1": rng.randint(3, 48), "n2": rng.randint(12, 95), "n3": rng.randint(2, 19),
            "ordinal": rng.choice(("second", "third", "fourth", "fifth")),
            "amount": f"${rng.randint(12, 950)} million",
            "speaker": rng.choice(w.SPEAKERS), "criticism": rng.choice(w.CRITICISMS),
            "adjective": rng.choice(w.ADJECTIVES), "x": rng.choice(w.QUOTE_OBJECTS),
            "forces": rng.choice(("forces", "police", "border guards")),
        }
        slots["b_response"] = rng.choice(w.RESPONSES).format(**slots)
        slots["consequence"] = rng.choice(w.CONSEQUENCES).format(**slots)
        slots["place"] = b_city
        return slots


def accented_article(published: dt.datetime) -> NewsArticle:
    """The page served under a lying charset header: UTF-8 accents that a client must not mangle."""
    day = w.WEEKDAYS[published.weekday()]
    headline = "Brazil and Switzerland open trade talks in Zürich as São Paulo firms look to Europe"
    paragraphs = [
        f"ZÜRICH (Newswire) - Brazil's foreign minister met Swiss Federal Councillor Ignazio Cassis in Zürich on "
        f"{day} to discuss a free trade agreement, officials in Bern and Brasília said.",
        "Business leaders from São Paulo and Belo Horizonte joined the delegation, which later visited a "
        "cooperative of coffee roasters near Genève and a watchmaker in Neuchâtel.",
        '"Our exporters in Paraná and Goiás are ready for this market," the Brazilian minister told reporters '
        "at the Zürich Hauptbahnhof before boarding a train to Lausanne.",
        "Swiss farmers protested outside the meeting in Zürich, accusing the government of putting cheap beef "
        "from Mato Grosso ahead of alpine dairies; police said the rally was peaceful.",
        "The European Union urged Brazil to ratify a separate accord with Mercosur before the end of the year.",
    ]
    return NewsArticle("brazil-switzerland-trade-talks-zurich", headline, paragraphs, published, published,
                       "accented", "By Amélie Müller")
