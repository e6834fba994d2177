"""Validation of dyad's actor knowledge tables (src/dyad/knowledge/actors/*.tsv).

The tables are plain UTF-8 TSV: '#' lines are comments, the first other line is the header,
multi-valued cells are '|'-separated. These tests check their shape and internal consistency,
and compare the leaders' dates in office with the Phoenix (PETRARCH) country dictionary when
that reference file is available next to the repository (skipped otherwise).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pycountry
import pytest

REPO = Path(__file__).resolve().parents[1]
ACTORS = REPO / "src" / "dyad" / "knowledge" / "actors"
SHARED = Path(__file__).parents[1] / ".." / "shared"
PHOENIX_COUNTRIES = SHARED / "reference" / "dictionaries" / "phoenix" / "Phoenix.Countries.actors.txt"
CAMEO_MANUAL = SHARED / "reference" / "cameo" / "CAMEO.Manual.1.1b3.tex"

COLUMNS = {
    "countries.tsv": [
        "code",
        "iso2",
        "kind",
        "names",
        "adjectives",
        "capitals",
        "seats",
        "case_sensitive",
        "former_codes",
        "note",
    ],
    "organizations.tsv": [
        "code",
        "names",
        "kind",
        "country",
        "source",
        "alt_codes",
        "start",
        "end",
        "ambiguous",
        "note",
    ],
    "sectors.tsv": ["code", "label", "tier", "nouns", "titles", "note"],
    "leaders.tsv": ["name", "aliases", "country", "role", "code", "start", "end", "note"],
}

# CAMEO codes that are not ISO 3166-1 alpha-3 (documented in countries.tsv's header).
NON_ISO_COUNTRY_CODES = {"KSV": "XK"}
# Generic international first groups (CAMEO manual, 'International Codes').
INTERNATIONAL_PREFIXES = {"IGO", "IMG", "NGO", "NGM", "MNC", "UIS", "INT"}
CAMEO_ROLE_CODES = {
    "GOV",
    "MIL",
    "COP",
    "REB",
    "INS",
    "SEP",
    "OPP",
    "JUD",
    "SPY",
    "UAF",
    "PTY",
    "AGR",
    "BUS",
    "CRM",
    "CVL",
    "DEV",
    "EDU",
    "ELI",
    "ENV",
    "HLH",
    "HRI",
    "LAB",
    "LEG",
    "MED",
    "REF",
    "MOD",
    "RAD",
}
COUNTRY_KINDS = {"un_member", "un_observer", "partially_recognized", "territory", "other"}
ORG_KINDS = {"igo", "ngo", "armed_group", "party", "company", "media", "state_body"}
SECTOR_TIERS = {"primary", "party", "secondary", "tertiary", "compound", "international"}
LEADER_ROLES = {"head_of_state", "head_of_government", "foreign_minister", "organization_head"}
LATEST_END = date(2026, 12, 31)
OPEN_END = date(2100, 1, 1)  # stands for 'still in office' in date arithmetic

# Countries whose heads of state and government 2000 onwards the brief asks for.
LEADER_COUNTRIES = {
    # G20 members
    "ARG",
    "AUS",
    "BRA",
    "CAN",
    "CHN",
    "FRA",
    "DEU",
    "IND",
    "IDN",
    "ITA",
    "JPN",
    "MEX",
    "RUS",
    "SAU",
    "ZAF",
    "KOR",
    "TUR",
    "GBR",
    "USA",
    # conflict-affected countries
    "AFG",
    "IRQ",
    "SYR",
    "YEM",
    "SOM",
    "SDN",
    "SSD",
    "LBY",
    "MLI",
    "NGA",
    "COD",
    "ETH",
    "UKR",
    "MMR",
    "PAK",
    "COL",
    "ISR",
    "PSE",
    "LBN",
    "CAF",
    "BFA",
}
P5 = {"USA", "GBR", "FRA", "RUS", "CHN"}
# Gaps (> 31 days) in a country's head-of-state/government series that are real vacancies,
# periods without such an office, or acting office-holders this file does not record.
DOCUMENTED_GAPS = {
    ("AFG", "head_of_government"): "no prime minister before 2001 / after 2020 until 2021-09",
    ("IRQ", "head_of_state"): "occupation (Coalition Provisional Authority) 2003-04 to 2004-06",
    ("IRQ", "head_of_government"): "occupation (Coalition Provisional Authority) 2003-04 to 2004-06",
    ("LBN", "head_of_state"): "presidential vacancies 2007-08, 2014-16, 2022-25",
    ("LBY", "head_of_state"): "rival bodies; GNC/HoR gaps 2013 and 2014-16",
    ("MLI", "head_of_government"): "junta periods 2012 and 2020 without a prime minister",
    ("BFA", "head_of_government"): "transitions 2014 and 2022 without a prime minister",
    ("SOM", "head_of_government"): "acting prime ministers not recorded",
    ("SDN", "head_of_government"): "no prime minister 2019-04 to 2019-08; acting 2022-25",
    ("SYR", "head_of_government"): "no prime minister in the 2025 transitional government",
    ("MMR", "head_of_government"): "2021-02 to 2021-08: junta chairman, not prime minister",
    ("COD", "head_of_government"): "no prime minister 1997-2006",
    ("PSE", "head_of_government"): "no prime minister before 2003; 2003-09 to 2003-10",
    ("TUR", "head_of_government"): "office abolished 2018 (president heads the government)",
    ("LBY", "head_of_government"): "2011 revolution",
    ("SOM", "head_of_state"): "no central government until the TNG was formed (2000-08-27)",
}


# --------------------------------------------------------------------------- loading


@dataclass
class Row:
    line: int
    data: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.data[key]

    def values(self, key: str) -> list[str]:
        return [v.strip() for v in self.data[key].split("|") if v.strip()]


def load(name: str) -> tuple[list[str], list[Row]]:
    path = ACTORS / name
    header: list[str] | None = None
    rows: list[Row] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if header is None:
            header = cells
            continue
        assert len(cells) == len(header), f"{name}:{lineno}: {len(cells)} cells, expected {len(header)}"
        assert all(c == c.strip() for c in cells), f"{name}:{lineno}: stray whitespace"
        rows.append(Row(lineno, dict(zip(header, cells, strict=True))))
    assert header is not None, f"{name}: no header"
    return header, rows


def parse_date(text: str) -> date | None:
    if not text:
        return None
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", text), f"bad date {text!r}"
    return date.fromisoformat(text)


def match_key(name: str) -> str:
    """Key under which a matcher looks a name up: forms of at most 3 letters written in
    capitals (periods not counted: US, U.N., UAE) are case-sensitive, all others are not."""
    letters = name.replace(".", "")
    return name if len(letters) <= 3 and letters.isupper() else name.lower()


def fold(text: str) -> str:
    """Case- and accent-insensitive key: ASCII upper case, non-alphanumerics as spaces."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^A-Za-z0-9]+", " ", ascii_text).upper().split())


def overlap(a: tuple[date | None, date | None], b: tuple[date | None, date | None]) -> bool:
    lo = max(a[0] or date.min, b[0] or date.min)
    hi = min(a[1] or date.max, b[1] or date.max)
    return lo < hi


@pytest.fixture(scope="module")
def tables() -> dict[str, list[Row]]:
    return {name: load(name)[1] for name in COLUMNS}


@pytest.fixture(scope="module")
def country_codes(tables) -> set[str]:
    return {r["code"] for r in tables["countries.tsv"]}


@pytest.fixture(scope="module")
def sector_codes(tables) -> set[str]:
    return {r["code"] for r in tables["sectors.tsv"] if r["tier"] != "international"}


# --------------------------------------------------------------------------- shape


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_header_and_rows(name):
    header, rows = load(name)
    assert header == COLUMNS[name]
    assert rows, f"{name} is empty"
    first = header[0]
    assert all(r[first] for r in rows), f"{name}: empty {first}"


def test_readme_present():
    text = (ACTORS / "README.md").read_text(encoding="utf-8")
    for name in COLUMNS:
        assert name in text


# --------------------------------------------------------------------------- countries


def test_countries_codes(tables):
    rows = tables["countries.tsv"]
    seen: set[str] = set()
    for r in rows:
        code = r["code"]
        assert re.fullmatch(r"[A-Z]{3}", code), code
        assert code not in seen, f"duplicate {code}"
        seen.add(code)
        assert r["kind"] in COUNTRY_KINDS, (code, r["kind"])
        assert r.values("names"), f"{code}: no names"
        country = pycountry.countries.get(alpha_3=code)
        if country is None:
            assert code in NON_ISO_COUNTRY_CODES, f"{code} is neither ISO nor documented"
            assert r["iso2"] == NON_ISO_COUNTRY_CODES[code]
            assert "CAMEO" in r["note"], f"{code}: exception not explained in note"
        else:
            assert r["iso2"] == country.alpha_2, (code, r["iso2"], country.alpha_2)
        for former in r.values("former_codes"):
            assert re.fullmatch(r"[A-Z]{3}", former), (code, former)


def test_every_iso_country_present(country_codes):
    missing = {c.alpha_3 for c in pycountry.countries} - country_codes
    assert not missing, f"missing from countries.tsv: {sorted(missing)}"


def test_sovereign_states_have_demonyms(tables):
    for r in tables["countries.tsv"]:
        if r["kind"] != "territory" and r["kind"] != "other":
            assert r.values("adjectives"), f"{r['code']}: no adjectives"
            assert r.values("capitals"), f"{r['code']}: no capital"


def test_country_seats_and_case_sensitive(tables, sector_codes):
    for r in tables["countries.tsv"]:
        for seat in r.values("seats"):
            name, _, sector = seat.rpartition(":") if re.search(r":[A-Z]+$", seat) else (seat, "", "")
            assert name, (r["code"], seat)
            if sector:
                assert sector in sector_codes, (r["code"], seat)
        listed = {fold(v) for key in ("names", "adjectives", "capitals") for v in r.values(key)}
        for word in r.values("case_sensitive"):
            assert fold(word) in listed, (r["code"], word)


def test_country_names_unique_or_documented(tables):
    """A name shared by two countries must be discussed in one of their notes."""
    owners: dict[str, set[str]] = defaultdict(set)
    notes = {r["code"]: r["note"].lower() for r in tables["countries.tsv"]}
    for r in tables["countries.tsv"]:
        for key in ("names", "adjectives", "capitals"):
            for v in r.values(key):
                owners[match_key(v)].add(r["code"])
        for seat in r.values("seats"):
            owners[match_key(re.sub(r":[A-Z]+$", "", seat))].add(r["code"])
    undocumented = [
        f"{name!r} {sorted(codes)}"
        for name, codes in owners.items()
        if len(codes) > 1 and not any(name.lower() in notes[c] for c in codes)
    ]
    assert not undocumented, f"names shared by countries without a note: {undocumented}"


# --------------------------------------------------------------------------- sectors


def test_sectors(tables):
    rows = tables["sectors.tsv"]
    codes = {r["code"] for r in rows}
    assert codes >= CAMEO_ROLE_CODES, sorted(CAMEO_ROLE_CODES - codes)
    single = {r["code"] for r in rows if r["tier"] not in {"compound", "international"}}
    for r in rows:
        assert re.fullmatch(r"(?:[A-Z]{3})+", r["code"]), r["code"]
        assert r["tier"] in SECTOR_TIERS, (r["code"], r["tier"])
        assert r.values("nouns"), f"{r['code']}: no nouns"
        if r["tier"] == "compound":
            parts = re.findall(r"[A-Z]{3}", r["code"])
            assert len(parts) > 1 and all(p in single for p in parts), r["code"]
        elif r["tier"] == "international":
            assert r["code"] in INTERNATIONAL_PREFIXES, r["code"]
        else:
            assert len(r["code"]) == 3, r["code"]
        assert len(set(map(str.lower, r.values("nouns")))) == len(r.values("nouns")), r["code"]


def test_sector_words_unique(tables):
    for column in ("nouns", "titles"):
        owners: dict[str, set[str]] = defaultdict(set)
        for r in tables["sectors.tsv"]:
            for v in r.values(column):
                owners[v.lower()].add(r["code"])
        clashes = {w: sorted(c) for w, c in owners.items() if len(c) > 1}
        assert not clashes, f"{column} in several sectors: {clashes}"


# --------------------------------------------------------------------------- organizations


def check_code(code: str, country_codes: set[str], sector_codes: set[str]) -> None:
    assert re.fullmatch(r"[A-Z]{3}(?:[A-Z0-9]{3}){0,4}", code), f"malformed code {code!r}"
    groups = re.findall(r"...", code)
    head = groups[0]
    if head in INTERNATIONAL_PREFIXES:
        return
    assert head in country_codes, f"{code}: {head} is no country or international prefix"
    assert len(groups) > 1 and groups[1] in sector_codes, f"{code}: no sector after country"


def test_organizations(tables, country_codes, sector_codes):
    for r in tables["organizations.tsv"]:
        where = f"organizations.tsv:{r.line}"
        check_code(r["code"], country_codes, sector_codes)
        for alt in r.values("alt_codes"):
            check_code(alt, country_codes, sector_codes)
        assert r["kind"] in ORG_KINDS, where
        assert r["source"] in {"cameo", "dyad"}, where
        if r["country"]:
            assert r["country"] in country_codes, where
        start, end = parse_date(r["start"]), parse_date(r["end"])
        if start and end:
            assert start <= end, where
        names = {n.lower() for n in r.values("names")}
        assert names, where
        for amb in r.values("ambiguous"):
            assert amb.lower() in names, f"{where}: ambiguous {amb!r} not among names"


def test_organization_names_do_not_clash(tables):
    """Same name, different codes: allowed for disjoint periods or when flagged ambiguous."""
    entries = defaultdict(list)
    for r in tables["organizations.tsv"]:
        span = (parse_date(r["start"]), parse_date(r["end"]))
        flagged = {a.lower() for a in r.values("ambiguous")}
        for n in r.values("names"):
            entries[match_key(n)].append((r["code"], span, n.lower() in flagged, r.line))
    for name, items in entries.items():
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if a[0] != b[0] and overlap(a[1], b[1]):
                    assert a[2] and b[2], f"{name!r}: lines {a[3]} and {b[3]} clash ({a[0]} vs {b[0]})"


@pytest.mark.skipif(not CAMEO_MANUAL.exists(), reason="CAMEO manual not available")
def test_cameo_sourced_codes_are_in_the_manual(tables):
    text = CAMEO_MANUAL.read_bytes().decode("latin-1")
    for r in tables["organizations.tsv"]:
        if r["source"] == "cameo":
            codes = [r["code"], *r.values("alt_codes")]
            assert any(c in text for c in codes), f"{r['code']} not in the CAMEO manual"


# --------------------------------------------------------------------------- leaders


def leader_rows(tables) -> list[Row]:
    return tables["leaders.tsv"]


def test_leaders_fields(tables, country_codes, sector_codes):
    for r in leader_rows(tables):
        where = f"leaders.tsv:{r.line} {r['name']}"
        roles = r.values("role")
        assert roles and set(roles) <= LEADER_ROLES, where
        code = r["code"]
        check_code(code, country_codes, sector_codes)
        if r["country"]:
            assert r["country"] in country_codes, where
            assert code.startswith(r["country"]), where
        else:
            assert code.startswith("IGO"), where
        start, end = parse_date(r["start"]), parse_date(r["end"])
        assert start is not None, where
        if end is not None:
            assert start <= end, where
            assert end <= LATEST_END, where
        assert (end or OPEN_END) >= date(1999, 12, 31), f"{where}: ended before 2000"


def test_leader_terms_do_not_overlap_per_person(tables):
    terms = defaultdict(list)
    for r in leader_rows(tables):
        terms[(fold(r["name"]), r["country"])].append(r)
    for (name, _), rows in terms.items():
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                if set(a.values("role")) & set(b.values("role")):
                    span_a = (parse_date(a["start"]), parse_date(a["end"]))
                    span_b = (parse_date(b["start"]), parse_date(b["end"]))
                    assert not overlap(span_a, span_b), f"{name}: lines {a.line}, {b.line} overlap"


def test_leader_aliases_do_not_clash(tables):
    """An alias shared by two people with different codes at the same time must be noted."""
    entries = defaultdict(list)
    for r in leader_rows(tables):
        span = (parse_date(r["start"]), parse_date(r["end"]))
        for alias in {r["name"], *r.values("aliases")}:
            entries[fold(alias)].append((fold(r["name"]), r["code"], span, r["note"].lower(), r.line))
    for alias, items in entries.items():
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if a[0] != b[0] and overlap(a[2], b[2]):
                    documented = alias.lower() in a[3] or alias.lower() in b[3]
                    assert a[1] == b[1] or documented, f"alias {alias!r}: lines {a[4]}, {b[4]}"


def coverage_gaps(spans: list[tuple[date, date]], lo: date, hi: date) -> list[tuple[date, date]]:
    gaps, cursor = [], lo
    for start, end in sorted(spans):
        if start > cursor:
            gaps.append((cursor, min(start, hi)))
        cursor = max(cursor, end)
        if cursor >= hi:
            break
    if cursor < hi:
        gaps.append((cursor, hi))
    return [(a, b) for a, b in gaps if a < b]


def test_leader_coverage(tables):
    """Each required country has its heads of state/government for 2000 to mid-2025."""
    lo, hi = date(2000, 1, 1), date(2025, 6, 30)
    spans = defaultdict(list)
    for r in leader_rows(tables):
        end = parse_date(r["end"]) or date.max
        for role in r.values("role"):
            spans[(r["country"], role)].append((parse_date(r["start"]), end))
    problems = []
    for country in sorted(LEADER_COUNTRIES):
        roles = ["head_of_state", "head_of_government"]
        if country in {"CAN", "AUS"}:
            roles = ["head_of_government"]  # the head of state is the British monarch (GBR)
        lo_c = date(2011, 7, 9) if country == "SSD" else lo  # South Sudan's independence
        for role in roles:
            if not spans[(country, role)]:
                problems.append(f"{country} {role}: none")
                continue
            for a, b in coverage_gaps(spans[(country, role)], lo_c, hi):
                if (b - a).days > 31 and (country, role) not in DOCUMENTED_GAPS:
                    problems.append(f"{country} {role}: gap {a} to {b}")
    for country in sorted(P5):
        gaps = coverage_gaps(spans[(country, "foreign_minister")], lo, hi)
        problems.extend(f"{country} foreign_minister: gap {a} to {b}" for a, b in gaps if (b - a).days > 31)
    assert not problems, problems


# --------------------------------------------------------------------------- Phoenix comparison

RESTRICTION = re.compile(
    r"\[\s*(?P<code>[A-Z0-9~]+)\s*(?:(?P<op>[<>])\s*(?P<d1>\d{6,8})|(?P<lo>\d{6,8})\s*-\s*(?P<hi>\d{6,8}))?\s*\]"
)


def phoenix_date(text: str) -> date:
    """TABARI/PETRARCH dates: YYYYMMDD or YYMMDD with years 00-30 read as 2000-2030."""
    if len(text) == 6:
        yy = int(text[:2])
        text = f"{2000 + yy if yy <= 30 else 1900 + yy}{text[2:]}"
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


@dataclass
class PhoenixActor:
    phrases: list[str]
    restrictions: list[tuple[str, date | None, date | None]]  # code, first day, last day
    default: str | None = None

    def code_on(self, day: date) -> str | None:
        for code, lo, hi in self.restrictions:
            if (lo is None or lo <= day) and (hi is None or day <= hi):
                return code
        return self.default


def parse_restrictions(text: str) -> tuple[list[tuple[str, date | None, date | None]], str | None]:
    found, default = [], None
    for m in RESTRICTION.finditer(text):
        code = m["code"]
        try:
            if m["op"] == "<":
                found.append((code, None, phoenix_date(m["d1"])))
            elif m["op"] == ">":
                found.append((code, phoenix_date(m["d1"]), None))
            elif m["lo"]:
                found.append((code, phoenix_date(m["lo"]), phoenix_date(m["hi"])))
            else:
                default = code
        except ValueError:  # an impossible date: TABARI skips the record too
            continue
    return found, default


def parse_phoenix(path: Path) -> tuple[list[PhoenixActor], date]:
    actors: list[PhoenixActor] = []
    generated = date(2014, 1, 30)
    current: PhoenixActor | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = re.search(r"Generated at: \w+ (\w+) +(\d+) [\d:]+ (\d{4})", raw)
        if m:
            month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            generated = date(int(m[3]), month.index(m[1]) + 1, int(m[2]))
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        body = re.split(r"\s[#;]|^[#;]", raw, maxsplit=1)[0]
        if raw[0] in " \t" and body.strip().startswith("["):
            if current is not None:
                found, default = parse_restrictions(body)
                current.restrictions.extend(found)
                current.default = default or current.default
        elif body.startswith("+"):
            if current is not None:
                for syn in re.split(r"\s+\+", body[1:]):
                    current.phrases.append(fold(syn.replace("_", " ")))
        elif raw[0] not in " \t":
            phrase = body.split("[", 1)[0].replace("{", " ").replace("}", " ")
            current = PhoenixActor([fold(phrase.replace("_", " "))], [])
            found, default = parse_restrictions(body)
            current.restrictions.extend(found)
            current.default = default
            actors.append(current)
    return actors, generated


@dataclass
class Comparison:
    person: str
    country: str
    diff_days: int = 0  # worst boundary difference over the compared periods
    detail: str = "agrees"
    compared: int = 0  # our periods that overlap a Phoenix <country>GOV restriction
    missing: int = 0  # our periods Phoenix does not code as <country>GOV at all
    stale: bool = False  # Phoenix's GOV restriction is still open after our end


def union(spans: list[tuple[date, date]], slack: int = 7) -> list[tuple[date, date]]:
    """Merge consecutive terms (e.g. acting then elected, or prime minister then president)."""
    merged: list[list[date]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + timedelta(days=slack):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


# Phoenix's CountryInfo-derived entries start at 2003-01-01 for whoever was in office then,
# and code nearly everyone ELI until a 2000-01-01 placeholder: boundaries at these dates are
# artefacts of the reference, not claims about when a term began.
PHOENIX_ARTEFACT_STARTS = {date(2000, 1, 1), date(2003, 1, 1)}


def compare_person(name, country, spans, records, horizon) -> Comparison:
    """Compare our periods in office (consecutive terms merged) with Phoenix's <country>GOV
    restrictions for the same person.

    Each period is paired with the overlapping Phoenix restriction whose start and end are
    closest to ours; the difference is the larger of the start and end differences. Phoenix
    codes every cabinet post as GOV, covers many people only partly, and leaves many
    restrictions open-ended, so a period with no overlapping restriction counts as 'missing'
    and an open-ended restriction past our end as 'stale', not as disagreements.
    """
    result = Comparison(name, country)
    gov = country + "GOV"
    entries = [(lo, hi) for rec in records for c, lo, hi in rec.restrictions if c == gov]
    for start, end in union(spans):
        if start >= horizon:
            continue
        candidates = [(lo, hi) for lo, hi in entries if overlap((lo, hi), (start, end))]
        if not candidates:
            result.missing += 1
            continue
        result.compared += 1

        def score(entry, start=start, end=end):
            lo, hi = entry
            d_start = d_end = 0
            if lo is not None and start >= date(2000, 1, 1) and lo not in PHOENIX_ARTEFACT_STARTS:
                d_start = abs((lo - start).days)
            if hi is not None and end < horizon:
                d_end = abs((hi - end).days)
            return max(d_start, d_end)

        best = min(candidates, key=score)
        diff = score(best)
        if best[1] is None and end < horizon - timedelta(days=60):
            result.stale = True
        if diff > result.diff_days:
            result.diff_days = diff
            result.detail = f"ours {start}..{end if end < OPEN_END else ''} vs Phoenix {best[0] or ''}..{best[1] or ''}"
    return result


@pytest.mark.skipif(not PHOENIX_COUNTRIES.exists(), reason="Phoenix dictionary not available")
def test_leader_dates_against_phoenix(tables):
    actors, horizon = parse_phoenix(PHOENIX_COUNTRIES)
    index: dict[str, list[PhoenixActor]] = defaultdict(list)
    for actor in actors:
        for phrase in set(actor.phrases):
            index[phrase].append(actor)

    people: dict[tuple[str, str], dict] = {}
    for r in leader_rows(tables):
        if not r["country"] or r["code"] != r["country"] + "GOV":
            continue
        key = (r["name"], r["country"])
        person = people.setdefault(key, {"keys": set(), "spans": []})
        person["keys"] |= {fold(a) for a in [r["name"], *r.values("aliases")] if len(fold(a).split()) > 1}
        person["spans"].append((parse_date(r["start"]), parse_date(r["end"]) or OPEN_END))

    eligible = {k: v for k, v in people.items() if min(s for s, _ in v["spans"]) < horizon}
    results: list[Comparison] = []
    unmatched: list[str] = []
    for (name, country), person in sorted(eligible.items()):
        records = {id(a): a for k in person["keys"] for a in index.get(k, [])}
        records = [a for a in records.values() if any(c == country + "GOV" for c, _, _ in a.restrictions)]
        comparison = compare_person(name, country, person["spans"], records, horizon) if records else None
        if comparison is None or not comparison.compared:
            unmatched.append(f"{name} ({country})")
        else:
            results.append(comparison)

    disagreements = sorted((c for c in results if c.diff_days > 60), key=lambda c: -c.diff_days)
    print(
        f"\nPhoenix comparison (dictionary generated {horizon}): {len(eligible)} of our leaders were in "
        f"office before that date; {len(results)} matched a Phoenix person coded GOV during their "
        f"term, {len(unmatched)} did not; {len(disagreements)} differ by more than 60 days"
    )
    for c in disagreements:
        print(f"  DISAGREE {c.person} ({c.country}): {c.diff_days} days; {c.detail}")
    stale = [f"{c.person} ({c.country})" for c in results if c.stale]
    print(f"  Phoenix still GOV after our end date (open-ended restriction), {len(stale)}:", "; ".join(stale))
    partial = [f"{c.person} ({c.country})" for c in results if c.missing]
    print(f"  periods of ours Phoenix does not code as GOV, {len(partial)}:", "; ".join(partial))
    print(f"  unmatched, {len(unmatched)}:", "; ".join(unmatched))
    if disagreements:
        warnings.warn(
            f"{len(disagreements)} leaders' dates differ from Phoenix by > 60 days (run with -s)", stacklevel=1
        )

    assert len(results) >= 0.5 * len(eligible), f"only {len(results)} of {len(eligible)} leaders matched"
    assert len(disagreements) <= 0.2 * len(results), f"{len(disagreements)} of {len(results)} disagree"


def test_international_sectors_come_from_the_sector_table():
    from dyad.components.actors.knowledge import INTERNATIONAL_SECTORS
    from dyad.knowledge.tables import read_table

    tiers = {row["code"]: row["tier"] for _, row in read_table("actors/sectors.tsv")}
    assert {code for code, tier in tiers.items() if tier == "international"} == INTERNATIONAL_SECTORS
    assert {"IGO", "NGO", "MNC"} <= INTERNATIONAL_SECTORS and "GOV" not in INTERNATIONAL_SECTORS


def test_canadas_new_democrats_are_an_opposition_party(nlp):
    import dyad

    actors = dyad.code_text("NDP Leader Wab Kinew said the bill will not become law.", nlp=nlp).actors
    assert any(a.code == "CANOPPPTYNDP" for a in actors)
