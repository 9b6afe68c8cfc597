"""The runtime a worker process was started with, for jobs (which take ids, not objects)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from foad.runtime import Runtime

_runtime: "Runtime | None" = None


def bind(runtime: "Runtime") -> None:
    """Make `runtime` the one jobs in this process (and its forked work horses) use."""
    global _runtime
    _runtime = runtime


def current() -> "Runtime":
    """The bound runtime, safe to use in a forked work horse."""
    if _runtime is None:
        raise RuntimeError("no runtime bound: jobs run inside `foad worker` (or a test's worker)")
    return _runtime.for_this_process()
