"""Metric concerns and their loop: raised, voiced, answered, escalated."""
