"""The CAMEO event ontology as data: names, classes, Goldstein values and the PLOVER mapping.

The table lives in `knowledge/cameo_events.tsv` (regenerate with `tools/build_ontology.py`). Codes
outside CAMEO are accepted: peer test dictionaries use many private codes. They get a warning once
per code and the classes of their nearest CAMEO parent, if any.
"""

from __future__ import annotations

import functools
import logging

import msgspec

from dyad.knowledge.tables import read_text

log = logging.getLogger(__name__)


class CameoCode(msgspec.Struct, frozen=True):
    code: str
    root: str
    name: str
    quad_class: int | None
    penta_class: int | None
    goldstein: float | None
    plover_event: str | None
    plover_mode: str | None
    plover_context: str | None
    known: bool = True  # False for codes outside CAMEO


@functools.cache
def cameo_table() -> dict[str, CameoCode]:
    text = read_text("cameo_events.tsv")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    header, body = rows[0], rows[1:]
    table = {}
    for row in body:
        f = dict(zip(header, row + [""] * (len(header) - len(row)), strict=True))
        table[f["code"]] = CameoCode(
            code=f["code"],
            root=f["root"],
            name=f["name"],
            quad_class=int(f["quad_class"]),
            penta_class=int(f["penta_class"]),
            goldstein=float(f["goldstein"]) if f["goldstein"] else None,
            plover_event=f["plover_event"] or None,
            plover_mode=f["plover_mode"] or None,
            plover_context=f["plover_context"] or None,
        )
    return table


@functools.cache
def lookup(code: str) -> CameoCode:
    """The ontology entry of `code`; unknown codes warn once and borrow their nearest parent's."""
    table = cameo_table()
    if code in table:
        return table[code]
    log.warning("event code %r is not a CAMEO code; accepted as is", code)
    for n in range(len(code) - 1, 1, -1):
        parent = table.get(code[:n])
        if parent is not None:
            return msgspec.structs.replace(parent, code=code, name=f"non-CAMEO code {code}", known=False)
    return CameoCode(
        code=code,
        root=code[:2],
        name=f"non-CAMEO code {code}",
        quad_class=None,
        penta_class=None,
        goldstein=None,
        plover_event=None,
        plover_mode=None,
        plover_context=None,
        known=False,
    )


def is_cameo(code: str) -> bool:
    return code in cameo_table()
