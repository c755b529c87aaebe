"""Personal data never leaves in an alert: alerts travel to chat rooms and mailboxes that
many more people read than may see a customer's record.

Values under a personal key (e-mail, phone, name, respondent/customer/author/agent id)
are replaced whole; in every other string, e-mail addresses and phone numbers are.
Over-redacting a value is a cheap mistake; leaking one is not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"

_PERSONAL_KEY = re.compile(
    r"(^|_)(e_?mail|phone|mobile|address|ip)($|_)"
    r"|^(full_|first_|last_|display_|customer_|author_|reviewer_|respondent_)name$"
    r"|^(respondent|customer|author|user|reviewer|requester|contact)(_id)?$"
    r"|(respondent|customer|author|reviewer|requester|contact)_(id|key|hash)$",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# An international number (+44 7700 900123) or a grouped national one (0151 234 5678);
# bare digit runs are left alone: ids and dates are made of those too.
_PHONE = re.compile(
    r"(?<![\w+-])\+\d[\d ().-]{6,}\d(?![\w-])"
    r"|(?<![\w-])\(?\d{2,5}\)?[ .-]\d{3,4}[ .-]\d{3,5}(?![\w-])"
)


def is_personal_key(key: str) -> bool:
    return bool(_PERSONAL_KEY.search(str(key)))


def redact_text(text: str) -> str:
    return _PHONE.sub(REDACTED, _EMAIL.sub(REDACTED, text))


def redact(value: Any, personal: frozenset[str] | set[str] = frozenset()) -> Any:
    """A copy of `value` without personal data; `personal` names more keys to blank."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            key: (
                REDACTED
                if item is not None and (key in personal or is_personal_key(key))
                else redact(item, personal)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item, personal) for item in value]
    return value


def redact_row_text(text: str | None, personal: frozenset[str] | set[str] = frozenset()) -> Any:
    """An exported row kept as text (audit.quarantine.original_row, JSON of the row)."""
    if text is None:
        return None
    try:
        row = json.loads(text)
    except ValueError:
        return redact_text(text)
    return redact(row, personal)
