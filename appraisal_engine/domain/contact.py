"""Contact cells of a roster: an e-mail address and an Indonesian mobile number, each checked
and normalised. The errors never repeat the value: contacts are personal data, and a roster's
errors travel to logs, problem responses and the command line."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from appraisal_engine.domain.errors import DomainError

MAX_EMAIL = 254  # RFC 5321's limit on a forward path
_MOBILE = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def email_address(value: str, column: str = "email") -> str:
    """The address normalised (domain lower-cased, Unicode NFC); syntax only, no DNS lookup."""
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError("is not a valid e-mail address", field=column) from None
    if len(checked.normalized) > MAX_EMAIL:
        raise DomainError(
            "must be at most %(limit)s characters", field=column, values={"limit": MAX_EMAIL}
        )
    return checked.normalized


def mobile_number(value: str, column: str = "phone") -> str:
    """An Indonesian mobile number in E.164 (+628...), from 08..., 628... or +628... with any
    spaces, dots, hyphens or brackets."""
    digits = value.strip()
    if digits.startswith("62"):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException:
        raise DomainError("is not a phone number", field=column) from None
    if (
        number.country_code != 62
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE
    ):
        raise DomainError("is not an Indonesian mobile number (08... or +628...)", field=column)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
