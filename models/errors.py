"""Domain errors: each channel turns them into its own polite answer (a prompt, an SMS, a 400)."""


class DomainError(Exception):
    """Something the citizen or official asked for that the rules do not allow."""


class Blocked(DomainError):
    """The number is on the nuisance blocklist."""


class UnknownAgency(DomainError):
    """No such agency in the directory."""


class UnknownSector(DomainError):
    """No such sector in the directory."""


class UnknownCategory(DomainError):
    """No such complaint category."""


class UnknownProvince(DomainError):
    """No such province."""


class EmptyComplaint(DomainError):
    """A complaint with no text, no recording and no media."""


class EmptyResult(DomainError):
    """A result with no text for the citizen to read."""


class SelfDuplicate(DomainError):
    """A ticket marked as a duplicate of itself."""


class IllegalTransition(DomainError):
    """A ticket was asked to move to a status it cannot reach from where it is."""


class TicketNotFound(DomainError):
    """No ticket has that tracking code."""


class InvalidCode(DomainError):
    """What was typed is not a well-formed tracking code (wrong length or check digit)."""


class TooManyComplaints(DomainError):
    """The number opened as many complaints in the last hour as the rules allow."""


class TicketNotStored(DomainError):
    """The database would not take the ticket (a row it names went away meanwhile): nothing
    was stored, and the citizen is asked to try again."""


class NoFreeCode(TicketNotStored):
    """Every tracking code drawn for the ticket was already taken."""
