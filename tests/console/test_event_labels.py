"""Every kind of timeline event the engine writes has a Persian label on the ticket page."""

from __future__ import annotations

import ast
from pathlib import Path

from console.view import EVENT_LABELS
from models.tickets import TicketStatus

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("models", "worker", "sms", "ivr", "console")


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "text" assignments, and names imported from other modules."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            found.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return found


def written_kinds() -> set[str]:
    """The kind of every `record(ticket, KIND, ...)` call in the engine's packages."""
    trees = {path: ast.parse(path.read_text()) for package in PACKAGES
             for path in (ROOT / package).rglob("*.py")}
    names: dict[str, str] = {}
    for tree in trees.values():
        names.update(_constants(tree))
    kinds = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "record" and len(node.args) >= 2):
                kind = node.args[1]
                if isinstance(kind, ast.Constant):
                    kinds.add(kind.value)
                elif isinstance(kind, ast.Name):
                    kinds.add(names[kind.id])
    return kinds


def test_the_scan_finds_the_events_the_workers_and_channels_write() -> None:
    kinds = written_kinds()
    assert {"registered", "breach", "result_waits", "result_told", "call_ended", "job_failed"} <= kinds


def test_every_event_kind_written_has_a_persian_label() -> None:
    statuses = {status.value for status in TicketStatus}
    unlabelled = {kind for kind in written_kinds() if kind not in statuses and kind not in EVENT_LABELS}
    assert not unlabelled
