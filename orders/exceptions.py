from django.core.exceptions import ValidationError


class OrderTransitionError(ValidationError):
    """The order cannot make that change; nothing was applied. The message is fit to show an operator."""
