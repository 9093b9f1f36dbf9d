import functools
import logging

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sellers.models import MarketplaceAccount

from .health import account_health_rows, receiver_state
from .intake import WebhookRejected, webhook_receive

logger = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 2 * 1024 * 1024


@csrf_exempt  # marketplaces sign their pushes; the signature is checked instead
@require_POST
def marketplace_webhook(request, platform: str):
    """Verify, store raw, answer at once; the order is processed by a task."""
    if len(request.body) > MAX_WEBHOOK_BYTES:
        return JsonResponse({"error": "payload too large"}, status=413)
    try:
        with transaction.atomic():
            message = webhook_receive(platform, dict(request.headers), request.body, request.build_absolute_uri())
            from .tasks import inbox_process_task

            transaction.on_commit(functools.partial(inbox_process_task.delay, message.pk))
    except WebhookRejected as error:
        logger.warning("webhook rejected: platform=%s status=%s reason=%s", platform, error.status, error.reason)
        return JsonResponse({"error": error.reason}, status=error.status)
    return JsonResponse({"received": message.pk})


@staff_member_required
@permission_required("sync.view_accountsyncstate", raise_exception=True)
def sync_status(request):
    """Operators' view of every account: last pull and push, lag, errors and throttles in the last hour."""
    accounts = list(MarketplaceAccount.objects.select_related("seller").order_by("seller__name", "platform"))
    context = {"rows": account_health_rows(accounts), "receiver": receiver_state()}
    return render(request, "sync/status.html", context)
