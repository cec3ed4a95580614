"""Tests of the store: models, migrations, repositories."""
