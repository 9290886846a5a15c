"""`assistant serve`: the web chat UI at / and the HTTP API at /v1 (loopback by default)."""
from __future__ import annotations

from .common import settings_from


def run(args) -> int:
    from ..api import serve

    return serve(settings_from(args), host=args.host, port=args.port)
