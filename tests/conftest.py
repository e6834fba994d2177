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


@pytest.fixture(scope="session")
def explorer_store(tmp_path_factory) -> Path:
    """The explorer's store (tests/support/servers.build_store), coded once a session: the tests that
    serve it read it only."""
    from tests.support.servers import build_store

    return build_store(tmp_path_factory.mktemp("explorer") / "store.duckdb")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
