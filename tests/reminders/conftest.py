import pytest


@pytest.fixture
def me(org, make_cadre):
    cadre = make_cadre(org.township_a, name="李干部", username="me")
    cadre.user.email = "li@example.org"
    cadre.user.save(update_fields=["email"])
    return cadre


@pytest.fixture
def my_client(client, me):
    client.force_login(me.user)
    return client


# --- a real SMTP server (aiosmtpd) on loopback ------------------------------------

BASE_URL = "https://study.example.gov.cn"


class Inbox:
    """What an aiosmtpd server received: each mail as (envelope recipients, raw bytes,
    parsed message); ``refuse`` holds addresses it answers 550 to."""

    def __init__(self):
        self.mails = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        raw = envelope.original_content or envelope.content
        self.mails.append(
            (list(envelope.rcpt_tos), raw, email.message_from_bytes(raw, policy=policy.default))
        )
        return "250 Message accepted"

    def to(self, address):
        return [m for rcpt, _raw, m in self.mails if address in rcpt]


def smtp_settings(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "学习平台 <portal@example.gov.cn>"
    settings.PORTAL_BASE_URL = BASE_URL


@pytest.fixture
def smtp_server():
    """An SMTP server (aiosmtpd) on a free loopback port, in a thread of this process;
    yields (Inbox, port)."""
    from aiosmtpd.controller import Controller

    from tests.servers import free_port

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def inbox(smtp_server, settings):
    """The portal's mail goes to a real SMTP server started for the test."""
    inbox, port = smtp_server
    smtp_settings(settings, port)
    return inbox
