"""Every error the library raises on purpose. Only the CLI, the API and the UI turn them into messages."""


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


def require(module: str, extra: str):
    """Import an optional module or raise MissingDependency naming the extra that brings it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(module.split(".")[0], extra) from exc
