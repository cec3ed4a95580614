"""Notice messages: subject, plain text and HTML from Jinja2 templates, in Bahasa Indonesia or
English (gettext; English msgids, the Indonesian catalog under locale/ compiled in memory, as
the web app does); one notice or a day's digest, as an e-mail or as a chat gateway's JSON."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from appraisal_engine.domain.catalogs import N_, catalog
from appraisal_engine.domain.notices import Decision, Notice, NoticeKind
from appraisal_engine.domain.written_time import written_moment
from appraisal_engine.notices.config import NoticeConfig

HERE = Path(__file__).parent


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
    Decision.DEVELOPMENT_PLANNED: (
        N_("Your development plan has been made"),
        N_(
            "Your appraiser has planned your development: the courses or training and the date"
            " each is due. See the plan in your appraisal."
        ),
    ),
}
DIGEST_SUBJECT = N_("Daily summary of your notices (%(n)s)")
DIGEST = "digest"  # a digest's kind in a webhook's JSON


def translations(locale: str) -> NullTranslations:
    """The catalog for `locale`; English is the msgids themselves."""
    return catalog(HERE / "locale", locale)


def task_name(notice: Notice, locale: str) -> str:
    """What the notice's task is called, in `locale`; "" for a notice about no task."""
    if notice.task_kind is None:  # decisions (issue 17) name an appraisal, not a task
        return ""
    kind = notice.task_kind.value
    return translations(locale).gettext(TASK_KINDS.get(kind, kind))


def subject(notice: Notice, locale: str) -> str:
    """The notice's subject line in `locale`: the decision taken, or its kind in words and its
    task's name (the e-mail's subject and the web app's list of notices say the same)."""
    gettext = translations(locale).gettext
    if notice.decision is not None:
        return gettext(DECISIONS[notice.decision][0])
    return gettext(SUBJECTS[notice.kind]) % {"task": task_name(notice, locale)}


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
        # Only deadlines are written: one at midnight reads as its day's 24.00.
        return written_moment(at, self._config.locale, self._config.time_zone, ending=True)

    def _item(self, notice: Notice) -> dict[str, str | None]:
        """What the templates say of one notice: a decision with the appraisal's link (that it
        was taken, never its content), or a task with its deadline and its link."""
        config, locale = self._config, self._config.locale
        told, due = None, None
        if notice.decision is not None:
            told = translations(locale).gettext(DECISIONS[notice.decision][1])
            link = config.appraisal_link(notice.appraisal_id)
        else:
            assert notice.task_id is not None and notice.due_at is not None
            due, link = self._when(notice.due_at), config.task_link(notice.task_id)
        return {
            "kind": notice.kind.value,
            "task": task_name(notice, locale) or None,
            "subject": subject(notice, locale),
            "told": told,
            "due": due,
            "link": link,
        }

    def _context(self, notices: Sequence[Notice]) -> dict[str, Any]:
        items = [self._item(n) for n in notices]
        return {
            **items[0],
            "items": items,
            "nip": notices[0].recipient_nip,
            "locale": self._config.locale,
            "inbox": self._config.inbox_link(),
        }

    def _subject(self, context: dict[str, Any], digest: bool) -> str:
        """The message's subject: a digest's count, else its one notice's own subject (the
        context's, built once)."""
        if digest:
            gettext = translations(self._config.locale).gettext
            return gettext(DIGEST_SUBJECT) % {"n": len(context["items"])}
        return str(context["subject"])

    def message(self, notice: Notice, to: str) -> EmailMessage:
        """The notice as a multipart e-mail (plain text, then HTML) with a link to the task, or
        for a decision to the appraisal."""
        return self.email([notice], to, digest=False)

    def email(self, notices: Sequence[Notice], to: str, *, digest: bool) -> EmailMessage:
        """One notice, or a day's `digest` listing each with its link, as a multipart e-mail
        (plain text, then HTML).

        Its Message-ID is derived from the notices' ids, so should a message ever go out twice
        (the window between the server's acceptance and the outbox's commit) mail systems
        that collapse duplicates by Message-ID show it once."""
        locale, name = self._config.locale, "digest" if digest else "notice"
        context = self._context(notices)
        env = _environment(locale)
        message = EmailMessage()
        message["Subject"] = self._subject(context, digest)
        message["From"] = self._sender
        message["To"] = to
        message["Date"] = formatdate(localtime=False, usegmt=True)
        domain = self._sender.rpartition("@")[2].strip("> ") or "appraisal.invalid"
        message["Message-ID"] = f"<{message_key(notices)}@{domain}>"
        message["Content-Language"] = locale
        message.set_content(env.get_template(f"{name}.txt").render(context))
        message.add_alternative(env.get_template(f"{name}.html").render(context), subtype="html")
        return message

    def chat(self, notices: Sequence[Notice], phone: str, *, digest: bool) -> dict[str, Any]:
        """One notice, or a day's `digest`, as the chat gateway's JSON: the id the gateway
        deduplicates by, the kind, the recipient's NIP and phone (E.164), the plain-text
        message in the configured language, the link, and for a digest each notice's."""
        locale, name = self._config.locale, "digest" if digest else "notice"
        context = self._context(notices)
        body = _environment(locale).get_template(f"{name}.txt").render(context)
        first, subject = notices[0], self._subject(context, digest)
        return {
            "id": f"{DIGEST}:{first.recipient_nip}:{message_key(notices)}" if digest else first.id,
            "kind": DIGEST if digest else first.kind.value,
            "recipient_nip": first.recipient_nip,
            "phone": phone,
            "locale": locale,
            "subject": subject,
            "message": f"{subject}\n\n{body}",
            "link": context["inbox"] if digest else context["link"],
            "notices": [
                {"id": n.id, "kind": n.kind.value, "link": item["link"]}
                for n, item in zip(notices, context["items"], strict=True)
            ],
        }


def message_key(notices: Sequence[Notice]) -> str:
    """A stable key for the message carrying these notices."""
    joined = "\n".join(sorted(n.id for n in notices))
    return hashlib.sha256(joined.encode()).hexdigest()[:32]
