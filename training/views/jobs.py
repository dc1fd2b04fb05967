"""The pages of background jobs, for the person who asked only (404 for anyone else):
the job with its progress bar, its status as JSON for the bar's script, its file,
and "try again" for a failed one."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..jobs import services as jobs
from ..jobs.models import Job
from .refresh import post_or_back

LIST_SIZE = 50


def _own(request, pk):
    return get_object_or_404(Job.objects.visible_to(request.user), pk=pk)


@login_required
@require_GET
def job_list(request):
    """The person's own jobs, newest first."""
    own = Job.objects.visible_to(request.user)[:LIST_SIZE]
    context = {"jobs": own, "job_file_hours": settings.JOB_FILE_HOURS}
    return render(request, "training/job_list.html", context)


@login_required
@require_GET
def job_detail(request, pk):
    """The job: what it is, a progress bar (updated by static/js/job_progress.js from
    ``job_status``; without script, a link that loads the page again), the download
    while it is kept, or what went wrong and "try again"."""
    job = _own(request, pk)
    return render(request, "training/job_detail.html", {"job": job, "now": timezone.now()})


@login_required
@require_GET
@never_cache
def job_status(request, pk):
    """What the progress bar needs, as JSON."""
    job = _own(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "finished": job.finished,
            "text": _("%(done)s of %(total)s") % {"done": job.done, "total": job.total},
        }
    )


@login_required
@require_GET
def job_file(request, pk):
    """The job's file while it is kept, under the name it was made with."""
    job = _own(request, pk)
    if not job.downloadable():
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:  # deleted from the disk by hand, or a restore without it
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=job.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@post_or_back(lambda pk: Job(pk=pk).get_absolute_url())
def job_retry(request, pk):
    job = _own(request, pk)
    if jobs.job_retry(job=job, by=request.user):
        messages.success(request, _("The job will run again."))
    return redirect(job)
