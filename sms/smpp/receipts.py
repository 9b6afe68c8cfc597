"""SMPP 3.4 delivery receipts: the SMSC's id and the final state of a text we sent, read from
the receipted_message_id / message_state TLVs when the SMSC sends them, else from the
"id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…" short message
(SMPP 3.4, appendix B)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.messages import MessageStatus

RECEIPT = 0x04
"""esm_class message type: SMSC delivery receipt."""
TYPE_MASK = 0x3C
"""esm_class bits that carry the message type."""
STATES = {
    1: "ENROUTE", 2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV", 6: "ACCEPTD",
    7: "UNKNOWN", 8: "REJECTD",
}
"""message_state values (SMPP 3.4, 5.2.28) and the receipt text's word for each."""
STATUS = {
    "ENROUTE": MessageStatus.SENT, "ACCEPTD": MessageStatus.SENT,
    "DELIVRD": MessageStatus.DELIVERED,
    "EXPIRED": MessageStatus.UNDELIVERED, "UNDELIV": MessageStatus.UNDELIVERED,
    "DELETED": MessageStatus.FAILED, "REJECTD": MessageStatus.FAILED,
}
"""The message status each state moves a text to; UNKNOWN moves nothing."""
_FIELD = re.compile(r"(id|sub|dlvrd|submit date|done date|stat|err):(\S*)", re.IGNORECASE)
_TEXT = re.compile(r"\btext:(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Receipt:
    """What a delivery receipt says about one submitted part."""

    smsc_id: str
    state: str
    error: str | None
    quoted: str | None
    """The first characters of the text, as the SMSC quotes them (None when it does not)."""

    @property
    def status(self) -> MessageStatus | None:
        """The message status the state moves the text to."""
        return STATUS.get(self.state)


def is_receipt(esm_class: int) -> bool:
    """True when a deliver_sm is a delivery receipt, not a text from a phone."""
    return esm_class & TYPE_MASK == RECEIPT


def read(text: str, receipted_id: str | None, state: int | None, network_error: bytes | None) -> Receipt | None:
    """The receipt in a deliver_sm's text and TLVs (the TLVs win); None when it names no id."""
    fields = {name.lower(): value for name, value in _FIELD.findall(text)}
    quoted = _TEXT.search(text)
    smsc_id = receipted_id or fields.get("id", "")
    if not smsc_id:
        return None
    word = STATES.get(state or 0) or fields.get("stat", "UNKNOWN").upper()
    error = network_error.hex() if network_error else fields.get("err")
    return Receipt(smsc_id, word, None if error in (None, "", "000") else error,
                   quoted.group(1) if quoted else None)
