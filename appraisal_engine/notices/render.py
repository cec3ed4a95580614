"""Notice messages: subject, plain text and HTML from Jinja2 templates, in Bahasa Indonesia or
English (gettext; English msgids, the Indonesian catalog under locale/ compiled in memory, as
the web app does)."""

from __future__ import annotations

import hashlib
import io
from email.message import EmailMessage
from email.utils import formatdate
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from appraisal_engine.domain.notices import Notice, NoticeKind
from appraisal_engine.notices.config import NoticeConfig

HERE = Path(__file__).parent
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def N_(message: str) -> str:
    """Mark a message for the catalog; it is translated where it is used."""
    return message


TASK_KINDS = {
    "targets.draft": N_("Draft your performance targets (SKP)"),
    "targets.approve": N_("Approve or return a target plan"),
    "self_report": N_("Self-report for a period"),
    "feedback": N_("Feedback on a period's report"),
    "peer_feedback": N_("Peer survey"),
    "review": N_("Year-end review"),
    "appeal.decide": N_("Decide an appeal"),
    "mentorship.accept": N_("Mentorship offer"),
}
SUBJECTS = {
    NoticeKind.TASK_OPENED: N_("New task: %(task)s"),
    NoticeKind.REMINDER: N_("Reminder: %(task)s"),
    NoticeKind.ESCALATION: N_("Escalated: %(task)s passed its deadline"),
    NoticeKind.OVERDUE: N_("Overdue: %(task)s"),
}


@cache
def translations(locale: str) -> NullTranslations:
    """The catalog for `locale`; English is the msgids themselves."""
    po = HERE / "locale" / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def task_name(notice: Notice, locale: str) -> str:
    """What the notice's task is called, in `locale`; "" for a notice about no task."""
    if notice.task_kind is None:  # decisions (issue 17) name an appraisal, not a task
        return ""
    kind = notice.task_kind.value
    return translations(locale).gettext(TASK_KINDS.get(kind, kind))


def subject(notice: Notice, locale: str) -> str:
    """The notice's subject line in `locale`: its kind in words and its task's name (the
    e-mail's subject and the web app's list of notices say the same)."""
    return translations(locale).gettext(SUBJECTS[notice.kind]) % {"task": task_name(notice, locale)}


@cache
def _environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


class Renderer:
    """Builds the e-mail for one notice, addressed to one person."""

    def __init__(self, config: NoticeConfig, sender: str) -> None:
        self._config, self._sender = config, sender

    def _when(self, notice: Notice) -> str:
        zone, locale = self._config.time_zone, self._config.locale
        pattern = "d MMMM y HH.mm" if locale == "id" else "d MMMM y HH:mm"
        text = format_datetime(notice.due_at, pattern, tzinfo=ZoneInfo(zone), locale=locale)
        return f"{text} {ZONE_NAMES.get(zone, zone)}"

    def message(self, notice: Notice, to: str) -> EmailMessage:
        """The notice as a multipart e-mail (plain text, then HTML) with a link to the task.

        Its Message-ID is derived from the notice's id, so should a notice ever go out twice
        (the window between the server's acceptance and the outbox's commit) mail systems
        that collapse duplicates by Message-ID show it once."""
        locale = self._config.locale
        task = task_name(notice, locale)
        due = self._when(notice)
        context = {
            "kind": notice.kind.value,
            "task": task,
            "due": due,
            "link": self._config.task_link(notice.task_id),
            "nip": notice.recipient_nip,
            "locale": locale,
        }
        env = _environment(locale)
        message = EmailMessage()
        message["Subject"] = subject(notice, locale)
        message["From"] = self._sender
        message["To"] = to
        message["Date"] = formatdate(localtime=False, usegmt=True)
        domain = self._sender.rpartition("@")[2].strip("> ") or "appraisal.invalid"
        digest = hashlib.sha256(notice.id.encode()).hexdigest()[:32]
        message["Message-ID"] = f"<{digest}@{domain}>"
        message["Content-Language"] = locale
        message.set_content(env.get_template("notice.txt").render(context))
        message.add_alternative(env.get_template("notice.html").render(context), subtype="html")
        return message
