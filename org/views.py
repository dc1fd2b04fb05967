"""Importing cadres and org units: a trainer into their own tree (here), an editor
anywhere (the admin's import pages in org.admin use the same service)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from . import imports, middleware, passwords
from .access import is_trainer, trainer_required
from .forms import ImportForm, IssuePasswordsForm, PasswordChangeForm
from .language import remember_language
from .models import Cadre

PICKER_LIMIT = 20


@require_GET
@trainer_required
def cadre_search(request):
    """The cadre picker's suggestions: active cadres in the trainer's org units and below
    whose name holds the words typed or whose username starts with them, at most 20,
    with what tells two 张伟 apart (org unit, position). Nobody outside the scope is
    ever listed."""
    words = request.GET.get("q", "")[:50]
    cadres = (
        Cadre.objects.managed_by(request.user)
        .filter(active=True)
        .matching(words)
        .select_related("user", "org_unit")
        .order_by("name", "org_unit__path", "pk")[: PICKER_LIMIT + 1]
    )
    found = [
        {
            "id": c.pk,
            "name": c.name,
            "username": c.user.username,
            "org_unit": str(c.org_unit),
            "position": c.position,
        }
        for c in cadres
    ]
    return JsonResponse(
        {"results": found[:PICKER_LIMIT], "more": len(found) > PICKER_LIMIT},
        json_dumps_params={"ensure_ascii": False},
    )


@trainer_required
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.run(
            form.cleaned_data["file"], form.cleaned_data["kind"], request.user, request.user
        )
    return render(
        request,
        "org/import.html",
        {"form": form, "result": result, **imports.help_context()},
        status=422 if result is not None and not result.ok else 200,
    )


@login_required
def import_template(request, kind):
    """The template to fill in: for trainers, and for editors who may add cadres."""
    user = request.user
    if not (is_trainer(user) or (user.is_staff and user.has_perm("org.add_cadre"))):
        raise Http404
    if kind not in imports.COLUMNS:
        raise Http404
    chinese = imports.reader_reads_chinese()
    response = HttpResponse(
        imports.template_csv(kind, chinese), content_type="text/csv; charset=utf-8"
    )
    suffix = "zh" if chinese else "en"
    response["Content-Disposition"] = f'attachment; filename="{kind}-template-{suffix}.csv"'
    return response


@trainer_required
def issue_passwords(request):
    """One-time passwords for the cadres the trainer imported who have none yet: a list
    to choose from, and, once issued, the passwords shown once to print."""
    data = request.POST if request.method == "POST" else None  # nobody ticked is an error
    form = IssuePasswordsForm(data, trainer=request.user)
    if request.method == "POST" and form.is_valid():
        issued = passwords.issue(form.cleaned_data["cadres"], by=request.user)
        return render(request, "org/passwords_issued.html", {"issued": issued})
    waiting = list(form.fields["cadres"].queryset)
    return render(
        request,
        "org/passwords.html",
        {"form": form, "waiting": waiting, "chosen": _chosen(form, waiting)},
        status=422 if form.errors else 200,
    )


def _chosen(form, waiting):
    """The ids to tick: what was sent back with an error, or everyone at first."""
    if form.is_bound:
        return {str(v) for v in form.data.getlist("cadres")}
    return {str(c.pk) for c in waiting}


class PasswordChangeView(auth_views.PasswordChangeView):
    """Anyone signed in changes their password here; a cadre holding a one-time
    password is sent here first (org.middleware) and then on to where they were going."""

    template_name = "registration/password_change_form.html"
    form_class = PasswordChangeForm

    def _one_time(self):
        """Was the cadre sent here to replace a one-time password (org.middleware)?"""
        return self.request.session.get(middleware.SESSION_KEY, [None, False])[1]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "one_time": bool(self._one_time())}

    def get_success_url(self):
        target = self.request.POST.get("next") or self.request.GET.get("next")
        if target and url_has_allowed_host_and_scheme(
            target, {self.request.get_host()}, self.request.is_secure()
        ):
            return target
        return reverse("training:start")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = self.request.GET.get("next", "")
        context["required"] = self._one_time()
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        passwords.password_changed(self.request.user)
        middleware.password_changed(self.request)
        messages.success(self.request, _("Your password was changed."))
        return response


password_change = PasswordChangeView.as_view()


def set_language(request):
    """Django's language switch; a signed-in cadre's choice is also kept, for the email
    reminders written to them in it."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        remember_language(request.user, request.POST.get("language"))
    return response
