"""Triage: where a complaint's text says it goes (see `models.triage.reading.triage`).

    index = directory_index(session)       # cached; reloaded when the directory changes
    found = triage(text, Known.of(identify(number), via="sms"), index)
    if found.is_confident("sector"): ...
    found.province.value, found.province.confidence, found.province.evidence, found.province.rule
"""

from models.triage.directory_index import MARK, DirectoryCache, DirectoryIndex, Mark, Unit, directory_index
from models.triage.reading import FIELDS, THRESHOLD, Known, Triage, triage
from models.triage.votes import Suggestion

__all__ = ["FIELDS", "MARK", "THRESHOLD", "DirectoryCache", "DirectoryIndex", "Known", "Mark", "Suggestion",
           "Triage", "Unit", "directory_index", "triage"]
