"""Two runs of ``manage.py send_reminders`` at once, in two processes, on a database
of their own (PostgreSQL when DATABASE_URL points at it): each cadre gets one mail,
and each stage is written once."""

import asyncio
import json
import subprocess
import sys

import pytest

from tests.servers import ROOT, manage

CADRES = 120

SETUP = f"""
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from org.models import Cadre, OrgUnit
from training import services
from training.models import Assignment, Module
from expositions.models import Exposition, StudyUnit, Theme
from expositions.services import unit_save

exposition = Exposition.objects.create(slug="e", title="E", author="A", organisation="O",
                                       source_text="P.")
theme = Theme.objects.create(slug="t", name_zh_hans="主题", name_en="Theme", order=1)
units = [unit_save(unit=StudyUnit(exposition=exposition, theme=theme, slug=f"u{{i}}",
                   title=f"单元{{i}}", summary="S", body="B", key_points="K",
                   source_passage="P.", order=i, status="published")) for i in range(2)]
root = OrgUnit.objects.add_root({{"code": "P", "level": 1, "name": "省"}})
User = get_user_model()
users = User.objects.bulk_create(
    [User(username=f"c{{i}}", email=f"c{{i}}@example.org") for i in range({CADRES})])
Cadre.objects.bulk_create([Cadre(user=u, org_unit=root, name=f"干部{{i}}") for i, u in
                           enumerate(User.objects.filter(username__startswith="c"))])
module = Module.objects.create(title="模块", status="active")
services.module_set_units(module=module, units=units)
Assignment.objects.create(module=module, org_unit=root,
                          due_on=timezone.localdate() + timedelta(days=3))
print(json.dumps({{"cadres": Cadre.objects.count()}}))
"""

COUNT = """
import json
from collections import Counter
from training.reminders.models import SentStage
rows = Counter(SentStage.objects.values_list("cadre_id", "stage"))
print(json.dumps({"rows": sum(rows.values()), "most": max(rows.values())}))
"""


class SlowInbox:
    """Takes a few milliseconds a mail, so that the two runs overlap for seconds."""

    def __init__(self):
        self.recipients = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.01)
        self.recipients += envelope.rcpt_tos
        return "250 Message accepted"


@pytest.mark.long
def test_two_runs_at_once_send_each_cadre_one_mail(database):
    from aiosmtpd.controller import Controller

    from tests.servers import free_port

    assert json.loads(manage(database, "shell", "-c", SETUP).strip().splitlines()[-1]) == {
        "cadres": CADRES
    }
    inbox, port = SlowInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **database,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "DJANGO_BASE_URL": "https://study.example.gov.cn",
    }
    try:
        runs = [
            subprocess.Popen(  # noqa: S603 - our own manage.py
                [sys.executable, "manage.py", "send_reminders"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=300) for run in runs]
    finally:
        controller.stop()
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert len(inbox.recipients) == CADRES
    assert len(set(inbox.recipients)) == CADRES
    counts = json.loads(manage(database, "shell", "-c", COUNT).strip().splitlines()[-1])
    assert counts == {"rows": 2 * CADRES, "most": 1}  # assigned and due7, once each
    # Both runs worked: the second found what the first had taken, not nothing to do.
    sent = [int(out.split("Sent ")[1].split(" ")[0]) for out, _err in outputs]
    assert sum(sent) == CADRES
