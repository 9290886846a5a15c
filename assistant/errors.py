"""Every error the library raises on purpose. Only the CLI, the API and the UI turn them into messages
(the API's HTTP statuses are in assistant/api/errors.py)."""


class AssistantError(Exception):
    """Base class: a problem the user can act on, with a message that says what to do."""


class ParseError(AssistantError):
    """A document could not be read. `reason` is a short, specific phrase (e.g. "password-protected")."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnsupportedFormat(ParseError):
    """The file type is not one we index, or its content is not what its extension says."""


class LibraryError(AssistantError):
    """The library directory is missing, corrupt or was built differently."""


class ModelMismatch(LibraryError):
    """The library was built with another embedding model than the one asked for."""


class LibraryLocked(LibraryError):
    """Another process is writing to this library."""


class MissingDependency(AssistantError):
    """An optional extra is not installed."""

    def __init__(self, package: str, extra: str):
        super().__init__(f"'{package}' is not installed: pip install 'maintenance-assistant[{extra}]'")
        self.package = package
        self.extra = extra


class ModelNotAvailable(AssistantError):
    """A model could not be found locally (and we never download at run time)."""


class LLMError(AssistantError):
    """The model or server failed to produce an answer (unreachable, bad reply, timeout)."""


class PromptError(AssistantError):
    """A prompt template is missing, malformed, or rendered with the wrong variables."""


class NoProcedureFound(AssistantError):
    """The library holds no procedure for the task (a refusal, not a failure)."""


class VoiceError(AssistantError):
    """A recording (or voice request) we refuse. Each kind is a subclass; `reason` says why in words a
    technician can act on ("no speech detected, only noise: speak closer to the microphone ...")."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class EmptyAudio(VoiceError):
    """The upload holds no bytes at all."""


class AudioTooLarge(VoiceError):
    """The upload is over the size limit (`ASSISTANT_VOICE_MAX_MB`)."""


class AudioTooLong(VoiceError):
    """The recording is over the length limit (`ASSISTANT_VOICE_MAX_SECONDS`)."""


class UnsupportedAudio(VoiceError):
    """The bytes are not one of the audio formats we decode (e.g. a PNG named .wav)."""


class UnreadableAudio(VoiceError):
    """A supported format whose audio is missing, truncated or corrupt."""


class AudioTooShort(VoiceError):
    """Too short to hold a question."""


class NoSpeech(VoiceError):
    """Silence, noise, or sound in which the speech model finds no words."""


class UnclearSpeech(VoiceError):
    """Speech the model is unsure of: acting on a guess could move a card or answer the wrong question."""


class UnsupportedLanguage(VoiceError):
    """A language the voice pipeline (or its speech model) does not understand."""


class UsageError(Exception):
    """Arguments that parse but do not fit together: reported like an argparse error (usage, exit 2)."""


class AddressUnavailable(OSError):
    """The server's address cannot be bound; the message names host:port, the cause and --port. The
    command line shows it as one line and exits with `exit_code`."""

    exit_code = 5


def require(module: str, extra: str):
    """Import an optional module or raise MissingDependency naming the extra that brings it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(module.split(".")[0], extra) from exc
