"""The gradio web UI of the maintenance assistant (needs the [ui] extra). Mounted by assistant.api."""


def build_ui(service):
    """The gr.Blocks of the web UI over a running assistant.api Service."""
    from .app import build_ui as _build

    return _build(service)


__all__ = ["build_ui"]
