"""Language check calibration: every English article of the shared corpora must stay English.

    python benchmarks/language.py

Prints how many articles of PolNeAR, GeoWebNews and LGL are not detected as English (target: 0)
and the lowest English confidence seen, against `dyad.article.language.ENGLISH_MIN_CONFIDENCE`.
"""

from __future__ import annotations

import re

from corpus import SHARED, polnear_texts, require_shared
from lingua import Language

from dyad.article.clean import clean_text
from dyad.article.language import ENGLISH_MIN_CONFIDENCE, SAMPLE_CHARS, _detector, detect_language


def gold_place_texts() -> list[str]:
    texts = []
    for name in ("GWN.xml", "lgl.xml"):
        path = SHARED / "gold/places" / name
        if path.exists():
            raw = re.findall(r"<text>(.*?)</text>", path.read_text(encoding="utf-8"), flags=re.S)
            texts += [re.sub(r"^<!\[CDATA\[|\]\]>$", "", t.strip()) for t in raw]
    return texts


def main() -> None:
    require_shared()
    texts = [clean_text(t).text for t in polnear_texts(10_000) + gold_place_texts()]
    texts = [t for t in texts if t.strip()]
    misses = [t[:80] for t in texts if detect_language(t) != "en"]
    lowest = min(_detector().compute_language_confidence(t[:SAMPLE_CHARS], Language.ENGLISH) for t in texts)
    print(f"{len(texts)} English articles; not detected as English: {len(misses)}")
    print(f"lowest English confidence {lowest:.3f} (threshold {ENGLISH_MIN_CONFIDENCE})")
    for miss in misses[:10]:
        print("  ", miss)


if __name__ == "__main__":
    main()
