from django.utils.functional import SimpleLazyObject

from .access import cadre_of, request_is_trainer


def roles(request):
    """``is_cadre`` and ``is_trainer`` for the navigation, computed only when used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_cadre": False, "is_trainer": False}
    return {
        "is_cadre": SimpleLazyObject(lambda: cadre_of(request) is not None),
        "is_trainer": SimpleLazyObject(lambda: request_is_trainer(request)),
    }
