"""Shared fixtures and the hypothesis profiles.

CI runs the ``ci`` profile: derandomized, so a run is repeatable. Explore
locally with ``HYPOTHESIS_PROFILE=explore make test``.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, max_examples=40, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "facts" / "examples" / "tongchuan"
BASE_TOWN = Path(__file__).resolve().parent / "cases" / "_base" / "town.yaml"


@pytest.fixture(scope="session")
def pack():
    from engine.pack.rulepack import load_pack
    return load_pack()


@pytest.fixture(scope="module")
def server():
    """The workbench serving the example town, for one test module: its base URL."""
    from tests.webserver import workbench
    with workbench([EXAMPLE]) as (url, _):
        yield url


@pytest.fixture(scope="session")
def durable_backend():
    """One durable host for the test session: sessions are deleted after each incident."""
    from engine.pack.backends import DurableBackend
    return DurableBackend()
