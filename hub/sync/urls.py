from django.urls import path

from . import views

app_name = "sync"

urlpatterns = [
    path("webhooks/<slug:platform>/", views.marketplace_webhook, name="webhook"),
    path("sync/status/", views.sync_status, name="status"),
]
