"""Near-duplicate grouping with texts written for the tests."""

from dyad.corpus.stories import CONFIRM_JACCARD, group_stories, jaccard, shingles

LEAD = "Government troops retook the northern town of Karsa on Sunday after three days of fighting with rebels."
BODY = [
    "Residents said the shelling stopped before dawn and that families began returning from the hills by noon.",
    "A spokesman for the rebel alliance said its fighters had withdrawn to spare civilians further bloodshed.",
    "The defence ministry said forty soldiers had been wounded and that engineers were clearing mines from roads.",
    "Aid agencies asked both sides to open a corridor for food convoys heading to the besieged valley towns.",
    "The town had been held by the rebels since a surprise offensive in the spring that displaced thousands.",
]
OTHER = ("Parliament approved the new budget on Tuesday after a long debate over fuel subsidies, teacher "
         "salaries and the cost of servicing the national debt, which has doubled in five years.")


def article(lead: str, body: list[str]) -> str:
    return "\n\n".join([lead, *body])


def test_wire_copy_with_new_lead_trimmed_end_and_insert_joins_its_original():
    original = article(LEAD, BODY)
    copy = article("Army forces have recaptured Karsa, officials said.", [*BODY[:3], OTHER, *BODY[3:4]])
    assert jaccard(shingles(original), shingles(copy)) >= CONFIRM_JACCARD
    stories = group_stories([("b-copy", copy), ("a-orig", original), ("c-other", article(OTHER, [OTHER[::-1]]))])
    assert stories["a-orig"] == stories["b-copy"] == "a-orig"
    assert stories["c-other"] == "c-other"


def test_grouping_does_not_depend_on_input_order():
    texts = [("x", article(LEAD, BODY)), ("y", article(LEAD, BODY[:4])), ("z", article(LEAD, BODY[1:]))]
    assert group_stories(texts) == group_stories(list(reversed(texts)))
    assert set(group_stories(texts).values()) == {"x"}


def test_same_topic_different_story_stays_apart():
    first = article(LEAD, BODY[:2])
    second = ("Rebels said on Monday they would retake Karsa within weeks, accusing government troops of looting "
              "shops and homes after the town fell. The alliance's commander spoke by telephone from the hills.")
    stories = group_stories([("a", first), ("b", second)])
    assert stories["a"] != stories["b"]


def _coded(article_id: str, text: str):
    from dyad.records import Article, Result

    return Result(article=Article(id=article_id, text=text), status="coded")


def test_stories_kept_current_batch_by_batch_equal_a_full_regroup():
    """New articles joining stories, an update that breaks a story apart and one that merges two, each
    written with `stories=True`, leave the groups a whole-corpus regroup gives."""
    from dyad.corpus.store import Store

    other = article(OTHER, ["Ministers defended the spending plan in a late session of the upper house."])
    chain = [article(LEAD, BODY[:3]), article(LEAD, BODY[1:4]), article(LEAD, BODY[2:])]
    store = Store(":memory:")
    stories = lambda: dict(store.connection.execute("SELECT article_id, story_id FROM stories").fetchall())  # noqa: E731
    batches = [[_coded("m", chain[0]), _coded("z", other)], [_coded("b", chain[1])], [_coded("k", chain[2])],
               [_coded("b", other)],  # the bridge rewritten: m and k fall apart, b joins z
               [_coded("q", chain[1])]]  # a new bridge joins m and k again
    seen = []
    for batch in batches:
        store.add(batch, stories=True)
        seen.append(stories())
        store.update_stories()
        assert seen[-1] == stories()
    assert seen[2]["m"] == seen[2]["k"] == "b" and seen[3]["m"] != seen[3]["k"]
    assert stories()["b"] == stories()["z"] == "b" and stories()["m"] == stories()["k"] == stories()["q"] == "k"
    assert store.count("story_bands") == 5 * 37  # every coded article's band keys are kept
    store.close()


def test_grouping_gives_each_articles_band_keys_from_the_same_signature():
    from dyad.corpus.stories import band_keys, group_stories

    texts = [("b", "Police arrested four protesters in Paris on Monday, the French government said today."),
             ("a", "Police arrested four protesters in Paris on Monday, the French government said."),
             ("c", "..."), ("d", "Floods hit the north of the country after a week of heavy rain, officials said.")]
    bands: dict = {}
    assert group_stories(texts, bands) == group_stories(texts)
    assert bands == {article_id: band_keys(text) for article_id, text in texts}
    assert bands["c"] is None and len(bands["a"]) > 1
