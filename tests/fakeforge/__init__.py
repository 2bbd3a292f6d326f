"""A local forge for tests: git smart HTTP (``git http-backend``) plus the GitHub and GitLab endpoints we use."""

from tests.fakeforge.server import FakeForge, RecordedRequest

__all__ = ["FakeForge", "RecordedRequest"]
