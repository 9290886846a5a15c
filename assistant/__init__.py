"""Maintenance knowledge assistant: index manuals, answer with citations, draft XR step cards."""
__version__ = "0.1.0"
