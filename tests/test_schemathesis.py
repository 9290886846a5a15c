"""Property-based API testing: schemathesis reads the running server's /openapi.json and sends
generated requests to every operation, valid and invalid (positive and negative modes), with a
valid key (restricted to one collection, so the access checks are on the path). No response may be
a 5xx. Bounded: a few examples per operation, derandomized, and a time budget for the whole run.

Tested with schemathesis 4.32.5 (pip install 'schemathesis>=4.0,<5')."""
from __future__ import annotations

import shutil
import time

import pytest

schemathesis = pytest.importorskip("schemathesis", minversion="4.0", reason="pip install 'schemathesis>=4.0,<5'")

from hypothesis import HealthCheck, settings as hsettings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

KEY = "fuzz-key-7Yq2"
MAX_EXAMPLES = 8
BUDGET_S = 75.0  # past this, the remaining examples are not sent (the run stays well under 90 s)
_started: list[float] = []


@pytest.fixture(scope="module")
def api_url(sample_index, settings, embedder, tmp_path_factory):
    """A server over a throwaway copy of the sample library (generated DELETEs and uploads change it)."""
    from assistant.api import create_app
    from assistant.api.background import BackgroundServer
    from assistant.api.service import Service
    from assistant.api.settings import ServerSettings

    lib = tmp_path_factory.mktemp("fuzz") / "library"
    shutil.copytree(sample_index, lib)
    s = settings.model_copy(update={"index_dir": lib})
    server = ServerSettings(api_keys=f"{KEY}:default|uploads", rate_limit_per_minute=0, max_upload_mb=1)
    with BackgroundServer(create_app(s, server, service=Service(s, server, embedder=embedder, llm=None), ui=False)) as url:
        yield url


@pytest.fixture
def api_schema(api_url):
    return schemathesis.openapi.from_url(api_url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@hsettings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
           suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_5xx(case):
    if not _started:
        _started.append(time.monotonic())
    if time.monotonic() - _started[0] > BUDGET_S:
        return
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"}, checks=[not_a_server_error], timeout=60)
