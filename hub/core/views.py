from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import check_broker, check_database


@never_cache
@require_GET
def healthz(request):
    problems = {"database": check_database(), "broker": check_broker()}
    body = {name: ("ok" if problem is None else f"down: {problem}") for name, problem in problems.items()}
    healthy = all(problem is None for problem in problems.values())
    body["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def home(request):
    """Staff go to the back office, sellers to their portal."""
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("portal:dashboard")
