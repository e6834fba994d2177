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
