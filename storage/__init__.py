"""Typed SQLAlchemy models, the engine and repositories. Nothing here commits."""
