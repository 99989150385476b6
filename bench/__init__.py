"""Benchmarks (not tests): run each as ``python -m bench.<name> [--database-url URL] [--n N]``."""
