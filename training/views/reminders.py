"""Reminders' pages: a cadre dismisses a notice; anyone with the link from a mail turns
email reminders off (or on again) without signing in."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from org.access import cadre_required

from ..reminders import services
from ..reminders.notices import forget_count, notices_of_request
from ..reminders.unsubscribe import cadre_of_token
from .refresh import post_or_back


def _my_study():
    return reverse("training:my_study") + "#notices"


@cadre_required
@post_or_back(_my_study)
def notice_dismiss(request):
    """Dismiss one of the cadre's own notices, named by its key; a key that is not
    among them now (someone else's, or gone meanwhile) is 404."""
    key = request.POST.get("key", "")
    if key not in {n.key for n in notices_of_request(request, request.cadre)}:
        raise Http404
    services.notice_dismiss(cadre=request.cadre, key=key)
    forget_count(request)
    messages.success(request, _("The notice was dismissed."))
    return redirect(_my_study())


def email_reminders(request, token):
    """The signed link of every reminder mail: a page that says whose reminders these
    are and turns them off (or on again) with a button, signed in or not. Opening it
    changes nothing, so a mail scanner that follows links turns nothing off."""
    cadre = cadre_of_token(token)
    if cadre is None:
        raise Http404
    if request.method == "POST":
        turn_on = request.POST.get("email") == "on"
        services.email_reminders_set(cadre=cadre, on=turn_on)
        return redirect(request.path)
    return render(
        request,
        "reminders/email_reminders.html",
        {"cadre": cadre, "off": services.email_reminders_off(cadre)},
    )
