"""Sandbox of aliexpress: being built (see issue 4)."""

urlpatterns: list = []
