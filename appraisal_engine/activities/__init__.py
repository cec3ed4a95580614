"""Every side effect the workflows need: the inbox, the read model, notices, the audit log."""
