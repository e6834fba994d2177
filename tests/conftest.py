from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    import dyad

    return dyad.load()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
