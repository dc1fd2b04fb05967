from django.urls import path, re_path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.module_list, name="module_list"),
    path("start/", views.start, name="start"),
    path("my-study/", views.my_study, name="my_study"),
    path("my-study/modules/<int:pk>/", views.my_module, name="my_module"),
    path("my-record/", views.my_record, name="my_record"),
    path("units/<slug:slug>/complete/", views.completion_mark, name="completion_mark"),
    path("units/<slug:slug>/undo/", views.completion_unmark, name="completion_unmark"),
    path("units/<slug:slug>/self-check/", views.self_check, name="self_check"),
    path("units/<slug:slug>/reflection/", views.reflection, name="reflection"),
    path("modules/new/", views.module_create, name="module_create"),
    path("modules/<int:pk>/", views.module_detail, name="module_detail"),
    path("modules/<int:pk>/edit/", views.module_edit, name="module_edit"),
    path("modules/<int:pk>/activate/", views.module_activate, name="module_activate"),
    path("modules/<int:pk>/assign/", views.module_assign, name="module_assign"),
    path("modules/<int:pk>/progress/", views.module_progress, name="module_progress"),
    re_path(
        r"^modules/(?P<pk>[0-9]+)/progress\.(?P<fmt>csv|xlsx)$",
        views.progress_export,
        {"kind": "module"},
        name="module_progress_export",
    ),
    path("assignments/<int:pk>/", views.assignment_progress, name="assignment_progress"),
    re_path(
        r"^assignments/(?P<pk>[0-9]+)/progress\.(?P<fmt>csv|xlsx)$",
        views.progress_export,
        {"kind": "assignment"},
        name="assignment_progress_export",
    ),
    path("cadres/<int:pk>/", views.cadre_record, name="cadre_record"),
    path("modules/<int:pk>/reflections/", views.module_reflections, name="module_reflections"),
    re_path(
        r"^modules/(?P<pk>[0-9]+)/reflections\.(?P<fmt>csv|xlsx)$",
        views.reflections_export,
        name="reflections_export",
    ),
    path("reflections/<int:pk>/", views.reflection_detail, name="reflection_detail"),
    path("hours/", views.hours_overview, name="hours_overview"),
    path("my-record/claims/new/", views.claim_create, name="claim_create"),
    path("my-record/claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/file/", views.claim_file, name="claim_file"),
    path(
        "my-record/certificates/modules/<int:pk>/",
        views.module_certificate,
        name="module_certificate",
    ),
    path(
        "my-record/certificates/years/<int:year>/",
        views.annual_certificate,
        name="annual_certificate",
    ),
    path("my-record/certificates/<str:code>/", views.certificate, name="certificate"),
    path("my-record/certificates/<str:code>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path(
        "modules/<int:pk>/certificates.zip",
        views.module_certificates_zip,
        name="module_certificates_zip",
    ),
]
