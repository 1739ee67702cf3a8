"""Every error a service raises, in one place: one hierarchy under `ServiceError`.

Services raise these and know nothing of HTTP. The web layer turns them into answers
(`mentoring.errors`): `NotFound` is a 404 (a record that is missing and one the user may
not see answer the same), `Conflict` a 409 unless a view shows it beside the form, and
`InvalidInput` a message beside the field it names (``field`` / ``errors``).
"""

from __future__ import annotations


class ServiceError(Exception):
    """A service could not do what was asked; the message is written for the user.

    ``errors`` maps form fields to messages; ``field`` names the one the message belongs
    beside, if any.
    """

    def __init__(
        self, message: str = "", field: str | None = None, errors: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, str] = dict(errors or {})
        if field and field not in self.errors:
            self.errors[field] = message
        self.field = field


class InvalidInput(ServiceError, ValueError):
    """What was asked for breaks a rule; the message (or ``errors``) says which."""


class NotFound(ServiceError, LookupError):
    """The record does not exist, or the user may not see it (the same 404 either way)."""


class Conflict(ServiceError):
    """Someone else changed the record at the same time, or it has moved on since."""


class Unavailable(ServiceError):
    """Something the service depends on (the job queue) cannot be reached now (503)."""


# ---------------------------------------------------------------------------
# By context (each a kind of the above, so callers may catch either)
# ---------------------------------------------------------------------------


class FieldError(InvalidInput):
    """An error beside one form field, raised as ``FieldError(field, message)``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


class UserError(InvalidInput):
    """A user account could not be created or changed as asked."""


class DistrictError(FieldError):
    """A change to a district is not allowed."""


class FamilyError(FieldError):
    """A change to a family is not allowed."""


class PeriodError(FieldError):
    """A report period that cannot be reported on."""


class OutOfScope(NotFound):
    """A filter asked for a district the user may not see."""


class VettingError(InvalidInput):
    """A vetting change could not be made as asked."""


class NotReadyError(VettingError):
    """A mentor cannot be marked ready: the gate's reasons say why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("This volunteer cannot be marked ready yet: " + "; ".join(reasons))
        self.reasons = reasons


class MatchError(ServiceError):
    """A match action is not allowed; the message says why."""


class MatchConflict(MatchError, Conflict):
    """Someone else changed the match, the family or the mentor at the same time."""


class MailError(ServiceError, RuntimeError):
    """An email could not be sent."""


class LinkError(InvalidInput):
    """An emailed link cannot be used: ``reason`` is invalid, used, cancelled or expired."""

    MESSAGES = {
        "invalid": "This link is not valid. Check you copied the whole link from the email.",
        "used": "This link has already been used.",
        "cancelled": "This link has been cancelled.",
        "expired": "This link has expired. Ask for a new one.",
    }

    def __init__(self, reason: str) -> None:
        super().__init__(self.MESSAGES.get(reason, self.MESSAGES["invalid"]))
        self.reason = reason if reason in self.MESSAGES else "invalid"


class AccountError(InvalidInput):
    """An account change is not allowed (for example deactivating the last administrator)."""


class TwoFactorError(InvalidInput):
    """A two-factor code was not accepted."""


class SafeguardingError(InvalidInput):
    """A safeguarding concern, entry or decision could not be recorded as asked."""
