"""The public verification of certificates, at the site's root: /verify/<code>/ is
what a certificate prints under its QR code."""

from django.urls import path

from .views import certificates

urlpatterns = [
    path("", certificates.verify_lookup, name="verify_lookup"),
    path("<str:code>/", certificates.verify, name="verify"),
]
