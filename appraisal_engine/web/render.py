"""Pages: Jinja2 templates, autoescaped, with the person's language, the organisation's time
zone and the session's form token in every context."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from appraisal_engine.web.bell import unread_of
from appraisal_engine.web.config import Locale, WebConfig
from appraisal_engine.web.i18n import ZONE_NAMES, day, translations, when
from appraisal_engine.web.labels import labels_for
from appraisal_engine.web.security import TOKEN_FIELD, TOKEN_HEADER, secure
from appraisal_engine.web.session import current, form_token, locale_of

TEMPLATES = Path(__file__).parent / "templates"
STATIC_PREFIX = "/static/web"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@lru_cache(maxsize=4096)
def _number(value: float, locale: Locale) -> str:
    # A dashboard writes thousands of counts, most of them the same few numbers.
    return format_decimal(value, locale=locale)


def config_of(request: Request) -> WebConfig:
    """The web app's settings, kept on the application."""
    found: WebConfig = request.app.state.web_config
    return found


def gettext_for(request: Request) -> Callable[..., str]:
    """`_` for this request: the message in the person's language, with %(name)s filled in."""
    catalog = translations(locale_of(request, config_of(request).default_locale))

    def _(message: str, **values: Any) -> str:
        text = catalog.gettext(message)
        return text % values if values else text

    return _


def context(request: Request, values: dict[str, Any]) -> dict[str, Any]:
    """What every template can use, then the page's own values."""
    config = config_of(request)
    locale = locale_of(request, config.default_locale)
    return {
        "request": request,
        "me": current(request),
        "locale": locale,
        "_": gettext_for(request),
        "csrf_field": TOKEN_FIELD,
        "csrf_header": TOKEN_HEADER,
        "csrf": form_token(request),
        "labels": labels_for(locale),
        "static": lambda path: f"{STATIC_PREFIX}/{path}",
        "when": lambda moment: when(moment, locale, config.time_zone),
        "day": lambda moment: day(moment, locale, config.time_zone),
        # A deadline's day and moment: one at midnight is the end of the day before.
        "due_day": lambda moment: day(moment, locale, config.time_zone, ending=True),
        "due_when": lambda moment: when(moment, locale, config.time_zone, ending=True),
        "number": lambda value: _number(value, locale),
        "zone": ZONE_NAMES.get(config.time_zone, config.time_zone),
        "dev_signin": config.dev_signin,
        "unread": unread_of(request),
        **values,
    }


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """A page (or, for htmx, a fragment) with the page headers."""
    html = environment.get_template(template).render(context(request, values))
    response = HTMLResponse(html, status_code=status_code)
    secure(response)
    return response
