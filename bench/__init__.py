"""Benchmarks: each script prints a readable table, then one line of JSON with its figures."""
