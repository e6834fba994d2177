import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `from tests.support.newssite import NewsSite` (tests/ is not a package)
    sys.path.append(str(ROOT))

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    import dyad

    return dyad.load()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
