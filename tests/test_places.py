from dyad.places import resolve


def test_country_and_city_resolve_with_codes_and_coordinates():
    mali = resolve("Mali")
    assert (mali.country_iso2, mali.country_iso3, mali.feature) == ("ML", "MLI", "country")
    paris = resolve("Paris")
    assert paris.country_iso3 == "FRA" and abs(paris.latitude - 48.85) < 0.1


def test_unknown_name_resolves_to_nothing():
    assert resolve("Xyzzyville") is None


def test_demonym_is_reported_as_an_adjective_place(nlp):
    doc = nlp("Kenyan officials met the delegation.")
    kinds = {(p.name, p.kind, p.country_iso3) for p in doc._.places}
    assert ("Kenyan", "adjective", "KEN") in kinds
