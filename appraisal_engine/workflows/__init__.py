"""Temporal workflow definitions and their message types: orchestration only."""
