"""SMTP settings as the worker reads them."""

from __future__ import annotations

import pytest

from appraisal_engine.appraisal.settings import Settings


def test_no_smtp_host_means_no_email() -> None:
    assert Settings(_env_file=None).notice_config().smtp is None


def test_smtp_settings_make_the_channel() -> None:
    settings = Settings(
        _env_file=None, smtp_host="smtp.kota.go.id", smtp_port=465, smtp_tls=True,
        smtp_username="penilaian", smtp_password="rahasia", smtp_from="penilaian@kota.go.id",
        public_url="https://kinerja.kota.go.id/", default_locale="en",
    )  # fmt: skip
    config = settings.notice_config()
    assert config.smtp is not None
    assert (config.smtp.host, config.smtp.port, config.smtp.tls, config.smtp.starttls) == (
        "smtp.kota.go.id", 465, True, False,
    )  # fmt: skip
    assert config.smtp.password.get_secret_value() == "rahasia"
    assert "rahasia" not in repr(config)
    assert config.locale == "en"
    assert config.task_link("t1") == "https://kinerja.kota.go.id/tasks/t1"


def test_smtp_from_must_be_an_address() -> None:
    settings = Settings(_env_file=None, smtp_host="smtp.kota.go.id", smtp_from="BKPSDM")
    with pytest.raises(ValueError, match="SMTP_FROM"):
        settings.notice_config()
