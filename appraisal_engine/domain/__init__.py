"""Pure rules and types of ASN performance appraisal: no I/O, no Temporal, no SQLAlchemy."""
