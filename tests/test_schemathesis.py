"""Property-based API testing: schemathesis reads the running server's /openapi.json and sends
generated requests to every operation, valid and invalid (positive and negative modes), with a
valid key (restricted to one collection, so the access checks are on the path). No response may be
a 5xx. Bounded: a few examples per operation, derandomized, and a time budget for the whole run; the
run reports how many requests it sent and fails when the budget cut it below MIN_CASES or left an
operation without any.

Tested with schemathesis 4.32.5 beside pytest 9.0.3 and 9.1.1; pytest 9.2.0 breaks schemathesis 4.32.5's
pytest plugin ("'Function' object has no attribute '_nodeid'"), hence the exact pins of the [test] extra."""
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
MIN_CASES = 100  # fewer requests than this sent within the budget is a failure, not a quiet pass
_started: list[float] = []
_sent: dict[str, int] = {}  # operation label -> requests sent
_cut: list[str] = []  # operation labels of the examples the budget dropped


@pytest.fixture(scope="module", autouse=True)
def _enough_requests(request):
    """After the run: say how many requests were sent (and dropped by the budget) per operation, and fail
    when fewer than MIN_CASES were sent or an operation got none, instead of passing on a cut-short run."""
    yield
    if not _sent and not _cut:
        return  # the fuzz test was deselected
    sent = sum(_sent.values())
    line = f"schemathesis: {sent} requests sent to {len(_sent)} operations, {len(_cut)} dropped by the {BUDGET_S:.0f} s budget"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
    starved = sorted(set(_cut) - set(_sent))
    assert sent >= MIN_CASES and not starved, f"{line}; fewer than {MIN_CASES} or an operation got none: {starved}"


@pytest.fixture(scope="module")
def api_url(sample_index, settings, embedder, tmp_path_factory):
    """A server over a throwaway copy of the sample library (generated DELETEs and uploads change it)."""
    from assistant.api import create_app
    from assistant.api.background import BackgroundServer
    from assistant.api import assistant_for
    from assistant.api.settings import ServerSettings

    lib = tmp_path_factory.mktemp("fuzz") / "library"
    shutil.copytree(sample_index, lib)
    s = settings.model_copy(update={"index_dir": lib})
    server = ServerSettings(api_keys=f"{KEY}:default|uploads", rate_limit_per_minute=0, max_upload_mb=1)
    with BackgroundServer(create_app(s, server, assistant=assistant_for(s, server, embedder=embedder, llm=None), ui=False)) as url:
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
    label = case.operation.label
    if time.monotonic() - _started[0] > BUDGET_S:
        _cut.append(label)
        return
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"}, checks=[not_a_server_error], timeout=60)
    _sent[label] = _sent.get(label, 0) + 1
