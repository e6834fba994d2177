"""Fuzzing the gold readers of `dyad evaluate` (issue 19): any file given as gold of any format reads into
well-typed records, or fails with a GoldError naming the file; nothing else escapes."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from dyad.evaluate.gold import FormatNotImplemented, GoldError, read_gold
from dyad.evaluate.gold.articles import read_articles
from dyad.evaluate.gold.conflibert import read_conflibert_ner
from dyad.evaluate.gold.plover_gsr import read_plover_gsr
from dyad.evaluate.pentaclass import read_class_gold
from dyad.evaluate.places import READERS as PLACE_READERS
from dyad.evaluate.plover import read_gold_sentences
from dyad.evaluate.quotes import read_polnear

from .conftest import one_line
from .strategies import hostile_bytes, seed_files

pytestmark = pytest.mark.fuzz

NER = (b"Russian B-S\ntroops I-S\nattacked O\nUkrainian B-T\nsoldiers I-T\n. O\n\nFrance B-S\ncondemned O\n"
       b"Iran B-T\n")
GWN = (b"<?xml version='1.0'?>\n<articles><article file='a1'><text>Troops left Gao for Bamako.</text>\n"
       b"<toponym><start>12</start><end>15</end><geonamesID>2457163</geonamesID><latitude>16.27</latitude>"
       b"<longitude>-0.04</longitude></toponym></article></articles>\n")
LGL = (b"<?xml version='1.0'?>\n<articles><article docid='7'><text>Flooding hit Dayton, Ohio.</text><toponyms>"
       b"<toponym><start>13</start><end>19</end><gaztag geonameid='4509884'><lat>39.75</lat><lon>-84.19</lon>"
       b"</gaztag></toponym></toponyms></article></articles>\n")
GEOVIRUS = (b"<articles><article><text>Cases rose in Lagos.</text><locations><location><start>15</start>"
            b"<end>20</end><lat>6.45</lat><lon>3.39</lon></location></locations></article></articles>\n")
JSON_GOLD = seed_files("events", "*.json", lines=12)
READERS = {
    "tabari": (lambda p: read_gold(p, "tabari"), seed_files("gold", "*.text", lines=40)),
    "petrarch-xml": (lambda p: read_gold(p, "petrarch-xml"), seed_files("gold", "*.xml", lines=40)),
    "jsonl": (lambda p: read_gold(p, "jsonl"), seed_files("gold", "gold.jsonl")),
    "auto": (read_gold, seed_files("gold", "*.text", "*.xml", "*.jsonl", lines=20) + JSON_GOLD),
    "articles": (read_articles, seed_files("gold", "articles.jsonl")),
    "plover-gsr": (read_plover_gsr, JSON_GOLD),
    "plover-events": (read_gold_sentences, JSON_GOLD),
    "conflibert-class": (read_class_gold, seed_files("events", "*.tsv")),
    "conflibert-ner": (read_conflibert_ner, (NER,)),
    "gwn": (lambda p: list(PLACE_READERS["gwn"](p)), (GWN,)),
    "lgl": (lambda p: list(PLACE_READERS["lgl"](p)), (LGL,)),
    "geovirus": (lambda p: list(PLACE_READERS["geovirus"](p)), (GEOVIRUS,)),
}
POLNEAR_TEXT = seed_files("polnear/text", "*.txt")
POLNEAR_ANN = seed_files("polnear/attributions", "*.ann")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-gold")


def well_typed(value) -> None:
    """Records whose fields hold what their types say (a title that is a number would break scoring later)."""
    if isinstance(value, list):
        for item in value:
            well_typed(item)
    elif isinstance(value, msgspec.Struct):
        msgspec.convert(msgspec.to_builtins(value), type(value))


def clear(error: GoldError, path) -> None:
    """One line naming the file, or the format `dyad evaluate --format` cannot read yet (a usage error)."""
    event(type(error).__name__)
    one_line(str(error))
    assert str(path) in str(error) or isinstance(error, FormatNotImplemented), str(error)


def _cases():
    return st.sampled_from(sorted(READERS)).flatmap(
        lambda fmt: st.tuples(st.just(fmt), hostile_bytes(READERS[fmt][1])))


@given(case=_cases())
def test_gold_files(folder, case):
    fmt, data = case
    path = folder / ("gold.xml" if fmt in ("gwn", "lgl", "geovirus") else "gold.txt")
    path.write_bytes(data)
    try:
        gold = READERS[fmt][0](path)
    except GoldError as error:
        clear(error, path)
        return
    event("read")
    if hasattr(gold, "records"):  # a GoldSet
        well_typed(gold.records)
        for warning in gold.warnings:
            one_line(warning, limit=2000)
    else:
        well_typed(gold)


@given(text=hostile_bytes(POLNEAR_TEXT), annotations=hostile_bytes(POLNEAR_ANN))
def test_polnear_folders(folder, text, annotations):
    split = folder / "polnear"
    (split / "text").mkdir(parents=True, exist_ok=True)
    (split / "attributions").mkdir(exist_ok=True)
    (split / "text" / "doc.txt").write_bytes(text)
    (split / "attributions" / "doc_aaaa.ann").write_bytes(annotations)
    try:
        articles = read_polnear(split)
    except GoldError as error:
        clear(error, split)
        return
    well_typed(articles)
