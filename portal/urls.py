from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from . import health, reading


class LoginView(auth_views.LoginView):
    """Signing in from the site's root lands on the role's start page (a cadre's
    My study), not on the root it was bounced from."""

    redirect_authenticated_user = True

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return "" if url == "/" else url


def favicon(request):
    # static() is resolved per request: with the manifest storage it needs
    # collectstatic to have run, which must not be a condition of importing urls.
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("", include("expositions.urls")),
    path("training/", include("training.urls")),
    path("org/", include("org.urls")),
    path("verify/", include("training.verify_urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("org.language_urls")),  # Django's set_language, kept for a cadre
    path("text-size/", reading.set_text_size, name="set_text_size"),
    path("admin/", admin.site.urls),
    # The API for the province's systems (issue #36, docs/api.md).
    path("api/", include("api.urls")),
    # Browsers ask for /favicon.ico on pages that name none (the admin's).
    path("favicon.ico", favicon),
    path("healthz", health.healthz, name="healthz"),
]

# A lost database gives a 503 page with Retry-After; other failures the 500 page.
handler500 = "portal.failure.server_error"
