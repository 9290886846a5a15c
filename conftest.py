"""Doctest collection of the package (`--doctest-modules` over assistant/ and ui/): a module that needs
an optional extra which is not installed is left out, instead of failing the whole collection."""
from __future__ import annotations

import importlib.util

_NEEDS = {  # module -> what its extra installs (imported at module level, or by the module's example)
    "assistant/api/routes.py": "fastapi",
    "assistant/integrations/langchain.py": "langchain_core",
    "assistant/voice/audio.py": "av",
    "ui/app.py": "gradio",
    "ui/handlers.py": "gradio",
}
collect_ignore = [path for path, module in _NEEDS.items() if importlib.util.find_spec(module) is None]
