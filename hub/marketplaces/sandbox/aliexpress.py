"""Sandbox of aliexpress: not built yet (see issue 4)."""

urlpatterns: list = []
