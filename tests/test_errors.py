"""Every exception type lives in assistant/errors.py (the API's own HTTP refusals aside), and only the
API turns them into HTTP statuses."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

import assistant.errors as errors
from assistant.api.errors import STATUS, status_for

PACKAGE = Path(errors.__file__).parent
# the API's refusals carry their HTTP status by design; _TooLarge is the body limiter's private signal
API_ONLY = {"ApiError", "UploadError", "_TooLarge"}


def _defined_errors() -> dict[str, str]:
    """Classes anywhere in the package whose base is an exception type: name -> module path."""
    bases = {"Exception", "OSError", "ValueError", "RuntimeError", *API_ONLY,
             *(n for n, c in vars(errors).items() if inspect.isclass(c) and issubclass(c, BaseException))}
    found = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases}
                if names & bases:
                    found[node.name] = str(path.relative_to(PACKAGE))
    return found


def test_every_exception_type_is_defined_in_errors_py():
    found = _defined_errors().items()
    elsewhere = {name: where for name, where in found if where != "errors.py" and name not in API_ONLY}
    assert not elsewhere, elsewhere


def test_the_old_import_paths_give_the_same_types():
    from assistant.api import AddressUnavailable
    from assistant.cards import NoProcedureFound
    from assistant.cli import UsageError
    from assistant.llm import LLMError
    from assistant.llm.prompts import PromptError
    from assistant.voice import VoiceError

    assert (AddressUnavailable, NoProcedureFound, UsageError, LLMError, PromptError, VoiceError) == (
        errors.AddressUnavailable, errors.NoProcedureFound, errors.UsageError, errors.LLMError, errors.PromptError,
        errors.VoiceError)


def test_every_kind_of_voice_refusal_has_its_own_http_status():
    kinds = [c for c in vars(errors).values() if inspect.isclass(c) and issubclass(c, errors.VoiceError)]
    mapped = {kind for kind, _ in STATUS}
    assert len(kinds) > 5 and not set(kinds) - {errors.VoiceError} - mapped
    assert [status_for(k("why")) for k in (errors.EmptyAudio, errors.AudioTooLong, errors.UnsupportedAudio,
                                           errors.NoSpeech, errors.UnclearSpeech)] == [400, 413, 415, 422, 422]
    assert all(not hasattr(k("why"), "status") for k in kinds)  # the voice package knows no HTTP


def test_a_subclass_maps_before_its_base():
    order = [kind for kind, _ in STATUS]
    for i, kind in enumerate(order):
        assert not any(issubclass(later, kind) and later is not kind for later in order[i + 1:]), kind
