"""Only the Amazon sandbox, so that another platform's unfinished sandbox module cannot break these tests."""

from django.urls import include, path

urlpatterns = [path("sandbox/amazon/", include("hub.marketplaces.sandbox.amazon.urls"))]
