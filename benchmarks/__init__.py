"""Benchmarks of posebridge against the peer tools, run in one go: ``python -m benchmarks``."""
