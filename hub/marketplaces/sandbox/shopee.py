"""Sandbox of shopee: not built yet (see issue 4)."""

urlpatterns: list = []
