"""The header's count of notices: read only when a page shows it, and only for a
cadre (their profile is already read with their roles, org.access)."""

from org.access import cadre_of

from .notices import notice_count


def notices(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        # A template calls it where it shows the count (kept a few minutes: notices).
        cadre = cadre_of(request)
        return 0 if cadre is None else notice_count(request, cadre)

    return {"notice_count": count}
