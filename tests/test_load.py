"""Load: the real server process (`assistant serve`, as bench/load_bench.py starts it) takes 200
concurrent searches from 20 clients on loopback without a 5xx, is alive afterwards, and audits every
one of them. A few seconds of soak exercise the memory sampling. No timing assertions: the figures
are the benchmark's (docs/security.md)."""
from __future__ import annotations

import secrets
import shutil
import sqlite3

import pytest


@pytest.mark.slow
def test_200_concurrent_searches_no_5xx_and_the_server_lives(sample_index, tmp_path):
    from bench.load_bench import Server, burst, soak, warm_up

    lib = tmp_path / "library"
    shutil.copytree(sample_index, lib)  # the server writes its audit log into the library
    key = secrets.token_urlsafe(24)
    server = Server(lib, key, tmp_path / "server.log")
    try:
        warm_up(server.url, server.headers)
        r = burst(server.url, server.headers, clients=20, per_client=10)
        assert r["requests"] == 200 and r["server_errors"] == 0 and r["failed"] == 0, r
        assert r["outcomes"] == {"200": 200}
        assert server.alive()
        s = soak(server, 6, clients=2, sample_s=2)
        assert s["server_errors"] == 0 and s["requests"] > 0 and s["samples"] >= 3 and s["rss_max_mb"] > 0, s
        assert server.alive()
    finally:
        server.stop()
    db = sqlite3.connect(lib / "audit.sqlite")
    try:
        searches = db.execute("SELECT COUNT(*) FROM audit WHERE endpoint='/v1/search' AND status=200").fetchone()[0]
    finally:
        db.close()
    assert searches >= 201  # the warm-up, the burst and the soak's searches
    raw = b"".join(p.read_bytes() for p in lib.glob("audit.sqlite*")) + (tmp_path / "server.log").read_bytes()
    assert key.encode() not in raw
