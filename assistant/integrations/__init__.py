"""Adapters that let other frameworks use the library; each imports its framework only when used."""
