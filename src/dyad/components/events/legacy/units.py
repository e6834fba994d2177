"""Actors as coded units: an actor with its agents (TABARI 5.4) and compound actors (TABARI 7.5).

An agent attaches to an actor immediately before it ("Ruritanian police"), immediately after it
("President Peres") or after OF/IN ("police of Ruritania"); its code is added after (``~XXX``) or
before (``XXX~``) the actor's code, unless it is already there on a 3-letter boundary. Units
separated only by commas, AND, determiners and adjectives form a compound actor (a group)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dyad.components.events.legacy.actors import Mention
from dyad.components.events.legacy.text import DETERMINERS, Tok

_POSSESSIVE = frozenset({"'S", "'", "S"})
_LINKS = frozenset({"OF", "IN", "FROM"})


@dataclass(slots=True)
class Unit:
    start: int
    end: int
    codes: list[str]  # [] = null-coded (ignored by the searches)
    rules: list[str]
    positions: list[int] = field(default_factory=list)
    lead_agents: list[tuple[str, bool]] = field(default_factory=list)  # agents written before the actor


@dataclass(slots=True)
class Group:
    units: list[Unit]

    @property
    def start(self) -> int:
        return self.units[0].start

    @property
    def end(self) -> int:
        return self.units[-1].end

    @property
    def compound(self) -> bool:
        return len(self.units) > 1

    @property
    def codes(self) -> list[str]:
        return [c for u in self.units for c in u.codes]

    @property
    def coded(self) -> bool:
        return any(u.codes for u in self.units)


def combine(actor: str, agent: str, suffix: bool) -> str:
    """Actor code plus agent code (TABARI 5.4: not added again when already present on a
    3-character boundary)."""
    if not agent:
        return actor
    if suffix:
        if any(actor[k:k + len(agent)] == agent for k in range(3, len(actor), 3)):
            return actor
        return actor + agent
    if actor.startswith(agent):
        return actor
    return agent + actor


def _modifier(tok: Tok) -> bool:
    return tok.text in _POSSESSIVE or tok.text in DETERMINERS or tok.pos in ("ADJ", "PROPN", "NUM")


def compose(mentions: list[Mention], toks: list[Tok], convert_agents: bool = False,
            lone_prefix: str = "") -> list[Unit]:
    """Actor/agent mentions -> coded units, in text order."""
    actors = [m for m in mentions if m.kind == "actor"]
    agents = [m for m in mentions if m.kind == "agent"]
    units: list[Unit] = _agent_lists(actors, agents, toks)
    attached: dict[int, list[Mention]] = {}
    lone: list[Mention] = []
    for g in agents:
        host = None
        for a in actors:  # actor before the agent: "Ruritanian police", "Ruritania's police"
            if a.end <= g.start and all(_modifier(toks[p]) for p in range(a.end, g.start)) and g.start - a.end <= 2:
                host = a
        if host is None:
            for a in actors:  # agent before the actor: "President Peres", "police of Ruritania"
                gap = range(g.end, a.start)
                if a.start >= g.end and (
                        a.start == g.end
                        or (len(gap) <= 2 and toks[g.end].text in _LINKS
                            and all(toks[p].text in DETERMINERS for p in range(g.end + 1, a.start)))):
                    host = a
                    break
        if host is None:
            lone.append(g)
        else:
            attached.setdefault(id(host), []).append(g)
    for a in actors:
        extra = attached.get(id(a), [])
        codes = []
        former = a.start > 0 and toks[a.start - 1].text == "FORMER"
        for code in a.codes:
            for g in extra:
                elite = former or (g.start > 0 and toks[g.start - 1].text == "FORMER")
                code = combine(code, "ELI" if elite else g.codes[0], g.agent_suffix)
            codes.append(code)
        start = min([a.start] + [g.start for g in extra])
        end = max([a.end] + [g.end for g in extra])
        positions = sorted({*a.positions, *(p for g in extra for p in g.positions)})
        units.append(Unit(start, end, [c for c in codes if c and c not in ("---",)],
                          [a.rule] + [g.rule for g in extra], positions,
                          [(g.codes[0], g.agent_suffix) for g in extra if g.start < a.start]))
    if convert_agents:
        for g in lone:
            if lone_prefix:
                units.append(Unit(g.start, g.end, [lone_prefix + g.codes[0]], [g.rule], list(g.positions)))
                continue
            # TABARI 8.2.6: the agent becomes an actor coded as written ("~REB")
            code = "~" + g.codes[0] if g.agent_suffix else g.codes[0] + "~"
            units.append(Unit(g.start, g.end, [code], [g.rule], list(g.positions)))
    units.sort(key=lambda u: u.start)
    return _merge_adjacent(units)


def _joined_by_and(a: Mention, b: Mention, toks: list[Tok]) -> bool:
    words = [toks[p].text for p in range(a.end, b.start)]
    return bool(words) and "AND" in words and all(w in ("AND", ",") or w in DETERMINERS for w in words)


def _runs(mentions: list[Mention], toks: list[Tok]) -> list[list[Mention]]:
    runs: list[list[Mention]] = []
    for m in mentions:
        if runs and _joined_by_and(runs[-1][-1], m, toks):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _agent_lists(actors: list[Mention], agents: list[Mention], toks: list[Tok]) -> list[Unit]:
    """Compound agents (TABARI 7.5 applied to agents): a list of agents joined by AND shares the
    actor before it ("Ruritanian police and army") or the actor list after OF/IN ("police and
    soldiers of X and Y": every agent with every actor). The mentions used are removed from
    ``actors``/``agents``; one unit carries every combination."""
    units: list[Unit] = []
    for run in _runs(agents, toks):
        if len(run) < 2:
            continue
        hosts: list[Mention] = []
        before = [a for a in actors if a.end <= run[0].start and run[0].start - a.end <= 2
                  and all(_modifier(toks[p]) for p in range(a.end, run[0].start))]
        if before:
            hosts = [before[-1]]
        else:
            last = run[-1]
            after = [a for a in actors if a.start > last.end and toks[last.end].text in _LINKS
                     and all(toks[p].text in DETERMINERS for p in range(last.end + 1, a.start))
                     and a.start - last.end <= 2]
            if after:
                hosts = next(r for r in _runs(actors, toks) if after[0] in r)
                hosts = hosts[hosts.index(after[0]):]
        if not hosts:
            continue
        codes = [combine(c, g.codes[0], g.agent_suffix) for g in run for a in hosts for c in a.codes]
        members = [*hosts, *run]
        units.append(Unit(min(m.start for m in members), max(m.end for m in members),
                          [c for c in codes if c and c != "---"], [m.rule for m in members],
                          sorted({p for m in members for p in m.positions})))
        for m in members:
            (actors if m.kind == "actor" else agents).remove(m)
    return units


def _merge_adjacent(units: list[Unit]) -> list[Unit]:
    """Adjacent units of the same country form one actor ("Ruritanian Prime Minister Smith"):
    the more specific (longer) code wins."""
    out: list[Unit] = []
    for u in units:
        if out and out[-1].end == u.start and out[-1].codes and u.codes and out[-1].codes[0][:3] == u.codes[0][:3]:
            prev = out[-1]
            codes = prev.codes if len(prev.codes[0]) >= len(u.codes[0]) else u.codes
            out[-1] = Unit(prev.start, u.end, codes, prev.rules + u.rules, prev.positions + u.positions,
                           prev.lead_agents + u.lead_agents)
        else:
            out.append(u)
    return out


def group_units(units: list[Unit], toks: list[Tok]) -> list[Group]:
    """Compound actors: units joined by AND or by commas in a list ending with AND (with
    determiners and adjectives around)."""
    groups: list[Group] = []
    links: list[bool] = []  # whether each group has an AND link
    for u in units:
        if groups:
            prev = groups[-1].units[-1]
            between = [toks[p] for p in range(prev.end, u.start)]
            words = [t.text for t in between]
            # a comma after the list's AND starts a new list ("between A and B, and C and D")
            if between and ("AND" in words or "," in words) and words.count("AND") <= 1 and not (
                    links[-1] and "," in words) and all(
                    t.text in ("AND", ",") or t.text in DETERMINERS or t.pos == "ADJ" for t in between):
                groups[-1].units.append(u)
                links[-1] = links[-1] or "AND" in words
                continue
        groups.append(Group([u]))
        links.append(False)
    out: list[Group] = []
    for g, linked in zip(groups, links, strict=True):
        if g.compound and not linked:
            out.extend(Group([u]) for u in g.units)
        else:
            out.append(g)
    groups = out
    for g in groups:  # "the ambassadors of X, Y and Z": a leading agent applies to every member
        lead = g.units[0].lead_agents
        if g.compound and lead:
            for u in g.units[1:]:
                if not u.lead_agents and len(u.rules) == 1:
                    codes = list(u.codes)
                    for code, suffix in lead:
                        codes = [combine(c, code, suffix) for c in codes]
                    u.codes = codes
    return groups

