"""The trainer's chase: who to remind of a module (overdue or not started, in their
tree), when each was last reminded, a list to copy for a call or a work group, and
"remind now" for one cadre or all of them."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from org.access import trainer_required
from org.models import Cadre
from portal.params import parse_id

from ..reminders import send_due_reminders
from ..reminders.chase import COPY_LIMIT, copy_lines, modules_to_chase, to_chase
from ..reminders.services import nudge
from .progress import _module_page
from .refresh import post_or_back

CHASE_PAGE_SIZE = 50


def _chase_url(pk, node=None):
    url = reverse("training:module_chase", args=[pk])
    return f"{url}?org={node.pk}" if node is not None else url


def _chase(request, pk):
    """The module's progress page (scope, org unit) and its cadres to chase there."""
    page, _assignment = _module_page(request, pk)
    if page.node is None:
        return page, None
    base = Cadre.objects.managed_by(request.user).in_subtree(page.node)
    return page, to_chase(page.progress, base)


@trainer_required
def chase_overview(request):
    """Every active module reaching the trainer's cadres, most overdue first."""
    rows = modules_to_chase(request.user)
    stored = [r.counted_at for r in rows if r.counted_at is not None]
    return render(
        request,
        "reminders/chase_overview.html",
        {"rows": rows, "counted_at": min(stored) if stored else None},
    )


@trainer_required
def module_chase(request, pk):
    page, cadres = _chase(request, pk)
    context = {"page": page, "module": page.module, "node": page.node, "copy_limit": COPY_LIMIT}
    if cadres is not None:
        listed = Paginator(cadres, CHASE_PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            cadres=listed,
            copy=copy_lines(cadres) if listed.paginator.count else "",
            query=f"org={page.node.pk}",
        )
    return render(request, "reminders/chase.html", context)


@trainer_required
@post_or_back(_chase_url)
def module_remind(request, pk):
    """ "Remind now": one cadre of the chase list (``cadre``) or all of it (``all``);
    anyone outside the trainer's list is 404. A notice at once; an email now for the
    first few with an address, the rest with the next run of send_reminders."""
    page, cadres = _chase(request, pk)
    if cadres is None:
        raise Http404
    if request.POST.get("all"):
        chosen = list(cadres.values_list("pk", flat=True))
    else:
        chosen = [get_object_or_404(cadres, pk=parse_id(request.POST.get("cadre"))).pk]
    reminded = nudge(cadre_ids=chosen, module=page.module, by=request.user)
    _say_reminded(request, reminded, len(chosen))
    return redirect(_chase_url(pk, page.node))


def _say_reminded(request, reminded, chosen):
    if not reminded:
        messages.info(request, _("Already reminded today: a cadre is reminded once a day."))
        return
    now = reminded[: settings.REMINDERS_SEND_NOW_LIMIT]
    base = settings.PORTAL_BASE_URL or request.build_absolute_uri("/").rstrip("/")
    result = send_due_reminders(cadre_ids=now, base=base, timeout=10)
    text = ngettext("Reminded %(n)d cadre.", "Reminded %(n)d cadres.", len(reminded)) % {
        "n": len(reminded)
    }
    if chosen > len(reminded):
        text += " " + _("The others were already reminded today.")
    if result.sent:
        text += " " + ngettext("%(n)d email was sent.", "%(n)d emails were sent.", result.sent) % {
            "n": result.sent
        }
    if not result.connected or len(reminded) > len(now):
        text += " " + _("The other emails go out with the next reminder run.")
    messages.success(request, text)
