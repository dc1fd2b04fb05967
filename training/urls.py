from django.urls import path, re_path

from .views import certificates, claims, hours, jobs, modules, progress, study

app_name = "training"

urlpatterns = [
    path("", modules.module_list, name="module_list"),
    path("start/", study.start, name="start"),
    path("my-study/", study.my_study, name="my_study"),
    path("my-study/modules/<int:pk>/", study.my_module, name="my_module"),
    path("my-record/", study.my_record, name="my_record"),
    path("units/<slug:slug>/complete/", study.completion_mark, name="completion_mark"),
    path("units/<slug:slug>/undo/", study.completion_unmark, name="completion_unmark"),
    path("modules/new/", modules.module_create, name="module_create"),
    path("modules/<int:pk>/", modules.module_detail, name="module_detail"),
    path("modules/<int:pk>/edit/", modules.module_edit, name="module_edit"),
    path("modules/<int:pk>/activate/", modules.module_activate, name="module_activate"),
    path("modules/<int:pk>/assign/", modules.module_assign, name="module_assign"),
    path("modules/<int:pk>/progress/", progress.module_progress, name="module_progress"),
    re_path(
        r"^modules/(?P<pk>[0-9]+)/progress\.(?P<fmt>csv|xlsx)$",
        progress.progress_export,
        {"kind": "module"},
        name="module_progress_export",
    ),
    path("assignments/<int:pk>/", progress.assignment_progress, name="assignment_progress"),
    re_path(
        r"^assignments/(?P<pk>[0-9]+)/progress\.(?P<fmt>csv|xlsx)$",
        progress.progress_export,
        {"kind": "assignment"},
        name="assignment_progress_export",
    ),
    path("cadres/<int:pk>/", progress.cadre_record, name="cadre_record"),
    path("hours/", hours.hours_overview, name="hours_overview"),
    path("my-record/claims/new/", claims.claim_create, name="claim_create"),
    path("my-record/claims/<int:pk>/withdraw/", claims.claim_withdraw, name="claim_withdraw"),
    path("claims/", claims.claim_list, name="claim_list"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/file/", claims.claim_file, name="claim_file"),
    path(
        "my-record/certificates/modules/<int:pk>/",
        certificates.module_certificate,
        name="module_certificate",
    ),
    path(
        "my-record/certificates/years/<int:year>/",
        certificates.annual_certificate,
        name="annual_certificate",
    ),
    path("my-record/certificates/<str:code>/", certificates.certificate, name="certificate"),
    path(
        "my-record/certificates/<str:code>/pdf/",
        certificates.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "modules/<int:pk>/certificates.zip",
        certificates.module_certificates_zip,
        name="module_certificates_zip",
    ),
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status/", jobs.job_status, name="job_status"),
    path("jobs/<int:pk>/file/", jobs.job_file, name="job_file"),
    path("jobs/<int:pk>/retry/", jobs.job_retry, name="job_retry"),
]
