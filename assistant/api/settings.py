"""Settings of the HTTP server, apart from the library's: API keys, limits, the feedback store.
Every field has an ASSISTANT_ variable, e.g. ASSISTANT_API_KEYS="key-one,key-two".

>>> ServerSettings(api_keys="a, b").keys()
['a', 'b']
"""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore", frozen=True)

    api_keys: SecretStr = Field(
        SecretStr(""),
        description="Comma-separated API keys. When set, every /v1 call needs 'Authorization: Bearer KEY' and the web UI "
                    "asks for a login (any user name, a key as the password). Never logged.",
    )
    max_upload_mb: float = Field(200.0, gt=0, description="Largest document or audio upload accepted (413 beyond).")
    max_json_kb: int = Field(1024, ge=1, description="Largest JSON request body accepted (413 beyond).")
    rate_limit_per_minute: int = Field(
        600, ge=0, description="Requests per minute per API key (per client address without keys); 0 turns it off.")
    feedback_db: Path | None = Field(None, description="SQLite file for thumbs up/down; default <library>/feedback.sqlite.")
    upload_collection: str = Field("uploads", min_length=1, max_length=100,
                                   description="Collection given to documents uploaded through the API or the UI.")

    def keys(self) -> list[str]:
        return [k.strip() for k in self.api_keys.get_secret_value().split(",") if k.strip()]

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
