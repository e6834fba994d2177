import dyad


def test_quote_after_named_speaker_with_cue(nlp):
    result = dyad.code_text('“We will not retreat,” Defence Minister Maria Lopez said on Monday.', nlp=nlp)
    (quote,) = result.quotes
    assert quote.text == "We will not retreat,"
    assert quote.speaker_name == "Maria Lopez" and quote.cue == "said"


def test_pronoun_speaker_resolves_to_the_named_person_before(nlp):
    text = ('Prime Minister Jonas Berg spoke in parliament on Tuesday.\n\n'
            '"The budget is balanced," he said.')
    (quote,) = dyad.code_text(text, nlp=nlp).quotes
    assert quote.speaker == "he" and quote.speaker_name == "Jonas Berg"


def test_unbalanced_quotation_mark_does_not_break_the_article(nlp):
    result = dyad.code_text('The mayor said "the bridge will reopen soon.\n\nPolice arrested two men.', nlp=nlp)
    assert result.status == "coded"


def test_verbal_event_in_quoted_words_takes_the_speaker_as_source(nlp):
    text = ('Greek Prime Minister Nikos Andreou spoke in Athens on Monday.\n\n'
            '"We condemn Turkey," Andreou told reporters.')
    result = dyad.code_text(text, nlp=nlp)
    (quote,) = result.quotes
    assert quote.speaker_code == "GRCGOV"
    found = [(e.source.code, e.code, e.target.code) for e in result.events]
    assert ("GRCGOV", "111", "TUR") in found
    (event,) = [e for e in result.events if e.code == "111"]
    assert "first person in a quotation" in event.source.evidence and event.source.basis == "quote_speaker"


def test_cue_in_the_next_sentence_names_the_speaker(nlp):
    text = '"We will achieve justice in this case." Regional police Chief Maria Solano said on Monday.'
    (quote,) = dyad.code_text(text, nlp=nlp).quotes
    assert quote.speaker_name == "Maria Solano"


def test_dash_credit_after_a_quote_names_the_speaker(nlp):
    text = ('Voters in the border towns told us what they think of the campaign.\n\n'
            '“This campaign has woken us up.” — Carla Mendes\n“Nobody listens to us.” — Pedro Alves\n\nMore follow.')
    quotes = dyad.code_text(text, nlp=nlp).quotes
    assert [q.speaker_name for q in quotes] == ["Carla Mendes", "Pedro Alves"]


def test_speech_continued_in_the_next_paragraph_keeps_its_speaker(nlp):
    text = ('“The budget is balanced,” Finance Minister Olga Petrova said.\n\n'
            '“Next year we will cut taxes for families.”')
    quotes = dyad.code_text(text, nlp=nlp).quotes
    assert [q.speaker_name for q in quotes] == ["Olga Petrova", "Olga Petrova"]
    assert quotes[1].cue is None


def test_pronoun_speaker_takes_the_named_persons_actor_code(nlp):
    text = ('French Foreign Minister Paul Girard arrived in Rome on Monday.\n\n'
            '"Europe must act together," he said.')
    (quote,) = dyad.code_text(text, nlp=nlp).quotes
    assert quote.speaker_name == "Paul Girard" and quote.speaker_code == "FRAGOV"


def test_a_speech_verb_names_the_speaker_before_an_according_to_outlet(nlp):
    text = ('Spokesman Pavel Orlov says “the talks will go on until a deal is reached,” according to the '
            'Interfax news agency.')
    (quote,) = dyad.code_text(text, nlp=nlp).quotes
    assert "Pavel Orlov" in quote.speaker_name and quote.cue == "says"
    (quote,) = dyad.code_text('“The talks will go on,” according to Pavel Orlov, the spokesman.', nlp=nlp).quotes
    assert quote.speaker_name == "Pavel Orlov"


def test_a_quotation_over_several_paragraphs_opens_each_one(nlp):
    # the wire convention (each paragraph opens, only the last closes), run together by a scraper
    text = ('Defence Minister Maria Lopez said on Monday: “We have recruited more soldiers this year. '
            '“We have also bought new equipment for the navy,” she added.')
    quotes = dyad.code_text(text, nlp=nlp).quotes
    assert [q.text.split()[:3] for q in quotes] == [["We", "have", "recruited"], ["We", "have", "also"]]
