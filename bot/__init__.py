"""okrbot: OKR retrospectives, learning stories and team recognition in chat."""

__version__ = "0.1.0"
