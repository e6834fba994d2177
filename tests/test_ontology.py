import logging

from dyad.resources.ontology import cameo_table, is_cameo, lookup


def test_every_root_and_its_classes():
    table = cameo_table()
    for root in range(1, 21):
        code = f"{root:02d}"
        assert code in table, code
        entry = table[code]
        assert entry.quad_class == (1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4)
        # reducing relations (16, PLOVER SANCTION) is verbal conflict in PentaClass, as in PLOVER's quad table
        assert entry.penta_class == (0 if root <= 2 else 3 if root == 16 else entry.quad_class)


def test_subcode_without_goldstein_row_takes_its_parent_value():
    # 1951 (drone strike) has no row of its own in the Goldstein table; 195 does
    assert lookup("1951").goldstein == lookup("195").goldstein
    assert lookup("1213").goldstein == lookup("121").goldstein


def test_public_statements_have_no_plover_type_and_appeals_are_requests():
    assert lookup("010").plover_event is None
    assert lookup("021").plover_event == "REQUEST"
    # an appeal takes the mode of its parallel demand code
    assert lookup("0241").plover_mode == lookup("1041").plover_mode == "change"
    assert lookup("026").plover_mode == "meet"


def test_plover_mapping_follows_the_2021_table():
    assert lookup("190").plover_event == "ASSAULT"
    assert lookup("042").plover_mode == "visit"
    assert lookup("1724").plover_event == "COERCE"


def test_international_sanctions_are_sanction_as_the_plover_manual_codes_them():
    # the one documented override of the 2021 table (tools/build_ontology.py)
    entry = lookup("163")
    assert (entry.plover_event, entry.plover_mode) == ("SANCTION", "discontinue")


def test_every_code_has_a_goldstein_value_and_a_root():
    for code, entry in cameo_table().items():
        assert entry.goldstein is not None, code
        assert entry.root == code[:2]


def test_code_outside_cameo_is_accepted_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        entry = lookup("0999")
    assert not entry.known and entry.root == "09"
    assert entry.quad_class == 3  # borrowed from its CAMEO parent 09
    assert "not a CAMEO code" in caplog.text
    assert not is_cameo("0999")
    assert lookup("999").quad_class is None
