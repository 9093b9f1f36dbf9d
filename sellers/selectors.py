"""Reads scoped to the acting user: the one place that decides which seller a user may see."""

from django.core.exceptions import PermissionDenied

from .models import Seller, SellerMember


def seller_for_user(user) -> Seller:
    """The seller a portal user acts for; PermissionDenied for anyone else."""
    if not user.is_authenticated:
        raise PermissionDenied
    membership = SellerMember.objects.select_related("seller").filter(user=user, seller__is_active=True).first()
    if membership is None:
        raise PermissionDenied
    return membership.seller


def member_role(user, seller: Seller) -> str | None:
    return SellerMember.objects.filter(user=user, seller=seller).values_list("role", flat=True).first()
