"""The admin's pages that editors and account managers use read in Chinese (issue #31,
items 4 and 12): rendered in zh-hans with the shipped content and the demo
organisation, no English interface word is left outside content, names and codes.

The same check as the site's sweep (tests/portal/test_chinese_pages.py), with one
difference: the admin prints content and names (an English title in a change list, an
English body in its text box, a username in a picker) without marking them, so the
words of the content and names in the database are let through here, case for case.
An interface word that is also a content word in the same case would slip through;
everything else English fails the test. "Markdown" is a format's name, like CSV.

The same pages follow the site's Chinese typography (issue #31, item 10): 您, no space
between two Chinese words, full-width colons after Chinese, 请选择 rather than
"---------", whole numbers without ".0"; and so do the words of Django's admin the
portal's catalogue says again, and the admin script's.
"""

import io
import json
import re
from pathlib import Path

import polib
import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from devtools.demo import load_demo
from expositions.models import Exposition, StudyUnit, Tag, Theme
from expositions.services import unit_save
from org.models import Cadre, OrgUnit
from tests.portal.test_chinese_pages import TYPOGRAPHY, english_words, typography_problems
from training.models import Assignment, Completion, Module, Requirement, TrainingClaim


@pytest.fixture(scope="module")
def demo(module_db):
    call_command("load_exposition", stdout=io.StringIO())
    load_demo()


@pytest.fixture
def as_user(demo, db):
    def client_for(username):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return client_for


WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")
FORMATS = {"Markdown"}


def _content_and_names():
    """Every word of the English content and of the names the admin shows."""
    texts = list(get_user_model().objects.values_list("username", flat=True))
    columns = {
        OrgUnit: ("name_en",),
        Exposition: ("title_en", "organisation_en", "author", "source_text"),
        Theme: ("name_en", "description_en", "slug"),
        Tag: ("name_en", "slug"),
        StudyUnit: (
            "title_en",
            "summary_en",
            "key_points_en",
            "body_en",
            "source_passage",
            "slug",
        ),
        Module: ("title_en", "description_en"),
        Requirement: ("name_en",),
    }
    for model, fields in columns.items():
        for row in model.objects.values_list(*fields):
            texts += [value for value in row if value]
    return {word for text in texts for word in WORD.findall(text)} | FORMATS


def _model_pages(name, obj):
    """The change list, the add page and the change page of one model."""
    pages = [(f"admin:{name}_changelist", []), (f"admin:{name}_add", [])]
    if obj is not None:
        pages.append((f"admin:{name}_change", [obj.pk]))
    return pages


def _editor_pages():
    unit = StudyUnit.objects.order_by("pk").first()
    unit.body_zh_hans += "\n\n补充一句。"
    unit_save(unit=unit)  # a second version, to revert to the first
    first = unit.history.order_by("history_id").first()
    return [
        ("admin:index", []),
        ("admin:app_list", ["expositions"]),
        ("admin:app_list", ["org"]),
        ("admin:app_list", ["training"]),
        *_model_pages("expositions_studyunit", unit),
        ("admin:expositions_studyunit_history", [unit.pk]),
        ("admin:expositions_studyunit_simple_history", [unit.pk, first.history_id]),
        *_model_pages("expositions_theme", Theme.objects.first()),
        *_model_pages("expositions_tag", Tag.objects.first()),
        *_model_pages("expositions_exposition", Exposition.objects.first()),
        *_model_pages("org_orgunit", OrgUnit.objects.get(code="140105")),
        ("admin:org_orgunit_import", []),
        *_model_pages("org_cadre", Cadre.objects.get(user__username="zhang.min")),
        ("admin:org_cadre_import", []),
        *_model_pages("training_module", Module.objects.first()),
        *_model_pages("training_assignment", Assignment.objects.first()),
        *_model_pages("training_completion", Completion.objects.first()),
        *_model_pages("training_requirement", Requirement.objects.first()),
        ("admin:training_trainingclaim_changelist", []),
        ("admin:training_trainingclaim_change", [TrainingClaim.objects.first().pk]),
        ("admin:admin_logentry_changelist", []),
        ("admin:admin_logentry_change", [LogEntry.objects.first().pk]),
        # What a deletion would take with it: Django writes "标签: 为民情怀" itself.
        ("admin:expositions_tag_delete", [Tag.objects.first().pk]),
        ("admin:expositions_studyunit_delete", [unit.pk]),
    ]


def _account_manager_pages():
    cadre = get_user_model().objects.get(username="zhang.min")
    return [
        ("admin:index", []),
        ("admin:auth_user_changelist", []),
        ("admin:auth_user_add", []),
        ("admin:auth_user_change", [cadre.pk]),
        ("admin:auth_user_password_change", [cadre.pk]),
        ("admin:org_cadre_changelist", []),
        ("admin:org_cadre_change", [Cadre.objects.get(user=cadre).pk]),
        ("admin:org_orgunit_changelist", []),
        ("admin:password_change", []),
    ]


def _english(response):
    """The English interface words of a page: neither content nor a name."""
    return set(english_words(response.content.decode())) - _content_and_names()


def _problems(client, pages, check=_english):
    problems = {}
    for name, args in pages:
        url = reverse(name, args=args)
        response = client.get(url)
        assert response.status_code == 200, url
        words = check(response)
        if words:
            problems[url] = sorted(words)
    return problems


def _typography(response):
    return typography_problems(response.content.decode())


def test_the_editor_s_admin_pages_read_in_chinese(as_user):
    client = as_user("editor")
    problems = _problems(client, _editor_pages())
    assert problems == {}


def test_the_account_manager_s_admin_pages_read_in_chinese(as_user):
    client = as_user("accounts")
    problems = _problems(client, _account_manager_pages())
    assert problems == {}


def test_the_editor_s_admin_pages_follow_chinese_typography(as_user):
    problems = _problems(as_user("editor"), _editor_pages(), check=_typography)
    assert problems == {}


def test_the_account_manager_s_admin_pages_follow_chinese_typography(as_user):
    problems = _problems(as_user("accounts"), _account_manager_pages(), check=_typography)
    assert problems == {}


def test_the_typography_check_finds_django_s_chinese_on_an_admin_page(as_user):
    """What Django's own catalogue says on an admin page, 你 in a message and a space
    around the model's name in the title, is found on a real change page."""
    unit = StudyUnit.objects.order_by("pk").first()
    url = reverse("admin:expositions_studyunit_change", args=[unit.pk])
    html = as_user("editor").get(url).content.decode()
    assert typography_problems(html) == []
    assert "<h1>修改学习单元</h1>" in html
    html = html.replace("<h1>修改学习单元</h1>", "<h1>修改 学习单元</h1>").replace(
        '<div id="content"',
        '<ul class="messagelist"><li class="success">成功修改了学习单元。'
        '你可以在下面再次编辑它。</li></ul>\n<div id="content"',
    )
    assert typography_problems(html) == [
        "你 (the site says 您): '成功修改了学习单元。你可以在下面再次编辑它。'",
        "space between Chinese characters: '修改 学习单元'",
    ]


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "唯一标识："), ("en", "Slug:")])
def test_an_admin_label_ends_with_the_language_s_colon(as_user, language, label):
    """Django's label suffix is its translated ":", a full-width colon in Chinese."""
    client = as_user("editor")
    tag = Tag.objects.first()
    url = reverse("admin:expositions_tag_change", args=[tag.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert re.search(rf'<label[^>]*for="id_slug">{label}</label>', html)


@pytest.mark.parametrize(
    ("language", "summary", "line"),
    [
        ("zh-hans", "<li>标签：1</li>", "<li>标签：<a href="),
        ("en", "<li>Tags: 1</li>", "<li>Tag: <a href="),
    ],
)
def test_a_deletion_s_lines_use_the_language_s_colon(as_user, language, summary, line):
    tag = Tag.objects.first()
    url = reverse("admin:expositions_tag_delete", args=[tag.pk])
    html = as_user("editor").get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert summary in html
    assert line in html


SITE_PACKAGES = Path(polib.__file__).parent
# Django's catalogues whose words the admin shows, and django-simple-history's.
CATALOGUES = [
    "django/conf/locale/zh_Hans/LC_MESSAGES/django.po",
    "django/contrib/admin/locale/zh_Hans/LC_MESSAGES/django.po",
    "django/contrib/auth/locale/zh_Hans/LC_MESSAGES/django.po",
    "simple_history/locale/zh_Hans/LC_MESSAGES/django.po",
]
# Left as Django says them: the password reset by e-mail (the portal sends no e-mail: an
# account manager sets a one-time password), and a form tampered with.
LEFT_ALONE = {
    "We’ve emailed you instructions for setting your password, if an account exists with "
    "the email you entered. You should receive them shortly.",
    "If you don’t receive an email, please make sure you’ve entered the address you "
    "registered with, and check your spam folder.",
    "You're receiving this email because you requested a password reset for your user "
    "account at %(site_name)s.",
    "Your username, in case you’ve forgotten:",
    "The %(site_name)s team",
    "Forgotten your password? Enter your email address below, and we’ll email "
    "instructions for setting a new one.",
    "Password reset on %(site_name)s",
    "ManagementForm data is missing or has been tampered with. Missing fields: "
    "%(field_names)s. You may need to file a bug report if the issue persists.",
    'If you are using the <meta name="referrer" content="no-referrer"> tag or '
    "including the “Referrer-Policy: no-referrer” header, please remove them. The CSRF "
    "protection requires the “Referer” header to do strict referer checking. If you’re "
    'concerned about privacy, use alternatives like <a rel="noreferrer" …> for links to '
    "third-party sites.",
}
# Placeholders for a number or a value (a code, a username, a version): the rest name
# something in Chinese (a model, a field, an object, a message).
VALUE = re.compile(
    r"count|cnt|num|min|max|limit|length|size|digits|places|priority|sel|value|key|protocol"
    r"|version|offset|username|class_name|lookup"
)


def _filled(text, plural=False):
    """A translation as a page shows it: "3" for a number or a value (and for a
    plural's "%s", its count), a Chinese name for a name, no markup."""

    def fill(name):
        return "3" if VALUE.search(name) else "学习单元"

    text = re.sub(r"%\((\w+)\)[sdr]", lambda m: fill(m.group(1)), text)
    text = re.sub(r"\{(\w*)\}", lambda m: fill(m.group(1)), text)
    text = text.replace("%s", "3" if plural else "学习单元").replace("%d", "3")
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def _typography_of(translations):
    """{English: [problems]} of (English, Chinese, plural?) translations."""
    return {
        english: problems
        for english, chinese, plural in translations
        if (problems := [n for n, p in TYPOGRAPHY.items() if p.search(_filled(chinese, plural))])
    }


def test_django_s_admin_words_follow_chinese_typography():
    """Every word of Django's admin, auth and forms and of the history pages, as the
    portal says it in Chinese: the pages above show only some of them (a deletion, a
    message after saving, a refused form's label)."""
    translations = []
    with translation.override("zh-hans"):
        for catalogue in CATALOGUES:
            for entry in polib.pofile(str(SITE_PACKAGES / catalogue)):
                if entry.msgid in LEFT_ALONE or entry.msgctxt:
                    continue
                if entry.msgid_plural:
                    chinese = translation.ngettext(entry.msgid, entry.msgid_plural, 2)
                else:
                    chinese = translation.gettext(entry.msgid)
                translations.append((entry.msgid, chinese, bool(entry.msgid_plural)))
    assert len(translations) > 500
    assert _typography_of(translations) == {}


def test_the_admin_script_s_words_follow_chinese_typography(as_user):
    """The catalogue the admin's script reads (the trainer picker, the date and time
    pickers' "您比服务器时间慢 8 小时", the change list's actions)."""
    script = as_user("editor").get(reverse("admin:jsi18n")).content.decode()
    catalogue = json.loads(re.search(r"const newcatalog = (\{.*?\});", script, re.S).group(1))
    translations = [
        (english, chinese, isinstance(said, list))
        for english, said in catalogue.items()
        for chinese in (said if isinstance(said, list) else [said])
    ]
    assert len(translations) > 50
    assert _typography_of(translations) == {}


def test_a_refused_form_reads_in_chinese(as_user):
    """Errors on the account form: a password too short (Django 5.2's own wording) and
    the org unit's trainer picker."""
    client = as_user("accounts")
    response = client.post(reverse("admin:auth_user_add"), {"username": "x"})
    assert response.status_code == 200
    assert _english(response) == set()


def test_a_password_too_short_reads_in_chinese(as_user):
    """Django 5.2 reworded the message, so its own catalogue no longer matched it."""
    client = as_user("accounts")
    cadre = get_user_model().objects.get(username="zhang.min")
    url = reverse("admin:auth_user_password_change", args=[cadre.pk])
    response = client.post(url, {"password1": "short-1", "password2": "short-1"})
    assert response.status_code == 200
    assert "密码太短，至少须有 12 个字符。" in response.content.decode()
    assert _english(response) == set()


def test_the_forced_password_change_reads_in_chinese(as_user):
    client = as_user("cadre")
    response = client.post(
        reverse("org:password_change"),
        {"old_password": "cadre-demo-2026", "new_password1": "abc", "new_password2": "abc"},
    )
    assert "密码太短，至少须有 12 个字符。" in response.content.decode()
    assert _english(response) == set()


def test_the_trainer_picker_s_script_reads_in_chinese(as_user):
    """The org unit's trainer picker: Django's script asks its catalogue for these."""
    response = as_user("editor").get(reverse("admin:jsi18n"))
    script = response.content.decode()
    for chinese in ("全选%s", "选中左侧的%s", "移除全部%s", "选择选中的%s", "可选的%s", "已选的%s"):
        assert json.dumps(chinese)[1:-1] in script, chinese


def test_the_new_account_s_page_reads_in_chinese(as_user):
    county = OrgUnit.objects.get(code="140105")
    response = as_user("accounts").post(
        reverse("admin:auth_user_add"),
        {"username": "zhao.li", "name": "赵丽", "org_unit": county.pk, "category": "other"},
    )
    assert "一次性密码" in response.content.decode()
    assert _english(response) == set()


def test_english_fields_are_marked_english(as_user):
    """A screen reader reads an English title or body in English on a Chinese page."""
    unit = StudyUnit.objects.order_by("pk").first()
    page = as_user("editor").get(reverse("admin:expositions_studyunit_change", args=[unit.pk]))
    html = page.content.decode()
    for name in ("title_en", "summary_en", "body_en", "source_passage"):
        assert re.search(
            rf'<span lang="en" class="lang-part">\s*<(input|textarea)[^>]*name="{name}"', html
        ), name
    assert not re.search(
        r'lang="en" class="lang-part">\s*<(input|textarea)[^>]*name="body_zh_hans"', html
    )
