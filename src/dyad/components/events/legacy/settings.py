"""The coder's settings, read from TABARI ``.options`` commands and ``PETR_config.ini`` values.

Defaults are the legacy programs' own (the manual sections are cited); a caller's options override
the dictionaries' ones key by key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# TABARI 7.8 defaults: comma-delimited clauses of MIN < n <= MAX words are dropped (EMIN/EMAX for
# the last clause, BMIN/BMAX for the first; BMIN > BMAX means the first clause is never dropped)
COMMA_DEFAULTS = {"MIN": 2, "MAX": 10, "EMIN": 2, "EMAX": 10, "BMIN": 255, "BMAX": 0}
# TABARI 8.2.3 default: shorter sentences are not coded (a comma counts as a word)
MIN_WORDS_DEFAULT = 8


def _int(value: str | None, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


@dataclass(slots=True)
class Settings:
    """What the options ask of the coder (TABARI manual ch. 8; PETRARCH ``PETR_config.ini``)."""

    code_all: bool = False  # TABARI 8.2.1 CODE ALL: every event of a clause, not only the first
    code_by_sentence: bool = False  # CODE BY SENTENCE: the first event of the sentence only
    convert_agents: bool = False  # TABARI 8.2.6: an agent without an actor becomes an actor
    comma: dict[str, int] = field(default_factory=lambda: dict(COMMA_DEFAULTS))
    defaults: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> (code, PRIOR|AFTER|"")
    min_words: int = MIN_WORDS_DEFAULT
    # TABARI 8.4: "^^*****NNN*SSS" says where the story (N) and sentence (S) numbers are in the
    # record id; empty: no forwarding
    forward: str = ""
    require_dyad: bool = True  # PETRARCH: an event needs a target


def read_settings(options: dict[str, str]) -> Settings:
    """:class:`Settings` from option keys and values as :class:`Dictionaries.options` holds them."""
    o = {k.upper(): v for k, v in options.items()}
    s = Settings()
    code_by = " ".join(v for k, v in o.items() if k.startswith("SET:CODE")) + " " + " ".join(
        k for k in o if k.startswith("SET:CODE"))
    s.code_all = "ALL" in code_by.upper()
    s.code_by_sentence = "SENTENCE" in code_by.upper()
    convert = o.get("SET:CONVERT AGENT", o.get("SET:CONVERT AGENTS", "FALSE"))
    s.convert_agents = str(convert).strip().upper().startswith("T")
    comma = o.get("COMMA")
    if comma is not None:
        if comma.strip().upper().startswith("OFF"):
            s.comma = {k: 0 for k in s.comma}
        for key, value in re.findall(r"([A-Z]+)\s*=\s*(\d+)", comma.upper()):
            if key in s.comma:
                s.comma[key] = int(value)
    default = o.get("DEFAULT")
    if default and not default.strip().upper().startswith("OFF"):
        for role, code, where in re.findall(r"(SOURCE|TARGET)\s*\[([^\]]*)\]\s*(PRIOR|AFTER)?", default.upper()):
            s.defaults[role] = (code.strip(), where)
    s.min_words = _int(o.get("SET:MINIMUM WORDS"), MIN_WORDS_DEFAULT)
    forward = str(o.get("FORWARD", "")).split()
    # OFF keeps the ids but does not forward
    s.forward = forward[0].lstrip("^") if forward and "OFF" not in (w.upper() for w in forward) else ""
    dyad = next((v for k, v in o.items() if k.endswith("REQUIRE_DYAD")), "TRUE")
    s.require_dyad = str(dyad).strip().upper() != "FALSE"
    return s
