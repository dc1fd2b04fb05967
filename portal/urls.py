from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path


def favicon(request):
    # static() is resolved per request: with the manifest storage it needs
    # collectstatic to have run, which must not be a condition of importing urls.
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("", include("expositions.urls")),
    path("training/", include("training.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name none (the admin's).
    path("favicon.ico", favicon),
]
