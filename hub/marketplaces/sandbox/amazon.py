"""Sandbox of amazon: not built yet (see issue 4)."""

urlpatterns: list = []
