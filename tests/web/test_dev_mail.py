"""The mail `appraisal dev` caught, as pages: listed newest first and shown as text (a subject
or body holding markup is text, the HTML part only as escaped source); outside development the
pages do not exist."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace

import pytest

from appraisal_engine.appraisal.mail_catcher import MailCatcher
from appraisal_engine.web.config import WebConfig
from tests.web.conftest import WEB, Web

HOSTILE = "<script>alert(1)</script> Pengingat"


async def catch(catcher: MailCatcher, subject: str, to: str) -> str:
    """A message handed to the dev stack's catcher, as the sender hands it; its file name."""
    folder = catcher.folder
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, "penilaian@kota.example", to
    message["Date"] = "Thu, 03 Dec 2026 03:15:00 GMT"
    message.set_content("Tinjauan <b>akhir</b> tahun menunggu Anda.\n")
    message.add_alternative('<p onclick="x()">Halo <script>alert(2)</script></p>', subtype="html")
    before = set(folder.iterdir())
    envelope = SimpleNamespace(content=message.as_bytes())
    await catcher.handle_DATA(None, None, envelope)
    (path,) = set(folder.iterdir()) - before
    return path.name


def use(web: Web, config: WebConfig) -> None:
    web.app.state.web_config = config  # as `appraisal dev` sets it once the demo is loaded


async def test_caught_mail_is_listed_and_shown_as_text(web: Web, tmp_path: Path) -> None:
    use(web, WEB.model_copy(update={"dev_mail": tmp_path}))
    catcher = MailCatcher(tmp_path, lambda _: None)
    first = await catch(catcher, "Tugas baru: Penilaian akhir tahun", "siti@kota.example")
    hostile = await catch(catcher, HOSTILE, "budi@kota.example")
    client = web.anonymous()

    signin = await client.get("/signin")
    assert 'href="/dev/mail"' in signin.text

    page = await client.get("/dev/mail")
    assert page.status_code == 200
    assert page.text.index(hostile) < page.text.index(first)  # newest first
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Pengingat" in page.text
    assert "<script>alert" not in page.text
    assert "siti@kota.example" in page.text and "penilaian@kota.example" in page.text
    assert "3 Desember 2026 10.15 WIB" in page.text  # the Date header, on the organisation's clock

    one = await client.get(f"/dev/mail/{hostile}")
    assert one.status_code == 200
    assert "Tinjauan &lt;b&gt;akhir&lt;/b&gt; tahun menunggu Anda." in one.text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in one.text  # the HTML part as source
    assert "<script>alert" not in one.text and 'onclick="x()"' not in one.text


@pytest.mark.parametrize("name", ["nothing.eml", "20261203T101500-0009.eml", "..%2Fsecret.eml"])
async def test_a_message_the_catcher_did_not_write_is_missing(
    web: Web, tmp_path: Path, name: str
) -> None:
    use(web, WEB.model_copy(update={"dev_mail": tmp_path / "mail"}))
    (tmp_path / "mail").mkdir()
    (tmp_path / "secret.eml").write_text("Subject: not for the page\n\nsecret\n")
    r = await web.anonymous().get(f"/dev/mail/{name}")
    assert r.status_code == 404 and "secret" not in r.text


async def test_outside_development_there_is_no_mail_page(web: Web, tmp_path: Path) -> None:
    catcher = MailCatcher(tmp_path, lambda _: None)
    name = await catch(catcher, "Pengingat: Penilaian akhir tahun", "siti@kota.example")
    production = WEB.model_copy(
        update={"dev_signin": False, "dev_people": [], "dev_mail": tmp_path}
    )
    for config in (production, WEB):  # WEB: development sign-in, but no catcher
        use(web, config)
        client = web.anonymous()
        for path in ("/dev/mail", f"/dev/mail/{name}"):
            r = await client.get(path)
            assert r.status_code == 404, path
            assert "Pengingat" not in r.text
        assert 'href="/dev/mail"' not in (await client.get("/signin")).text
