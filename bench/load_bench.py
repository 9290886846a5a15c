"""Load and soak: the real server (`assistant serve`, a separate process, loopback, `--llm none`, an API
key and the audit log on) under concurrent clients.

Burst: `--clients` threads (httpx, one connection each) released together, each sending `--requests`
POST /v1/search back to back (20 x 10 = 200 by default). Reports p50/p95/p99 latency, errors by
status, and whether the server still answers /healthz afterwards.

Soak (`--soak [SECONDS]`, 60 when given without a value): a few clients loop search and ask requests
for that long while the server's resident memory is sampled every `--sample` seconds; reports start,
end and peak RSS and the slope of a least-squares line through the samples (MB/min).

    python bench/load_bench.py                       # burst on the bundled sample library
    python bench/load_bench.py --soak 300            # burst, then a 5-minute soak
    python bench/load_bench.py --index indexes/plant --clients 40 --requests 5

The rate limit is turned off for the server (ASSISTANT_RATE_LIMIT_PER_MINUTE=0): this measures
capacity, not the limiter.
"""
from __future__ import annotations

import argparse
import collections
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import ROOT, SAMPLES, percentile, report  # noqa: E402

QUERIES = ["filter housing cover torque", "return filter element part number", "accumulator pre-charge nitrogen",
           "lock-out before opening the filter housing", "CV-7 gearbox oil quantity", "SF6 gas pressure circuit breaker",
           "bearing envelope spectrum fault", "E-211 filter clogging indicator", "回油滤芯更换", "motor coupling spider"]
QUESTIONS = ["What torque for the filter housing cover on the HP-3?", "What is the part number of the return filter element?",
             "How much oil does the CV-7 gearbox take?", "What accumulator pre-charge pressure for the HP-3?"]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def build_sample_library(where: Path) -> Path:
    from assistant.app import Assistant
    from assistant.settings import Settings

    lib = where / "library"
    Assistant(Settings(llm="none", index_dir=lib), llm=None).index([SAMPLES], progress=False, workers=1)
    return lib


class Server:
    """`assistant serve` in its own process on a free loopback port; the key travels in the environment."""

    def __init__(self, index: Path, key: str, log: Path, timeout_s: float = 180.0):
        from assistant.api.background import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, ASSISTANT_API_KEYS=key, ASSISTANT_RATE_LIMIT_PER_MINUTE="0", HF_HUB_OFFLINE="1",
                   PYTHONPATH=str(ROOT), TOKENIZERS_PARALLELISM="false")
        self.log = open(log, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--index", str(index), "--llm", "none",
                                      "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.headers = {"Authorization": f"Bearer {key}"}
        deadline = time.monotonic() + timeout_s
        while not self.alive():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start (see {log})")
            time.sleep(0.5)

    def alive(self) -> bool:
        import httpx

        try:
            return httpx.get(self.url + "/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def warm_up(url: str, headers: dict) -> None:
    """The first search loads the embedding model: not part of what is measured."""
    import httpx

    with httpx.Client(base_url=url, headers=headers, timeout=300) as c:
        c.post("/v1/search", json={"query": QUERIES[0], "k": 5}).raise_for_status()
        c.post("/v1/ask", json={"question": QUESTIONS[0]}).raise_for_status()


def burst(url: str, headers: dict, clients: int = 20, per_client: int = 10, k: int = 5) -> dict:
    """`clients` threads released at once, each sending `per_client` searches: latencies (ms) and
    outcomes by status (or exception name)."""
    import httpx

    gate = threading.Barrier(clients)
    lat: list[float] = []
    outcomes: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    def client(n: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=120) as c:
            gate.wait()
            for i in range(per_client):
                q = QUERIES[(n + i) % len(QUERIES)]
                t0 = time.perf_counter()
                try:
                    r = c.post("/v1/search", json={"query": q, "k": k})
                    what = str(r.status_code)
                except httpx.HTTPError as exc:
                    what = type(exc).__name__
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    lat.append(ms)
                    outcomes[what] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"requests": len(lat), "seconds": round(wall, 2), "rps": round(len(lat) / wall, 1),
            "p50_ms": round(percentile(lat, 50), 1), "p95_ms": round(percentile(lat, 95), 1),
            "p99_ms": round(percentile(lat, 99), 1), "max_ms": round(max(lat), 1), "outcomes": dict(outcomes),
            "server_errors": sum(v for s, v in outcomes.items() if s.startswith("5")),
            "failed": sum(v for s, v in outcomes.items() if not s.startswith("2"))}


def soak(server: Server, seconds: float, clients: int = 4, sample_s: float = 5.0) -> dict:
    """Search and ask in a loop for `seconds`; the server's RSS sampled meanwhile."""
    import httpx

    stop = threading.Event()
    outcomes: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    def client(n: int) -> None:
        with httpx.Client(base_url=server.url, headers=server.headers, timeout=120) as c:
            i = n
            while not stop.is_set():
                i += 1
                try:
                    if i % 3:
                        r = c.post("/v1/search", json={"query": QUERIES[i % len(QUERIES)], "k": 5})
                    else:
                        r = c.post("/v1/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
                    what = str(r.status_code)
                except httpx.HTTPError as exc:
                    what = type(exc).__name__
                with lock:
                    outcomes[what] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    samples: list[tuple[float, float]] = []
    t0 = time.monotonic()
    for t in threads:
        t.start()
    while (now := time.monotonic() - t0) < seconds:
        samples.append((now, server.rss_mb()))
        time.sleep(min(sample_s, max(0.0, seconds - now)))
    samples.append((time.monotonic() - t0, server.rss_mb()))
    stop.set()
    for t in threads:
        t.join(timeout=150)
    done = sum(outcomes.values())
    rss = [m for _, m in samples]
    return {"seconds": round(samples[-1][0], 1), "requests": done, "rps": round(done / samples[-1][0], 1),
            "outcomes": dict(outcomes), "server_errors": sum(v for s, v in outcomes.items() if s.startswith("5")),
            "rss_start_mb": round(rss[0], 1), "rss_end_mb": round(rss[-1], 1), "rss_max_mb": round(max(rss), 1),
            "rss_slope_mb_per_min": round(slope(samples) * 60, 2), "samples": len(samples),
            "rss_samples_mb": [round(m, 1) for m in rss]}


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope (y per x) through the points; 0 for fewer than two."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, help="library to serve (default: the bundled samples, indexed into a temporary folder)")
    ap.add_argument("--clients", type=int, default=20, help="concurrent clients in the burst (default 20)")
    ap.add_argument("--requests", type=int, default=10, help="searches per client in the burst (default 10)")
    ap.add_argument("--soak", type=float, nargs="?", const=60.0, default=0.0, metavar="SECONDS",
                    help="then loop search + ask for SECONDS (60 if no value) while sampling the server's memory")
    ap.add_argument("--soak-clients", type=int, default=4)
    ap.add_argument("--sample", type=float, default=5.0, help="seconds between memory samples (default 5)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        index = args.index or build_sample_library(Path(tmp))
        server = Server(index, secrets.token_urlsafe(24), Path(tmp) / "server.log")
        try:
            warm_up(server.url, server.headers)
            rss_before = server.rss_mb()
            b = burst(server.url, server.headers, args.clients, args.requests)
            b["alive_after"] = server.alive()
            b["rss_mb"] = round(server.rss_mb(), 1)
            rows = [("burst", f"{args.clients}x{args.requests}", b["requests"], b["rps"], b["p50_ms"], b["p95_ms"], b["p99_ms"],
                     b["max_ms"], b["outcomes"], b["alive_after"])]
            result = {"bench": "load", "cores": os.cpu_count(), "burst": b, "rss_before_burst_mb": round(rss_before, 1)}
            if args.soak > 0:
                s = soak(server, args.soak, args.soak_clients, args.sample)
                s["alive_after"] = server.alive()
                result["soak"] = s
                rows.append(("soak", f"{args.soak_clients} x {s['seconds']:g} s", s["requests"], s["rps"], "", "", "", "",
                             s["outcomes"], s["alive_after"]))
            if args.soak > 0:
                s = result["soak"]
                print(f"soak server RSS: start {s['rss_start_mb']} MB, end {s['rss_end_mb']} MB, max {s['rss_max_mb']} MB, "
                      f"slope {s['rss_slope_mb_per_min']} MB/min over {s['samples']} samples")
            report(f"POST /v1/search burst on loopback ({os.cpu_count()} cores, server: assistant serve --llm none)", rows,
                   ("run", "clients", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "statuses", "alive after"), result)
        finally:
            server.stop()
    ok = result["burst"]["server_errors"] == 0 and result["burst"]["alive_after"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
