"""The v1 HTTP API: thin over the workflows and the read model."""
