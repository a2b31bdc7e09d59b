"""Fixtures: one in-process MockServer for the session; each test gets its own API key, and
the mock gives each key its own objects, so tests never see each other's data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from molam import Config, MolamAsyncClient, MolamClient
from molam.testing import MockServer


@pytest.fixture(scope="session")
def mock() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture
def config(mock: MockServer) -> Config:
    return mock.config(f"sk_test_{uuid.uuid4().hex}")


@pytest.fixture
def client(config: Config) -> MolamClient:
    return MolamClient(config)


@pytest.fixture
def async_client(config: Config) -> MolamAsyncClient:
    return MolamAsyncClient(config)
