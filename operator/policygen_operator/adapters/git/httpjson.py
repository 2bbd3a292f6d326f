"""A minimal JSON-over-HTTPS client on urllib: the forge APIs need nothing more."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from policygen_operator.adapters.git.errors import ForgeError

_TIMEOUT = 30


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: urllib would re-send every header, the token included, to the new
    location (another host, or plain http). A forge API that redirects is answered with an error instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        raise _Redirected(code, newurl)


class _Redirected(Exception):
    def __init__(self, code: int, location: str) -> None:
        super().__init__(f"HTTP {code} redirect to {location}")
        self.code = code
        self.location = location


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Response:
    status: int
    data: Any
    headers: dict[str, str] = field(default_factory=dict)


def call(
    method: str, url: str, headers: dict[str, str], body: Any = None, timeout: float = _TIMEOUT
) -> Response:
    """One request; HTTP errors come back as a Response, transport errors raise a temporary ForgeError."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Response(response.status, _decode(response.read()), dict(response.headers.items()))
    except _Redirected as exc:
        raise ForgeError(
            f"{method} {url}: the server answered {exc}; requests that carry credentials never follow "
            "redirects (set the API URL to the final address)",
            "invalid",
            exc.code,
        ) from None
    except urllib.error.HTTPError as exc:
        return Response(exc.code, _decode(exc.read()), dict(exc.headers.items()))
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ForgeError(f"{method} {url} failed: {reason}", "temporary") from exc


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")[:500]


def error_text(response: Response) -> str:
    """GitHub's ``message`` + ``errors[].message``, GitLab's ``message``/``error``, or the raw text."""
    data = response.data
    if isinstance(data, dict):
        parts = [str(data.get("message") or data.get("error") or "")]
        for error in data.get("errors") or []:
            if isinstance(error, dict):
                parts.append(str(error.get("message") or error.get("code") or ""))
            else:
                parts.append(str(error))
        return "; ".join(p for p in parts if p) or str(data)
    return str(data or "")
