"""dyad's own actor coder: titles and adjectives, names, metonyms, dates, sector nouns, context."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dyad.records import Article


def coded(nlp, text: str, date: dt.date | None = None, dateline: str | None = None):
    doc = nlp.make_doc(text)
    doc._.article = Article(id="t", text=text, date=date, dateline=dateline, language="en")
    doc = nlp(doc)
    return {a.text: a.code for a in doc._.actors}, doc._.actors


def code_of(actors: dict, text: str) -> str | None:
    return next((code for span, code in actors.items() if text in span), None)


def test_title_and_adjective_code_a_person_on_no_list(nlp):
    actors, found = coded(nlp, "Chilean Foreign Minister Tomas Varga arrived in Lima on Tuesday.")
    assert code_of(actors, "Tomas Varga") == "CHLGOV"
    assert all(a.evidence for a in found)


def test_later_surname_links_to_the_person(nlp):
    _actors, found = coded(nlp, "Chilean Foreign Minister Tomas Varga arrived on Tuesday. Varga praised the deal.")
    later = [a for a in found if a.text == "Varga"]
    assert later and later[0].code == "CHLGOV" and "same person" in later[0].evidence


@pytest.mark.parametrize(("text", "span", "code"), [
    ("The Kremlin rejected the proposal on Friday.", "Kremlin", "RUSGOV"),
    ("Downing Street denied the report.", "Downing Street", "GBRGOV"),
    ("Assad's regime bombed the suburbs again.", "Assad's regime", "SYRGOV"),
    ("The United Nations condemned the attack.", "United Nations", "IGOUNO"),
])
def test_metonyms_and_organizations(nlp, text, span, code):
    actors, _ = coded(nlp, text, date=dt.date(2015, 5, 1))
    assert code_of(actors, span) == code


def test_leaders_are_coded_by_the_article_date(nlp):
    text = "Donald Trump spoke with reporters."
    in_office, _ = coded(nlp, text, date=dt.date(2018, 1, 5))
    out_of_office, _ = coded(nlp, text, date=dt.date(2022, 6, 1))
    assert code_of(in_office, "Trump") == "USAGOV"
    assert code_of(out_of_office, "Trump") == "USAELI"


def test_no_date_takes_the_most_recent_role(nlp):
    actors, _ = coded(nlp, "Bashar al-Assad addressed the crowd.")
    assert code_of(actors, "Assad") == "SYRGOV"


@pytest.mark.parametrize("text", [
    "The state will pay for the repairs.",
    "Market forces pushed prices up.",
    "A drone was seen over the stadium.",
    "The missile attack damaged a bridge.",
    "The leader of the choir was absent.",
    "Traffic was slow near the police station.",
    "The book is about French wine.",
])
def test_broad_sector_nouns_make_no_actor(nlp, text):
    actors, _ = coded(nlp, text)
    assert actors == {}


def test_qualified_nouns_code_with_a_country(nlp):
    actors, _ = coded(nlp, "Israeli forces and Egyptian drones were deployed.")
    assert code_of(actors, "Israeli forces") == "ISRMIL"
    assert code_of(actors, "Egyptian drones") == "EGYMIL"


def test_coordinated_countries_split_the_phrase(nlp):
    actors, _ = coded(nlp, "US and British forces secured the port.")
    assert set(actors.values()) >= {"USAMIL", "GBRMIL"}


def test_generic_head_yields_to_its_modifier(nlp):
    actors, _ = coded(nlp, "A Somali rebel leader was captured.")
    assert code_of(actors, "rebel leader") == "SOMREB"


def test_possessor_and_agentive_adjective(nlp):
    actors, _ = coded(nlp, "Serbia rejected the Croatian government's request and an Italian proposal.")
    assert code_of(actors, "Croatian government") == "HRVGOV"
    assert code_of(actors, "Italian") == "ITA"


def test_context_country_from_dateline(nlp, fixtures):
    article = json.loads((fixtures / "actors" / "articles.jsonl").read_text().splitlines()[0])
    actors, found = coded(nlp, article["text"].split(" - ", 1)[1], dateline="TRIPOLI, Libya")
    assert code_of(actors, "police") == "LBYCOP"
    assert code_of(actors, "government") == "LBYGOV"
    assert any("article context" in a.evidence for a in found)


def test_the_dateline_is_the_last_resort(nlp):
    # the dateline says where the reporter is: it decides only when the text names no country
    actors, found = coded(nlp, "Police said two men were arrested.", dateline="TRIPOLI, Libya")
    assert code_of(actors, "Police") == "LBYCOP" and any("dateline" in a.evidence for a in found)
    actors, _ = coded(nlp, "Police said two men were arrested. Tunisia and Tunisian police welcomed it.",
                      dateline="TRIPOLI, Libya")
    assert code_of(actors, "Police") == "TUNCOP"


def test_context_country_from_the_most_mentioned_country(nlp):
    text = ("Fighting spread across Mali on Monday. Malian troops retook two towns. "
            "Rebels said they had withdrawn. Mali's president praised the army. Aid workers left Bamako. "
            "A Senegalese envoy is expected on Friday.")
    actors, _ = coded(nlp, text)
    assert code_of(actors, "Rebels") == "MLIREB"
    assert code_of(actors, "Aid workers").startswith("NGO")  # international sectors take no context


def test_no_clear_context_leaves_the_sector_alone(nlp):
    text = ("Kenya and Uganda signed a deal. Kenyan and Ugandan officials met. "
            "Police said the border would reopen. Kenya and Uganda will review it.")
    actors, _ = coded(nlp, text)
    assert code_of(actors, "Police") == "COP"


def test_place_phrase_gives_the_country(nlp):
    actors, _ = coded(nlp, "Security forces in Guinea detained dozens of Liberian and Malian traders.")
    assert code_of(actors, "Security forces") == "GINCOP"


def test_process_codes_the_fixture_articles(nlp, fixtures):
    from dyad.surfaces.reports import actors_by_sentence, code_articles, uncoded

    records = [json.loads(line) for line in (fixtures / "actors" / "articles.jsonl").read_text().splitlines()]
    items = list(code_articles(records, nlp))
    assert [i.result.status for i in items] == ["coded"] * 3
    libya = {a.text: a.code for a in items[0].result.actors}
    assert code_of(libya, "Islamist fighters").startswith("LBY")
    hollande = [a for a in items[1].result.actors if a.text == "Hollande"]
    assert hollande and hollande[0].code == "FRAGOV"
    undated = {a.text: a.code for a in items[2].result.actors}
    assert code_of(undated, "Putin") == "RUSGOV" and code_of(undated, "United Nations") == "IGOUNO"
    assert actors_by_sentence(items[1].result)[0]["actors"]
    assert isinstance(uncoded(items), list)


def test_cli_actors(fixtures, tmp_path):
    from click.testing import CliRunner

    from dyad.surfaces.cli import main

    path = tmp_path / "a.txt"
    path.write_text("Chilean Foreign Minister Tomas Varga met Pedro Almagro in Lima. Almagro smiled.")
    out = CliRunner().invoke(main, ["actors", str(path)])
    assert out.exit_code == 0, out.output
    lines = [json.loads(line) for line in out.output.splitlines() if line.startswith("{")]
    assert lines[0]["actors"][0]["code"] == "CHLGOV"
    out = CliRunner().invoke(main, ["actors", "--uncoded", "--json", str(path)])
    rows = json.loads(out.output.strip().splitlines()[-1])
    assert rows[0]["text"] == "Pedro Almagro" and rows[0]["count"] == 1


def test_a_province_or_state_stands_for_its_country(nlp):
    actors, found = coded(nlp, "Ontario's Liberal Party criticised the plan. Quebec Premier Jean Tremblay "
                               "said the policy was wrong.")
    assert code_of(actors, "Party") == "CANPTY"
    assert code_of(actors, "Jean Tremblay") == "CANGOV"
    assert any("a region of CAN" in a.evidence for a in found)


@pytest.mark.parametrize(("text", "span", "code"), [
    # Russia is mentioned more often, but only as where ambassadors go: the ministers are Estonia's
    ("Estonia recalled its ambassador to Russia on Monday. Foreign Minister Mart Kask said Estonia "
     "had acted with its allies. The envoy returned to Moscow later. Estonia's decision was right, "
     "the minister said. Diplomats flew to Russia and to Moscow.", "Mart Kask", "ESTGOV"),
    # a paragraph with its own country gives its sectors that country
    ("Kenya and Uganda signed a trade deal on Monday. Kenya hopes to sell more tea.\n\n"
     "In Uganda, Ugandan farmers welcomed the deal. Ugandan traders agreed. The police "
     "closed the market for the day.", "police", "UGACOP"),
])
def test_context_scopes_and_destinations(nlp, text, span, code):
    actors, _ = coded(nlp, text)
    assert code_of(actors, span) == code


def test_a_role_noun_is_the_person_named_earlier_with_that_title(nlp):
    text = ("Saudi Arabia's ruler, Crown Prince Khalid bin Fahd, arrived in Cairo. Egypt welcomed him. "
            "Egyptian officials met Greek envoys. Later the crown prince praised Egypt.")
    _actors, found = coded(nlp, text, date=dt.date(2018, 3, 1))
    later = [a for a in found if a.text.lower() == "crown prince"]
    assert later and later[0].code.startswith("SAU") and later[0].basis == "earlier_mention"


def test_a_short_mixed_case_name_is_matched_as_written(nlp):
    actors, _ = coded(nlp, "The government will not let the bill pass, said LeT commanders in Pakistan.")
    assert not any(code and code.startswith("IMG") and "let" in span.split() for span, code in actors.items())
    assert any(code and code.startswith("IMG") for span, code in actors.items() if "LeT" in span)


def test_a_shared_party_name_followed_by_another_country_is_not_the_listed_one(nlp):
    actors, _ = coded(nlp, "The Communist Party of Vietnam met on Monday. The Communist Party of China met too.")
    assert not any(code and code.startswith("CHN") for span, code in actors.items() if "Vietnam" in span)
    assert code_of(actors, "Vietnam") and code_of(actors, "Vietnam").startswith("VNM")
    assert code_of(actors, "of China").startswith("CHN")


def test_a_role_takes_the_most_recent_person_with_a_country_holding_all_its_words():
    """link_titles' word index must give what scanning every earlier person gives: the latest match."""
    from dataclasses import dataclass, field

    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from dyad.components.actors.coreference import link_titles

    words = ["Foreign", "Minister", "Ana", "Defence", "Minister", "Bo", "Foreign", "Minister", "Cy",
             "the", "foreign", "minister", "the", "minister", "the", "admiral"]
    pos = ["ADJ", "PROPN", "PROPN"] * 3 + ["DET", "ADJ", "NOUN", "DET", "NOUN", "DET", "NOUN"]
    doc = Doc(Vocab(), words=words, pos=pos, lemmas=[w.lower() for w in words])

    @dataclass
    class Mention:
        start: int
        end: int
        code: str | None
        country: str | None
        sector: str | None = "GOV"
        full_code: bool = False
        international: bool = False
        basis: str = "sector"
        extra: list[str] = field(default_factory=list)

        @property
        def anchor(self):
            return doc[self.end - 1]

    people = [Mention(0, 3, "FRAGOV", "FRA"), Mention(3, 6, "DEUGOV", "DEU"), Mention(6, 9, None, None)]
    roles = [Mention(9, 12, "GOV", None), Mention(12, 14, "GOV", None), Mention(14, 16, "MIL", None)]
    link_titles(doc, [*people, *roles])
    # Cy holds both words but has no country; Bo is the latest minister with one; no admiral was named
    assert [(r.code, r.basis) for r in roles] == [("FRAGOV", "earlier_mention"), ("DEUGOV", "earlier_mention"),
                                                   ("MIL", "sector")]
    assert "'Foreign Minister Ana'" in roles[0].extra[0]
