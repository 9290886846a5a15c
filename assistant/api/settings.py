"""Settings of the HTTP server, apart from the library's: API keys and their collections, limits,
the feedback and audit stores. Every field has an ASSISTANT_ variable, e.g.
ASSISTANT_API_KEYS="key-one,key-two" or ASSISTANT_API_KEYS="key-one:plant-a|plant-b,key-two:*".

>>> ServerSettings(api_keys="a, b").keys()
['a', 'b']
>>> ServerSettings(api_keys="a:plant-a, b").grants()[0][1] == frozenset({"plant-a"})
True
"""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore", frozen=True, hide_input_in_errors=True)

    api_keys: SecretStr = Field(
        SecretStr(""),
        description="Comma-separated API keys, each optionally limited to collections: 'KEY' or 'KEY:*' (every "
                    "collection), 'KEY:plant-a|plant-b' (those only). Keys may not contain ',' or ':'. When set, every /v1 "
                    "call needs 'Authorization: Bearer KEY' and the web UI asks for a login (any user name, a key with "
                    "every collection as the password). Never logged; logs and the audit log name a key by a hash.",
    )
    max_upload_mb: float = Field(200.0, gt=0, description="Largest document or audio upload accepted (413 beyond).")
    max_json_kb: int = Field(1024, ge=1, description="Largest JSON request body accepted (413 beyond).")
    rate_limit_per_minute: int = Field(
        600, ge=0, description="Requests per minute per API key (per client address without keys); 0 turns it off.")
    feedback_db: Path | None = Field(None, description="SQLite file for thumbs up/down; default <library>/feedback.sqlite.")
    upload_collection: str = Field("uploads", min_length=1, max_length=100,
                                   description="Collection given to documents uploaded through the API or the UI.")
    audit_db: Path | None = Field(None, description="SQLite audit log of requests (who asked what, which sources "
                                                    "came back); default <library>/audit.sqlite.")
    audit: bool = Field(True, description="Keep the audit log.")

    @model_validator(mode="after")
    def _keys_parse(self):
        # a malformed entry fails at startup; hide_input_in_errors keeps the keys out of the message
        self.grants()
        return self

    def keys(self) -> list[str]:
        return [k for k, _ in self.grants()]

    def grants(self) -> list[tuple[str, frozenset[str] | None]]:
        """(key, its collections or None for every collection) for each configured key."""
        from ..access import parse_keys

        return parse_keys(self.api_keys.get_secret_value())

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
