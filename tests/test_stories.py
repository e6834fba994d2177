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


def _copies(n: int) -> list[tuple[str, str]]:
    """`n` copies of one article, each with its own last line: their band buckets hold all `n`."""
    return [(f"w{k:03d}", article(LEAD, [*BODY, f"Filed by correspondent number {k} for edition {k * 7}."]))
            for k in range(n)]


def test_a_bucket_past_the_cap_pairs_linearly_and_keeps_its_copies_together():
    from dyad.corpus.stories import bands_of, candidate_pairs

    texts = _copies(120)
    buckets: dict = {}
    for article_id, text in texts:
        for band, key in enumerate(bands_of(shingles(text))):
            buckets.setdefault((band, key), []).append(article_id)
    largest = max(buckets.items(), key=lambda item: len(item[1]))
    assert len(largest[1]) == 120
    assert len(candidate_pairs([largest], None)) == 120 * 119 // 2
    assert len(candidate_pairs([largest], 4)) == 4 * 120 - 10  # each member with the 4 smallest ids below it
    every, capped = candidate_pairs(buckets.items(), None), candidate_pairs(buckets.items(), 4)
    assert len(every) == 120 * 119 // 2 and len(capped) < len(every) // 5
    assert group_stories(texts, cap=4) == group_stories(texts, cap=None)
    assert set(group_stories(texts, cap=4).values()) == {"w000"}


def test_stories_kept_current_past_the_cap_equal_a_full_regroup(monkeypatch):
    """With buckets bigger than the cap, batch-by-batch grouping (`add(stories=True)`, which regroups only
    what a batch touches) pairs a part of a bucket with the whole bucket's anchors: the full regroup's
    groups."""
    import random

    from dyad.corpus import stories as stories_module
    from dyad.corpus.store import Store

    monkeypatch.setattr(stories_module, "BUCKET_CAP", 3)
    chain = [article(LEAD, BODY[:3]), article(LEAD, BODY[1:4]), article(LEAD, BODY[2:])]
    texts = _copies(12) + [(f"c{k}", text) for k, text in enumerate(chain)]
    random.Random(3).shuffle(texts)
    store = Store(":memory:")
    grouped = lambda: dict(store.connection.execute("SELECT article_id, story_id FROM stories").fetchall())  # noqa: E731
    for start in range(0, len(texts), 2):
        store.add([_coded(i, t) for i, t in texts[start:start + 2]], stories=True)
        seen = grouped()
        store.update_stories()
        assert seen == grouped()
    assert grouped() == group_stories(texts, cap=3)
    # the anchors a part of the store is paired with are those of the whole bucket
    import pyarrow as pa

    store.connection.register("part", pa.table({"id": ["w007", "w011"]}))
    anchors = stories_module.bucket_anchors(store.connection, "part")
    assert anchors and all(len(ids) == 3 and ids == sorted(ids) for ids in anchors.values())
    assert ["w000", "w001", "w002"] in anchors.values()
    store.close()


def test_a_part_of_a_big_bucket_pairs_with_the_whole_buckets_anchors():
    from dyad.corpus.stories import candidate_pairs

    bucket = ((0, "k"), ["b", "d", "e", "f"])  # the whole bucket is a..f: its anchors (cap 2) are a and b
    assert candidate_pairs([bucket], 2) == {("b", "d"), ("b", "e"), ("b", "f"), ("d", "e"), ("d", "f")}
    assert candidate_pairs([bucket], 2, anchors={(0, "k"): ["a", "b"]}) == {("b", "d"), ("b", "e"), ("b", "f")}


def test_grouping_gives_each_articles_band_keys_from_the_same_signature():
    from dyad.corpus.stories import band_keys, group_stories

    texts = [("b", "Police arrested four protesters in Paris on Monday, the French government said today."),
             ("a", "Police arrested four protesters in Paris on Monday, the French government said."),
             ("c", "..."), ("d", "Floods hit the north of the country after a week of heavy rain, officials said.")]
    bands: dict = {}
    assert group_stories(texts, bands) == group_stories(texts)
    assert bands == {article_id: band_keys(text) for article_id, text in texts}
    assert bands["c"] is None and len(bands["a"]) > 1
