"""Every error the library raises on purpose. Only the CLI, the API and the UI turn them into messages
(the API's HTTP statuses are in assistant/api/errors.py)."""


class AssistantError(Exception):
    """Base class: a problem the user can act on, with a message that says what to do. `detail` is
    optional structured context (e.g. the indexing report of a file that could not be indexed)."""

    detail = None

    def __init__(self, *args, detail=None):
        super().__init__(*args)
        if detail is not None:
            self.detail = detail


class ParseError(AssistantError):
    """A document could not be read. `reason` is a short, specific phrase (e.g. "password-protected")."""

    def __init__(self, path: str, reason: str, detail=None):
        super().__init__(f"{path}: {reason}", detail=detail)
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

    def __init__(self, package: str, extra: str, feature: str = ""):
        install = f"pip install 'maintenance-assistant[{extra}]'"
        super().__init__(f"{feature} not installed" if feature else f"'{package}' is not installed: {install}")
        self.package, self.extra = package, extra
        self.detail = install if feature else None


class ModelNotAvailable(AssistantError):
    """A model could not be found locally (and we never download at run time)."""


class LLMError(AssistantError):
    """The model or server failed to produce an answer (unreachable, bad reply, timeout)."""


class PromptError(AssistantError):
    """A prompt template is missing, malformed, or rendered with the wrong variables."""


class NotFound(AssistantError):
    """No document or passage with that id (or none that the caller may see)."""


class Forbidden(AssistantError):
    """The caller's access does not allow this (e.g. uploading to a collection its key may not write)."""


class NotIndexed(AssistantError):
    """A received document could not be indexed; `detail` is the indexing report."""


class UploadError(AssistantError):
    """An upload refused before it is indexed (a file name that cannot be used); the subclasses say why."""


class UploadTooLarge(UploadError):
    """The upload is larger than the server's limit."""


class UploadWrongType(UploadError):
    """The upload is not a kind of document we index, or its content is not what its extension says."""


class UploadInvalid(UploadError):
    """The upload is empty, or names a collection that cannot be a folder name."""


class UploadConflict(UploadError):
    """The upload's collection folder clashes with an uploaded file."""


class Busy(AssistantError):
    """The library has been held by another call for too long (a wedged model call): try again later."""

    retry_after_s = 30


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
