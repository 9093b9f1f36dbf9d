"""Sandbox of shopify: not built yet (see issue 4)."""

urlpatterns: list = []
