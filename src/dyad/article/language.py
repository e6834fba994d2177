"""Which language an article is in: dyad codes English, and says so when it is handed another."""

from __future__ import annotations

import functools

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

# The languages most news archives mix with English; a text in none of them still gets the
# nearest, which is not English for non-Latin scripts and unrelated Latin-script languages.
_CANDIDATES = (
    "ENGLISH", "FRENCH", "GERMAN", "SPANISH", "PORTUGUESE", "ITALIAN", "DUTCH", "RUSSIAN", "UKRAINIAN",
    "POLISH", "TURKISH", "ARABIC", "PERSIAN", "URDU", "HINDI", "CHINESE", "JAPANESE", "KOREAN",
    "INDONESIAN", "SWEDISH",
)
# Detection reads this many leading characters: about 0.4 ms per article in lingua's low-accuracy
# mode (its high-accuracy models add ~275 MB), inside the cleaning budget: `python benchmarks/pipeline.py`;
# the English check over the gold corpora holds with it: `python benchmarks/language.py`.
SAMPLE_CHARS = 500


@functools.cache
def _detector() -> LanguageDetector:
    languages = [getattr(Language, name) for name in _CANDIDATES]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


# English unless lingua gives English less than this confidence. Short English sentences full of
# foreign names ("French President Jacques Dupont met ... in Berlin") can come out Italian with
# English at 0.27; French, German or Spanish sentences give English 0.00-0.01. Calibrated so that
# every English article of the shared gold corpora (PolNeAR, GeoWebNews, LGL) stays English:
# `python benchmarks/language.py`.
ENGLISH_MIN_CONFIDENCE = 0.05
# ...and another language must be decisive: a short English sentence of names ("Kosovo Albanians
# attacked Serbian police.") spreads over Swedish 0.52 and Italian 0.47, while a French, German or
# Spanish sentence of four words already scores 1.00. Set on those short sentences; re-measure with
# `python -m pytest tests/test_pipeline.py -k short_texts` and `python benchmarks/language.py`.
FOREIGN_MIN_CONFIDENCE = 0.9


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language ("en" unless clearly another), None without letters."""
    sample = text[:SAMPLE_CHARS]
    if not sample.isascii():  # lingua takes UTF-8: a lone surrogate ("\\ud800" from JSON) is no character
        sample = sample.encode("utf-8", "replace").decode("utf-8")
    if not any(ch.isalpha() for ch in sample):
        return None
    detector = _detector()
    if detector.compute_language_confidence(sample, Language.ENGLISH) >= ENGLISH_MIN_CONFIDENCE:
        return "en"
    ranked = detector.compute_language_confidence_values(sample)
    if not ranked or ranked[0].value < FOREIGN_MIN_CONFIDENCE:
        return "en"
    return ranked[0].language.iso_code_639_1.name.lower()
