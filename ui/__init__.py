"""The gradio web UI of the maintenance assistant (needs the [ui] extra). The server mounts it with
`mount(app, assistant)`; the UI talks to the assistant.app.Assistant it is given, nothing else."""


def build_ui(assistant):
    """The gr.Blocks of the web UI over an assistant.app.Assistant (the server's)."""
    from .app import build_ui as _build

    return _build(assistant)


def mount(app, assistant, *, login=None, max_file_size: int | None = None) -> None:
    """Mount the web UI at / of a FastAPI app: `login(user, password) -> bool` asks for a sign-in
    (None: no sign-in); uploads larger than `max_file_size` bytes are refused. Until gradio's script
    has loaded, the page shows a loading notice. ImportError without gradio."""
    import gradio as gr

    from .i18n import i18n
    from .loading import LoadingPage
    from .theme import CSS, theme

    gr.mount_gradio_app(app, build_ui(assistant), path="/", auth=login,
                        auth_message="Sign in with an API key for all collections as the password (any user name).",
                        max_file_size=max_file_size, blocked_paths=[str(assistant.root.resolve())],
                        footer_links=[], run_history=False, i18n=i18n(), theme=theme(), css=CSS,
                        server_name="127.0.0.1")
    app.add_middleware(LoadingPage, path="/")


__all__ = ["build_ui", "mount"]
