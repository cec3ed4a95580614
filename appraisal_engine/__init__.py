"""The appraisal cycle engine: yearly performance appraisals of Indonesian civil servants (ASN)
as durable Temporal workflows.

One import package, so that installing the engine claims no generic top-level name. Its
sub-packages are the layers, lowest first: ``domain`` (pure rules), ``store`` (the database),
``workflows`` and ``activities`` (Temporal), ``api`` (HTTP), and ``appraisal`` (the composition
root and the command line). ``make lint`` checks that imports only point down.
"""
