"""Shared fixtures. Tests use the real bundled models offline; no test touches the network."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assistant" / "samples"
FIXTURES = ROOT / "tests" / "fixtures"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def settings():
    from assistant.settings import Settings

    return Settings(llm="none")


@pytest.fixture(scope="session")
def embedder():
    from assistant.index.embed import get_embedder

    return get_embedder("minilm")


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, settings, embedder) -> Path:
    """The bundled sample library, indexed once per test session. Treat as read-only."""
    from assistant.index.build import index_paths

    d = tmp_path_factory.mktemp("sample-index")
    report = index_paths([SAMPLES], settings, index_dir=d, progress=False, embedder=embedder, workers=1)
    assert not report.failed, report.failed
    return d


@pytest.fixture(scope="session")
def sample_library(sample_index, settings):
    from assistant.index.library import Library

    lib = Library.open(sample_index, settings)
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def retriever(sample_library, embedder):
    from assistant.retrieve import Retriever

    return Retriever(sample_library, embedder=embedder)


@pytest.fixture
def samples_copy(tmp_path) -> Path:
    """A writable copy of the sample documents."""
    d = tmp_path / "docs"
    shutil.copytree(SAMPLES, d, ignore=shutil.ignore_patterns("README.md", "__init__.py", "__pycache__"))
    return d


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
