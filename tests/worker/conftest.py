"""Fixtures for the worker tests: settings (the clock among them) changed mid-test."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import pytest

from models.runtime import Runtime


@pytest.fixture
def configure(runtime: Runtime) -> Callable[..., None]:
    """Change settings of the running test, e.g. configure(fixed_now=...) to set the clock."""

    def _configure(**changes: Any) -> None:
        runtime.settings = replace(runtime.settings, **changes)

    return _configure
