from django.core.exceptions import ValidationError


class LogisticsError(ValidationError):
    """A warehouse step refused, with a message for the admin; nothing was changed."""


class RoutingError(LogisticsError):
    pass


class NoEligibleService(LogisticsError):
    pass


class PackingError(LogisticsError):
    pass


class LabelError(LogisticsError):
    pass


class ShipmentStateError(LogisticsError):
    pass


class CarrierError(Exception):
    """The carrier refused or failed; ``retryable`` tells whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool = False):
        self.retryable = retryable
        super().__init__(message)
