"""Quarterly retrospective cycles: open, ask one question at a time, remind, close, summarise."""
