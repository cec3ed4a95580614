"""Repositories: every query of the store, returning domain records; callers commit."""
