"""POST-only addresses a person can land on with GET: a refresh or Back after the page a
POST answered (the undo's confirmation, the withdrawal's). They go back to the page the
action started from instead of answering 405 with an empty page."""

from functools import wraps

from django.shortcuts import redirect


def post_or_back(back):
    """Run the view for POST; send any other method to ``back(**kwargs)``'s address."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method != "POST":
                return redirect(back(*args, **kwargs))
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
