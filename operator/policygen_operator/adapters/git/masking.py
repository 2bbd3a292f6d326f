"""Secrets out of messages: every form a token takes in the text of git, a forge or the HTTP client.

A plain replacement of the token's text misses most of them. A URL carries credentials in its userinfo
(``https://x-access-token:TOKEN@host/``, RFC 3986 section 3.2.1), percent-encoded when they hold a
character a URL may not (``p%40ss``, upper or lower case); git's Basic credentials are the base64 of
``user:token`` (the caller passes them as a secret of their own); Python's http.client refuses a header
value with a newline (a token read from a file) in a ValueError that shows the value's ``repr``, where the
newline is ``\\n``. So: any URL's userinfo is masked whatever it holds (it need not be our token), then
each secret in each of those forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
# scheme "://" userinfo "@": the userinfo runs to the last "@" before the authority ends ("/", "?", "#"),
# as urllib.parse.urlsplit reads it, so an unencoded "@" in a password is masked with the rest.
_USERINFO = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s'\"<>@]*(?:@[^/?#\s'\"<>@]*)*@")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def masked(text: str, *secrets: str | None) -> str:
    """``text`` with every URL's userinfo and each of ``secrets``, in each form, masked."""
    text = _USERINFO.sub(lambda match: match[1] + MASK + "@", text)
    for form in sorted(set(_forms(s for s in secrets if s)), key=len, reverse=True):
        if "%" in form:  # percent-escapes match in either case
            pattern = _PERCENT.sub(lambda m: f"%(?i:{m[0][1:]})", re.escape(form))
            text = re.sub(pattern, MASK, text)
        else:
            text = text.replace(form, MASK)
    return text


def _forms(secrets: Iterable[str]) -> Iterable[str]:
    for secret in secrets:
        for value in {secret, secret.strip()} - {""}:
            yield value
            yield value.encode("unicode_escape").decode("ascii")  # as a repr shows it (\n, \r, \t, \x..)
            yield quote(value, safe="")
            yield quote(value)  # "/" kept, as in a path
            yield quote_plus(value)
