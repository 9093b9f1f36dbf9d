"""Notification API getPublicKey: the key that verifies pushes signed with ``kid``."""

from django.http import JsonResponse

from ..models import SandboxShop
from .api import ENTITY_NOT_FOUND, ebay_error, ebay_operation
from .shop import PLATFORM, public_key_text


@ebay_operation("getPublicKey")
def get_public_key(request, shop, public_key_id):
    owner = SandboxShop.objects.filter(platform=PLATFORM, secrets__notification_kid=public_key_id).first()
    if owner is None:
        return ebay_error(404, ENTITY_NOT_FOUND, "The public key was not found.", domain="API_NOTIFICATION")
    return JsonResponse({"algorithm": "ECDSA", "digest": "SHA1", "key": public_key_text(owner)})
