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


def _speakers(nlp, text):
    return [q.speaker_name for q in dyad.code_text(text, nlp=nlp).quotes]


def test_a_pronoun_refers_to_the_main_subject_not_a_name_in_a_side_clause(nlp):
    text = ('Minister of Defence, General Tomas Alvarado, opened the academy on Friday. '
            'The minister also said that the funds approved by President Elena Ruiz would buy aircraft. '
            'According to him, "the air force will be ready by spring."')
    assert _speakers(nlp, text) == ["Tomas Alvarado"]


def test_a_newly_named_speaker_ends_the_previous_speech(nlp):
    text = ('"Tariffs hurt everyone," economist Daniel Moreau said. Central bank governor Ingrid Solberg, '
            'who spoke in Oslo, said growth would slow. "We need cooperation," she said.')
    assert _speakers(nlp, text) == ["Daniel Moreau", "Ingrid Solberg"]


def test_a_pronoun_skips_a_person_of_the_other_gender(nlp):
    text = ('The activist Paul Okafor was arrested in 2015. His wife Grace Okoro marched to the court on '
            'Monday. "We want answers," she said. Grace Okoro read the last letter that Paul Okafor sent. '
            'In it he wrote that his work was not a "reckless choice".')
    assert _speakers(nlp, text)[-1] == "Paul Okafor"


def test_a_family_name_written_first_takes_the_full_name(nlp):
    text = ('Lawyer Chen Mingyu was detained in 2016. His sister Zhao Lihua has campaigned since. '
            'Zhao said on Tuesday: "We will keep asking."')
    assert _speakers(nlp, text) == ["Zhao Lihua"]


def test_single_quotation_marks_around_a_clause_are_a_quotation(nlp):
    text = ("Prime Minister Anton Kovac defended the decision. 'Slovenia made its own choice in this case,' "
            "stressed Kovac. Critics called it a 'half measure'.")
    (quote,) = dyad.code_text(text, nlp=nlp).quotes
    assert quote.text.startswith("Slovenia made") and quote.speaker_name == "Anton Kovac"


def test_a_quotation_after_reported_speech_continues_it(nlp):
    text = ('Chief Obi Nnamdi, the group\'s leader, spoke in Enugu. He observed that the senator was '
            'respected. "He has never been accused of theft."')
    assert _speakers(nlp, text) == ["Obi Nnamdi"]


def test_the_subject_of_a_passive_cue_is_not_its_speaker(nlp):
    text = 'The lawyer Ivan Petrov has been charged with "subversion of state power" by prosecutors.'
    assert _speakers(nlp, text) != ["Ivan Petrov"]


def test_an_indefinite_role_noun_is_someone_new(nlp):
    text = ('Lawyer Marta Kowalska visited the prison. When reporters called the prison, a man who '
            'answered said: "You should not ask about this."')
    assert _speakers(nlp, text) == [None]
