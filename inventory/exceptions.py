"""Errors the inventory services raise; each carries a message fit to show an operator."""

from django.core.exceptions import ValidationError


class InventoryError(ValidationError):
    """Base: the request was refused and nothing was applied."""


class InvalidQuantity(InventoryError):
    pass


class UnknownSku(InventoryError):
    pass


class InsufficientStock(InventoryError):
    pass


class InvalidTransition(InventoryError):
    pass


class OverRelease(InventoryError):
    pass
