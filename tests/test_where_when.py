"""Where and when matched events happened (`dyad evaluate --format articles --task where-when`), on
invented gold: the place within 40 km or the same region, the date at the gold's precision."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from dyad.evaluate.cli import evaluate
from dyad.evaluate.gold.articles import GoldLocation, read_articles
from dyad.evaluate.where_when import date_right, location_right, score_where_when
from dyad.records import Place
from dyad.resources.gazetteer import load_gazetteer


def _place(name, iso2, lat, lon, admin1=None, feature="city"):
    return Place(name=name, country_iso2=iso2, latitude=lat, longitude=lon, admin1=admin1, feature=feature)


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


def test_a_place_is_right_in_the_gold_country_and_near_the_gold_city(gazetteer):
    douma = GoldLocation(name="Douma", country="SY", level="city")
    assert location_right(douma, _place("Douma", "SY", 33.57, 36.40), gazetteer)
    assert not location_right(douma, _place("Moscow", "RU", 55.75, 37.62), gazetteer)
    assert not location_right(douma, _place("Aleppo", "SY", 36.20, 37.16), gazetteer)  # 300 km away
    assert not location_right(douma, _place("Syria", "SY", 35.0, 38.0, feature="country"), gazetteer)


def test_a_country_level_gold_needs_only_the_country(gazetteer):
    britain = GoldLocation(name="Britain", country="GB", level="country")
    assert location_right(britain, _place("London", "GB", 51.5, -0.13), gazetteer)
    assert not location_right(britain, None, gazetteer)


def _dated(date, precision="day"):
    return SimpleNamespace(date=date, date_precision=precision if date else None)


def test_a_date_is_compared_at_the_golds_precision():
    assert date_right("2018-03-31", _dated(dt.date(2018, 3, 31)))
    assert not date_right("2018-03-31", _dated(dt.date(2018, 4, 1)))
    assert date_right("2017-05", _dated(dt.date(2017, 5, 20))) and date_right("2015", _dated(dt.date(2015, 7, 9)))
    assert date_right("2017-05", _dated(dt.date(2017, 5, 1), "month"))
    assert not date_right("2017-05-01", _dated(dt.date(2017, 5, 1), "month"))  # a month is not that day
    assert not date_right("2018-03-31", _dated(None))


def _gold_file(tmp_path):
    article = {"id": "a1", "date": "2020-05-02", "text": "Invented.",
               "events": [{"source": "FRA", "target": "DEU", "code": "04", "sentence": "x",
                           "location": {"name": "Paris", "country": "FR", "level": "city"}, "date": "2020-05-01"},
                          {"source": "DEU", "target": "FRA", "code": "11", "sentence": "y",
                           "location": None, "date": None},
                          {"source": "ITA", "target": "ESP", "code": "19", "sentence": "z",
                           "location": {"name": "Spain", "country": "ES", "level": "country"}}]}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(article) + "\n", encoding="utf-8")
    return path


def _event(source, target, code, place, date):
    return SimpleNamespace(source=SimpleNamespace(code=source), target=SimpleNamespace(code=target), code=code,
                           root_code=code[:2], location=place, date=date, date_method="test", sentence="s",
                           date_precision="day" if date else None)


def test_matched_events_are_scored_once_each_and_unmatched_ones_not_at_all(tmp_path):
    golds = read_articles(_gold_file(tmp_path))
    events = [_event("FRAGOV", "DEU", "040", _place("Paris", "FR", 48.86, 2.35), dt.date(2020, 5, 1)),
              _event("FRA", "DEU", "042", _place("Berlin", "DE", 52.52, 13.40), None),  # a later mention
              _event("DEU", "FRA", "111", None, dt.date(2020, 5, 2))]
    out = score_where_when(golds, [SimpleNamespace(events=events)], n_errors=5)
    assert out["gold_events"] == 3 and out["matched_events"] == 2
    assert (out["location_scored"], out["location_right"]) == (1, 1)  # the first mention's place
    assert (out["date_scored"], out["date_right"]) == (1, 1)
    assert out["location_null_share"] == 0.0 and out["errors"] == []


def test_the_cli_reports_the_figures_as_json(tmp_path, monkeypatch):
    path = _gold_file(tmp_path)
    fake = [SimpleNamespace(events=[_event("FRA", "DEU", "040", None, None)])]
    monkeypatch.setattr("dyad.evaluate.where_when.code_articles", lambda *a, **k: fake)
    done = CliRunner().invoke(evaluate, ["--format", "articles", "--task", "where-when", str(path), "--json"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.output)
    assert out["matched_events"] == 1 and out["location_accuracy"] == 0.0 and out["location_null_share"] == 1.0
    assert out["date_accuracy"] == 0.0
