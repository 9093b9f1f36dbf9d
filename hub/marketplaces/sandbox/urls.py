"""Sandbox marketplaces, mounted under /sandbox/<platform>/ when SANDBOX_ENABLED is on."""

import importlib

from django.urls import include, path

from .registry import SANDBOX_PLATFORMS

urlpatterns = [
    path(f"{platform}/", include(importlib.import_module(f"hub.marketplaces.sandbox.{platform}").urlpatterns))
    for platform in SANDBOX_PLATFORMS
]
