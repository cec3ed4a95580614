"""Notice messages: subject, plain text and HTML from Jinja2 templates, in Bahasa Indonesia or
English (gettext; English msgids, the Indonesian catalog under locale/ compiled in memory, as
the web app does)."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
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

from appraisal_engine.domain.notices import Decision, Notice, NoticeKind
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
    NoticeKind.MISSED: N_("Deadline missed: %(task)s"),
    NoticeKind.OVERDUE: N_("Overdue: %(task)s"),
}
# A decision's subject, then what its message says: that it was taken, never its content (no
# comment, no grade), which the appraisal's page shows to those who may read it.
DECISIONS = {
    Decision.TARGETS_RETURNED: (
        N_("Your target plan (SKP) was returned"),
        N_(
            "Your appraiser returned your target plan (SKP) for revision. Open your appraisal"
            " to see what to change."
        ),
    ),
    Decision.TARGETS_APPROVED: (
        N_("Your target plan (SKP) was approved"),
        N_("Your appraiser approved your target plan (SKP). Your targets for the year are set."),
    ),
    Decision.GRADE_RELEASED: (
        N_("Your performance grade has been set"),
        N_("Your performance grade for the year has been set and can be seen in your appraisal."),
    ),
    Decision.APPEAL_DECIDED: (
        N_("Your appeal has been decided"),
        N_("Your appeal (keberatan) has been decided; the decision can be seen in your appraisal."),
    ),
    Decision.MENTORSHIP_ARRANGED: (
        N_("A mentor has been assigned to you"),
        N_(
            "Following your performance grade, a senior colleague has agreed to mentor you."
            " See the details in your appraisal."
        ),
    ),
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

    def _when(self, at: datetime) -> str:
        zone, locale = self._config.time_zone, self._config.locale
        pattern = "d MMMM y HH.mm" if locale == "id" else "d MMMM y HH:mm"
        text = format_datetime(at, pattern, tzinfo=ZoneInfo(zone), locale=locale)
        return f"{text} {ZONE_NAMES.get(zone, zone)}"

    def _content(self, notice: Notice) -> tuple[str, dict[str, str | None]]:
        """The subject, and what the templates say: a decision with the appraisal's link, or
        a task with its deadline and its link."""
        gettext, config = translations(self._config.locale).gettext, self._config
        if notice.decision is not None:
            subject, told = (gettext(text) for text in DECISIONS[notice.decision])
            link = config.appraisal_link(notice.appraisal_id)
            return subject, {"told": told, "task": None, "due": None, "link": link}
        assert notice.task_id is not None and notice.task_kind is not None
        assert notice.due_at is not None
        task = gettext(TASK_KINDS.get(notice.task_kind.value, notice.task_kind.value))
        subject = gettext(SUBJECTS[notice.kind]) % {"task": task}
        due, link = self._when(notice.due_at), config.task_link(notice.task_id)
        return subject, {"told": None, "task": task, "due": due, "link": link}

    def message(self, notice: Notice, to: str) -> EmailMessage:
        """The notice as a multipart e-mail (plain text, then HTML) with a link to the task, or
        for a decision to the appraisal.

        Its Message-ID is derived from the notice's id, so should a notice ever go out twice
        (the window between the server's acceptance and the outbox's commit) mail systems
        that collapse duplicates by Message-ID show it once."""
        locale = self._config.locale
        subject, said = self._content(notice)
        context = {**said, "kind": notice.kind.value, "nip": notice.recipient_nip, "locale": locale}
        env = _environment(locale)
        message = EmailMessage()
        message["Subject"] = subject
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
