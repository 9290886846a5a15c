"""The web server: one FastAPI app with the HTTP API under /v1 (documented at /openapi.json and /docs),
GET /healthz, and the gradio chat UI mounted at /. A thin adapter over the same library calls as the
CLI (both call assistant/app.py).

    assistant serve --index indexes/plant                    # http://127.0.0.1:7860
    ASSISTANT_API_KEYS=k1,k2 assistant serve --index indexes/plant --host 0.0.0.0
    ASSISTANT_API_KEYS="k1:plant-a|plant-b,k2:*" assistant serve ...   # k1 sees two collections only

Every audited request (ask, search, cards, voice, uploads, deletions) is a row in the SQLite audit
log, <library>/audit.sqlite by default (see audit.py and docs/security.md).

    app = create_app(Settings(index_dir="indexes/demo", llm="none"))     # needs an indexed library
"""
from __future__ import annotations

import ipaddress
import logging
import sys
import threading

from .. import __version__
from ..errors import AddressUnavailable
from ..settings import Settings
from .settings import ServerSettings

__all__ = ["EXIT_BIND", "AddressUnavailable", "ServerSettings", "assistant_for", "bind_socket", "create_app", "serve"]


def assistant_for(settings: Settings, server: ServerSettings | None = None, **kwargs):
    """The Assistant a server runs: the library of `settings`, with the server's upload collection,
    upload limit and feedback store."""
    from ..app import Assistant

    server = server or ServerSettings()
    return Assistant(settings, upload_collection=server.upload_collection, max_upload_bytes=server.max_upload_bytes,
                     feedback_db=server.feedback_db, **kwargs)


def create_app(settings: Settings, server_settings: ServerSettings | None = None, *, assistant=None, ui: bool = True):
    """The FastAPI app over one Assistant. `assistant` shares an open library between apps (tests);
    `ui=False` leaves out the gradio UI (the API alone, e.g. when the [ui] extra's gradio is not installed)."""
    from fastapi import FastAPI

    from . import errors
    from .audit import AuditLog, AuditMiddleware
    from .auth import ApiGuard, KeyRing, RateLimiter
    from .limits import BodyLimit
    from .routes import build_router

    server = server_settings or ServerSettings()
    assistant = assistant or assistant_for(settings, server)
    app = FastAPI(title="Maintenance knowledge assistant", version=__version__,
                  description="Cited answers, step cards and library management over your maintenance manuals. "
                              "When ASSISTANT_API_KEYS is set, every /v1 call needs `Authorization: Bearer KEY`, and a "
                              "key limited to some collections never sees another collection's documents or passages.")
    app.state.assistant = assistant
    app.state.audit = AuditLog(server.audit_db or assistant.root / "audit.sqlite") if server.audit else None
    errors.install(app)

    @app.get("/healthz", summary="Liveness: the server is up", tags=["health"])
    def healthz() -> dict:
        return {"status": "ok", "version": __version__, "library": (assistant.root / "manifest.json").exists()}

    app.include_router(build_router(assistant, server.max_upload_bytes), tags=["v1"])
    keys = KeyRing(server.grants())
    if ui:
        _mount_ui(app, assistant, server, keys)
    # outermost first: the guard answers 401/429 before a body is read, then the size limits apply
    app.add_middleware(BodyLimit, upload=server.max_upload_bytes, json_body=server.max_json_kb * 1024)
    app.add_middleware(ApiGuard, keys=keys, limiter=RateLimiter(server.rate_limit_per_minute))
    if app.state.audit is not None:  # outermost: refusals by the guard and the limits are audited too
        app.add_middleware(AuditMiddleware, audit_log=app.state.audit)
    return app


def _mount_ui(app, assistant, server: ServerSettings, keys) -> None:
    try:
        from ui import mount
    except ImportError:
        logging.getLogger(__name__).warning("gradio is not installed, serving the API only: pip install 'maintenance-assistant[ui]'")
        return
    login = (lambda _user, password: _ui_login(keys, password)) if keys else None
    mount(app, assistant, login=login, max_file_size=server.max_upload_bytes)


def _ui_login(keys, password: str) -> bool:
    """The web UI shows every collection, so only a key for every collection signs in to it; keys
    limited to some collections use the API."""
    access = keys.access_for(password or "")
    return access is not None and access.unrestricted


EXIT_BIND = AddressUnavailable.exit_code  # `assistant serve`/`demo`: the address cannot be bound (see `assistant serve --help`)


def bind_socket(host: str, port: int):
    """A TCP socket bound to (host, port), bound the way uvicorn binds (SO_REUSEADDR), so that a port in
    use or without permission is found before the server announces itself or starts anything. Raises
    AddressUnavailable with one line that says what to do."""
    import errno
    import socket

    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if not 0 <= port <= 65535:
        raise AddressUnavailable(f"cannot serve on {shown}: the port must be 0-65535; choose one with --port")
    try:
        family, _, _, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise AddressUnavailable(f"cannot serve on {shown}: unknown host '{host}' ({exc.strerror}); "
                                 "check --host (default 127.0.0.1)") from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            why = "the port is already in use (another server is running there)"
        elif exc.errno in (errno.EACCES, errno.EPERM):
            why = "permission denied (ports below 1024 need administrator rights)"
        elif exc.errno == errno.EADDRNOTAVAIL:
            why = f"the address {host} is not one of this machine's (use --host 127.0.0.1 or 0.0.0.0)"
        else:
            why = exc.strerror or str(exc)
        raise AddressUnavailable(f"cannot serve on {shown}: {why}; choose another port with --port, "
                                 f"e.g. --port {port + 1 if 0 < port < 65535 else 7861}") from None
    return sock


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, sock=None) -> int:
    """Run the server until interrupted (uvicorn). Loopback by default; never a share link. The address
    is bound first (or `sock`, bound by the caller with bind_socket): when it cannot be, AddressUnavailable
    is raised before anything is announced (the command line exits with EXIT_BIND, 5)."""
    if sock is None:
        sock = bind_socket(host, port)
    try:
        import uvicorn

        server = ServerSettings()
        if not _is_loopback(host) and not server.keys():
            print(f"warning: serving on {host} without ASSISTANT_API_KEYS: anyone who can reach this address can "
                  "read and change the library", file=sys.stderr)
        app = create_app(settings, server)
        threading.Thread(target=app.state.assistant.warm_up, name="warm-up", daemon=True).start()
        port = sock.getsockname()[1]  # the one bound (port 0 picks a free one)
        shown = f"[{host}]" if ":" in host else host
        print(f"serving {settings.index_dir} at http://{shown}:{port}/ (API: /v1, docs: /docs)", file=sys.stderr)
        config = uvicorn.Config(app, host=host, port=port, log_level="info", server_header=False)
        runner = uvicorn.Server(config)
        try:
            runner.run(sockets=[sock])
        except SystemExit:  # uvicorn's "startup failed" (its status 3 would read as `index`'s partial failure)
            return 1
        return 0 if runner.started else 1
    finally:
        sock.close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
