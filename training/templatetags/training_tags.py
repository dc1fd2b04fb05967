from django import template

from ..models import Cadre, Completion
from ..progress import my_modules

register = template.Library()


@register.inclusion_tag("training/includes/completion_panel.html", takes_context=True)
def completion_panel(context, unit):
    """On a unit page: the cadre's "Mark as complete" and the modules it moves."""
    request = context["request"]
    cadre = (
        Cadre.objects.filter(user=request.user, active=True).select_related("org_unit").first()
        if request.user.is_authenticated
        else None
    )
    if cadre is None or not unit.is_published:
        return {"cadre": None}
    completion = Completion.objects.filter(cadre=cadre, unit=unit).first()
    modules = list(my_modules(cadre).filter(module_units__unit=unit))
    return {
        "cadre": cadre,
        "unit": unit,
        "completion": completion,
        "modules": modules,
        "request": request,
    }


@register.inclusion_tag("training/includes/progress_bar.html")
def progress_bar(done, total, label="", counting="units"):
    """A native <progress> (role progressbar, with its values) and the same in words."""
    percent = round(100 * done / total) if total else 0
    return {"done": done, "total": total, "percent": percent, "label": label, "counting": counting}
