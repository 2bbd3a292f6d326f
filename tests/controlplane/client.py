"""A very small synchronous Kubernetes REST client for the fixtures.

The fixtures must work before anything else of the project does and without kubectl, so they speak
HTTPS with the standard library: a client certificate (admin) or a bearer token (ServiceAccount).
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ApiError(Exception):
    """A non-2xx answer, with the status code and the Status object Kubernetes sent."""

    def __init__(self, status: int, body: dict[str, Any] | str) -> None:
        self.status = status
        self.body = body
        message = body.get("message", "") if isinstance(body, dict) else body
        super().__init__(f"HTTP {status}: {message}")


@dataclass(frozen=True)
class KubeClient:
    server: str
    ca_cert: Path
    client_cert: Path | None = None
    client_key: Path | None = None
    token: str | None = None
    timeout: float = 30.0

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_cert))
        if self.client_cert and self.client_key:
            context.load_cert_chain(str(self.client_cert), str(self.client_key))
        return context

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        content_type: str = "application/json",
    ) -> Any:
        """Send one request; returns the decoded JSON (or text) answer, raises ApiError otherwise."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.server + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, context=self._context(), timeout=self.timeout) as response:
                raw = response.read().decode()
        except urllib.error.HTTPError as error:
            raw = error.read().decode()
            try:
                raise ApiError(error.code, json.loads(raw)) from None
            except json.JSONDecodeError:
                raise ApiError(error.code, raw) from None
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.request("POST", path, body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def create_if_absent(self, path: str, body: dict[str, Any]) -> Any:
        """POST `body` to the collection at `path`; an AlreadyExists answer is fine."""
        try:
            return self.post(path, body)
        except ApiError as error:
            if error.status != 409:
                raise
            return None
