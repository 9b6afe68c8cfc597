"""Phrases to look for in a text, word by word: exact keys, an attached suffix, a near spelling.

A phrase written with spaces or ZWNJ in the data also matches with its words run together
("آموزش‌وپرورش", "بیاحترامی"), since citizens type ZWNJ, a space, or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from typing import Any, Iterable, Iterator, Sequence

from models.triage.tokens import Token, phrase_keys

SUFFIXES = ("هایی", "های", "ها", "ان", "ایی", "ای", "ی", "اش", "ش", "شان", "مان", "ام", "م", "ات", "تان",
            "مون", "تون", "شون")
"""Endings a Persian word takes without changing what it names ("بانکها", "معلمان", "کارمندش",
"مالیاتی", colloquial "معطلمون")."""
FUZZY_MIN = 6
"""Words shorter than this are never matched by a near spelling: too many neighbours."""
FUZZY_WEIGHT = 3.0
"""Only phrases this strong are matched by a near spelling: a weak word's neighbours are
everyday words ("کارمند", employee, is one letter from "کارمزد", a fee)."""
NEAR_WEIGHT = 0.75
"""What a near spelling counts for, against the exact word."""
MAX_MERGED = 4
"""Phrases of up to this many words also match with their words run together."""
_END = ""  # the trie key under which a node keeps the entries whose phrase ends there


@dataclass(frozen=True)
class Entry:
    """What a phrase means: for `field` ("sector", "place", "agency" ...), the value `value`."""

    field: str
    value: str
    weight: float
    phrase: str
    extra: Any = None
    """The field's own detail (a place's record, a cue's kind)."""


@dataclass(frozen=True)
class Hit:
    """An entry found over tokens[start:end]; `near` when by a near spelling."""

    entry: Entry
    start: int
    end: int
    near: bool = False

    def words(self, text: str, tokens: Sequence[Token]) -> str:
        """The words of the text as typed that gave this hit."""
        return text[tokens[self.start].start:tokens[self.end - 1].end]

    def weight(self) -> float:
        """The entry's weight, less for a near spelling."""
        return self.entry.weight * (NEAR_WEIGHT if self.near else 1.0)


class Lexicon:
    """A trie of phrases, word keys on the edges, entries at the ends."""

    def __init__(self, entries: Iterable[Entry], *, suffixes: bool = False, fuzzy: bool = False,
                 known: frozenset[str] = frozenset()) -> None:
        self.suffixes, self.fuzzy = suffixes, fuzzy
        self.known = known
        """Words never read as a near spelling of another (place names: "شهریار" is not "شهردار")."""
        self._root: dict[str, Any] = {}
        self._near: dict[str, list[tuple[str, Entry]]] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: Entry) -> None:
        """Index one entry under its phrase and the phrase's run-together forms."""
        keys = phrase_keys(entry.phrase)
        if not keys:
            return
        for variant in _merges(keys):
            node = self._root
            for key in variant:
                node = node.setdefault(key, {})
            node.setdefault(_END, []).append(entry)
        if self.fuzzy and len(keys) == 1 and len(keys[0]) >= FUZZY_MIN and entry.weight >= FUZZY_WEIGHT:
            for near in _deletions(keys[0]) | {keys[0]}:
                self._near.setdefault(near, []).append((keys[0], entry))

    def words(self) -> frozenset[str]:
        """Every word key of every phrase indexed."""
        return frozenset(key for node in self._nodes() for key in node if key != _END)

    def entries(self) -> list[Entry]:
        """Every entry indexed (an entry under several spellings, once for each)."""
        return [entry for node in self._nodes() for entry in node.get(_END, ())]

    def _nodes(self) -> Iterator[dict[str, Any]]:
        waiting = [self._root]
        while waiting:
            node = waiting.pop()
            yield node
            waiting.extend(child for key, child in node.items() if key != _END)

    def find(self, tokens: Sequence[Token]) -> list[Hit]:
        """Every hit in the tokens, longest first among those that overlap."""
        # Plain loops into one list, not generators: every complaint's text is read by
        # several lexicons, a few dozen walks each.
        hits: list[Hit] = []
        for i in range(len(tokens)):
            before = len(hits)
            self._walk(tokens, i, i, self._root, hits)
            if len(hits) == before and self.fuzzy:
                hits.extend(Hit(entry, i, i + 1, near=True) for entry in self._nearby(tokens[i]))
        return longest(hits)

    def _walk(self, tokens: Sequence[Token], start: int, i: int, node: dict[str, Any], hits: list[Hit]) -> None:
        """Add to `hits` each phrase that starts at token `start` and goes on from `node` at token `i`."""
        if i >= len(tokens):
            return
        for key in self._forms(tokens[i]):
            child = node.get(key)
            if child is None:
                continue
            if _END in child:
                hits.extend(Hit(entry, start, i + 1) for entry in child[_END])
            self._walk(tokens, start, i + 1, child, hits)

    def _forms(self, token: Token) -> tuple[str, ...]:
        """The keys a token may stand for: itself, and without an attached suffix."""
        return unsuffixed(token.key) if self.suffixes and not token.latin else (token.key,)

    def _nearby(self, token: Token) -> list[Entry]:
        key = token.key
        if len(key) < FUZZY_MIN or key.isdigit() or key in self.known:
            return []
        seen: dict[int, Entry] = {}
        for probe in _deletions(key) | {key}:
            for word, entry in self._near.get(probe, ()):
                if word != key and _one_edit(word, key):
                    seen.setdefault(id(entry), entry)
        return list(seen.values())


@lru_cache(maxsize=1 << 16)
def unsuffixed(key: str) -> tuple[str, ...]:
    """A Persian word's key, and its keys without each suffix it may end in."""
    stems = (key[:-len(s)] for s in SUFFIXES if key.endswith(s) and len(key) - len(s) >= 2)
    return tuple(dict.fromkeys((key, *stems)))


def longest(hits: list[Hit]) -> list[Hit]:
    """The hits left when any hit overlapping a longer (or earlier, equally long) one is dropped;
    hits over the same words that mean different things are all kept."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.near, -(h.end - h.start), h.start)):
        if all(_same_span(hit, k) or not _overlap(hit, k) for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: (h.start, h.end))


def _overlap(a: Hit, b: Hit) -> bool:
    return a.start < b.end and b.start < a.end


def _same_span(a: Hit, b: Hit) -> bool:
    return (a.start, a.end, a.near) == (b.start, b.end, b.near)


def _merges(keys: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """The phrase, and (if short) every way of running neighbouring words together."""
    if len(keys) > MAX_MERGED:
        yield keys
        return
    for joins in product((False, True), repeat=len(keys) - 1):
        words = [keys[0]]
        for key, join in zip(keys[1:], joins):
            if join:
                words[-1] += key
            else:
                words.append(key)
        yield tuple(words)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns a into b."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1:]
    swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
    return a[i + 1:] == b[i + 1:] or swapped
