"""A local forge for tests: git smart HTTP (``git http-backend``) plus the GitHub and GitLab endpoints."""

from tests.fakeforge.server import FakeForge, RecordedRequest

__all__ = ["FakeForge", "RecordedRequest"]
