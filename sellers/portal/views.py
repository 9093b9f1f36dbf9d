from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from sellers.selectors import member_role, seller_for_user


@login_required
def dashboard(request):
    seller = seller_for_user(request.user)
    context = {"seller": seller, "role": member_role(request.user, seller)}
    return render(request, "portal/dashboard.html", context)
