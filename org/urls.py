from django.urls import path, re_path

from . import views

app_name = "org"

urlpatterns = [
    path("import/", views.import_upload, name="import_upload"),
    path("cadres/search/", views.cadre_search, name="cadre_search"),
    path("passwords/", views.issue_passwords, name="issue_passwords"),
    path("password/", views.password_change, name="password_change"),
    re_path(
        r"^import/(?P<kind>cadres|org_units)-template\.csv$",
        views.import_template,
        name="import_template",
    ),
]
