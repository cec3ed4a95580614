"""Pure rules and types of ASN performance appraisal: no I/O (but for `catalogs`, which reads the
message catalogs shipped inside the package), no Temporal, no SQLAlchemy."""
