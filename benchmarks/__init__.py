"""Measurements that inform design choices (not part of the dashboard or the test suite)."""
