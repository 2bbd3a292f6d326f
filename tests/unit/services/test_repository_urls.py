"""Repository URLs are normalised before matching, and the token goes only to the repository's own host
(issue 10). Each case fails on the code before: ``..`` passed ``acme/*``, any apiURL host was accepted."""

from __future__ import annotations

import pytest

from policygen_operator.services.errors import InvalidRequestError
from policygen_operator.services.pullrequest import check_api_url, check_repository

ALLOW = ("https://github.com/acme/*",)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/../victim/infra",
        "https://github.com/acme/./../victim/infra.git",
        "https://github.com/acme/%2e%2e/victim/infra",
        "https://github.com/acme/%2E%2E/victim/infra",
        "https://github.com/acme%2f..%2fvictim/infra",
        "https://github.com/acme//victim/infra",
        "https://github.com/acme/infra\\..\\..\\victim",
    ],
)
def test_dot_and_encoded_segments_are_refused(url: str) -> None:
    with pytest.raises(InvalidRequestError, match=r"'\.\.' segment, a percent-encoded"):
        check_repository(url, ALLOW)


@pytest.mark.parametrize(
    ("api_url", "repository"),
    [
        ("https://api.github.com", "https://github.com/acme/infra.git"),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com/acme/infra.git"),
        ("https://gitlab.example.com/api/v4/", "https://gitlab.example.com/group/sub/infra.git"),
        ("http://127.0.0.1:8080/api/v3", "http://127.0.0.1:8080/acme/infra.git"),
    ],
)
def test_api_url_on_the_repository_host(api_url: str, repository: str) -> None:
    check_api_url(api_url, repository)


@pytest.mark.parametrize(
    ("api_url", "repository"),
    [
        ("https://attacker.example.com/api/v3", "https://github.com/acme/infra.git"),
        ("https://github.com.attacker.example/api/v3", "https://github.com/acme/infra.git"),
        ("https://api.github.com:8443", "https://github.com/acme/infra.git"),
        ("http://127.0.0.1:9999/api/v3", "http://127.0.0.1:8080/acme/infra.git"),
        ("https://169.254.169.254/latest", "https://github.com/acme/infra.git"),
    ],
)
def test_api_url_elsewhere_is_refused(api_url: str, repository: str) -> None:
    with pytest.raises(InvalidRequestError) as err:
        check_api_url(api_url, repository)
    assert err.value.reason == "APIHostNotAllowed"
    assert err.value.field == "spec.output.pullRequest.apiURL"
