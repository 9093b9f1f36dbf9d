"""Demo sellers: three small cross-border sellers with their users."""

from hub.core.demo_users import ensure_user

from .enums import MemberRole, ShortagePolicy
from .models import Seller, SellerMember

SELLERS = [
    # code, name, country, currency, priority, policy, members [(username, role)]
    (
        "harbor",
        "Harbor Trading",
        "US",
        "USD",
        10,
        ShortagePolicy.BACKORDER,
        [("harbor.owner", MemberRole.OWNER), ("harbor.staff", MemberRole.STAFF)],
    ),
    ("lotus", "Lotus Cross-Border", "SG", "USD", 50, ShortagePolicy.PARTIAL, [("lotus.owner", MemberRole.OWNER)]),
    ("nordic", "Nordic Nest", "DE", "EUR", 100, ShortagePolicy.REJECT, [("nordic.owner", MemberRole.OWNER)]),
]


def build():
    for code, name, country, currency, priority, policy, members in SELLERS:
        seller, _ = Seller.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "country": country,
                "currency": currency,
                "priority": priority,
                "shortage_policy": policy,
                "contact_email": f"ops@{code}.example.com",
            },
        )
        for username, role in members:
            user = ensure_user(username, first_name=name)
            SellerMember.objects.update_or_create(user=user, defaults={"seller": seller, "role": role})
    return f"{len(SELLERS)} sellers"
