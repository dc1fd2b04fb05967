"""The public verification of certificates, at the site's root: /verify/<code>/ is
what a certificate prints under its QR code."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.verify_lookup, name="verify_lookup"),
    path("<str:code>/", views.verify, name="verify"),
]
