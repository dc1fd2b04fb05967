"""The page django-axes shows when sign-in is paused after too many failures."""

from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone


def locked_out(request, original_response=None, credentials=None):
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": seconds // 60},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def address_failures(ip_address):
    """Failed sign-ins from one address within the pause, across all usernames."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


class AddressThrottleBackend:
    """Before django-axes (which pauses a username at one address after 5 failures):
    an address that failed ``AXES_ADDRESS_FAILURE_LIMIT`` times, across any usernames,
    is paused too, so trying one password on many accounts (password spraying) stops.
    The limit is higher than a username's: a township office signs in from one address."""

    def authenticate(self, request, **credentials):
        if request is None:
            return None
        ip_address = get_client_ip_address(request)
        if ip_address and address_failures(ip_address) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True  # AxesMiddleware answers with locked_out()
            raise AxesBackendPermissionDenied("Too many failed sign-ins from this address.")
        return None
