"""Temporal client plumbing: the client with its codec, starting and signalling workflows,
reading how a run ended. Client code, never imported by workflow code."""
