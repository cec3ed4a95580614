"""The composition root: settings, worker assembly, the command line."""
