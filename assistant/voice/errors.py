"""The one error the voice pipeline raises on purpose: bad audio or a bad request, with its HTTP status.

>>> VoiceError(415, "unsupported audio format: looks like a PNG image").status
415
"""
from __future__ import annotations

from ..errors import AssistantError


class VoiceError(AssistantError):
    """A recording (or request) we refuse: `status` is 400, 413, 415 or 422 and `reason` says why in
    words a technician can act on ("no speech detected: only noise; speak closer to the microphone")."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason
