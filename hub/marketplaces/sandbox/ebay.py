"""Sandbox of ebay: not built yet (see issue 4)."""

urlpatterns: list = []
