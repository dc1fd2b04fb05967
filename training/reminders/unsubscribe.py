"""The signed link in every reminder mail that turns email reminders off for its cadre
(django.core.signing, with a salt of its own and the site's secret key). It carries
the cadre's id only and does not expire: a mail read months later still works, and a
link that was tampered with names nobody."""

from django.core import signing
from django.urls import reverse

from org.models import Cadre

SALT = "training.reminders.email-off"


def token_for(cadre):
    return signing.dumps(cadre.pk, salt=SALT, compress=False)


def cadre_of_token(token):
    """The cadre a token was made for, or None (bad signature, no such cadre)."""
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Cadre.objects.filter(pk=pk).select_related("user").first()


def link_for(cadre, base_url):
    return base_url + reverse("training:email_reminders", args=[token_for(cadre)])
