"""Every page of the site reads in Chinese: rendered in zh-hans with the shipped content
and the demo organisation, no English interface word is left outside content, names and
codes (issue #14).

What may be English on a Chinese page is marked in the HTML itself, not listed here:
content quoted in English carries ``lang="en"`` (the verbatim source passages, a search
snippet found in the English text, the language switcher's "English"), and names or
codes carry ``translate="no"`` (usernames, an author known only in pinyin). The admin's
pages are not in this sweep: laying out and translating the admin for editors is issue
#16.
"""

import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.views.defaults import server_error

from devtools.demo import load_demo
from expositions.models import StudyUnit, Tag, Theme
from expositions.services import unit_save
from org.models import Cadre, OrgUnit
from tests.expositions.test_self_check import QUESTIONS
from tests.security.test_matrix import url_patterns
from training import evidence
from training.hours import certificates
from training.jobs.models import Job
from training.models import Assignment, Completion, Module, Reflection, TrainingClaim
from training.reminders.unsubscribe import token_for

# Words that are the same in a Chinese interface: file formats and encodings named on
# the import page and the export links, and the search box's example of an English term.
ALLOWED = {
    "CSV",
    "csv",
    "Excel",
    "xlsx",
    "PDF",
    "PNG",
    "JPEG",
    "zip",
    "UTF",
    "grassroots",
    "API",  # written so in Chinese too (API 接口, API 令牌), as PDF is
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class EnglishWords(HTMLParser):
    """The English words a reader sees or hears (text, labels, button values) outside
    elements marked English, untranslatable, or not shown (script, style)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.outside = []  # one flag per open element: does it start a skipped part?
        self.words = []

    def _skipping(self):
        return any(self.outside)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = (
            tag in ("script", "style", "template")
            or (attrs.get("lang") or "").lower().startswith("en")
            or attrs.get("translate") == "no"
        )
        if not (skip or self._skipping()):
            said = [attrs.get(name) for name in ATTRIBUTES]
            if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
                said.append(attrs.get("value"))
            for text in said:
                self._words(text or "")
        if tag not in VOID:
            self.outside.append(skip)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.outside.pop()

    def handle_endtag(self, tag):
        if tag not in VOID and self.outside:
            self.outside.pop()

    def handle_data(self, data):
        if not self._skipping():
            self._words(data)

    def _words(self, text):
        self.words += [w for w in WORD.findall(text) if w not in ALLOWED]


def english_words(html):
    parser = EnglishWords()
    parser.feed(html)
    parser.close()
    return parser.words


def test_the_check_finds_english_outside_marked_parts():
    html = (
        '<p lang="en">Quoted <b>source</b></p><span translate="no">zhang.min</span>'
        '<p>已完成 Overdue</p><input type="submit" value="Save"><a title="Edit">改</a>'
        "<script>var hidden = 1;</script><img alt='Chart'>导出 CSV"
    )
    assert english_words(html) == ["Overdue", "Save", "Edit", "Chart"]


# Chinese typography (issue #31): what the interface itself writes, not what people
# typed. Content and names are left out as above (``lang="en"``, ``translate="no"``), and
# so are the study units' own text and the search snippets quoted from it (CONTENT).
HAN = "\u3400-\u4dbf\u4e00-\u9fff"
CJK = HAN + "\u3000-\u303f\uff01-\uff0f\uff1b-\uff20"  # and full-width punctuation
TYPOGRAPHY = {
    "ASCII colon after Chinese": re.compile(rf"[{CJK}] ?:(?![0-9])"),
    "space between Chinese characters": re.compile(rf"[{HAN}][ \t\n\u00a0]+[{HAN}]"),
    "你 (the site says 您)": re.compile("你"),
    "--------- in a select": re.compile(r"-{4,}"),
    "a whole number written with .0": re.compile(r"(?<![0-9.])[0-9]+\.0+(?![0-9])"),
}
# Full-width punctuation carries its own space: none after "：", "。", "，" and none before
# "（", also where the words on the other side are a link, a badge or a name (read on
# whole lines: only block elements end one).
PUNCTUATION = {
    "space after full-width punctuation": re.compile(r"[：。，][ \t\n\u00a0]+\S"),
    "space before a full-width bracket": re.compile(r"\S[ \t\n\u00a0]+（"),
}
CONTENT = {"unit-body", "key-points", "summary", "passage", "passage-translation", "snippet"}
CONTENT |= {"history-value"}  # a version's field as the editor typed it (admin history)
# Elements within a line of text; any other element, and an inline one with a class of
# its own (a badge, a button, a line of its own in the style sheet), ends a phrase.
INLINE = {"a", "abbr", "b", "cite", "code", "em", "i", "mark", "q", "small", "span", "strong"}
INLINE |= {"sub", "sup", "time", "u", "bdi", "bdo"}


class TypographyProblems(HTMLParser):
    """The typography problems of the interface's text: each run of text between two
    phrase-ending elements is read as one phrase, so a space a template leaves between a
    name and the words after it is found as a reader sees it. What the reader typed
    (``typed``: a search query) is left out."""

    def __init__(self, typed=()):
        super().__init__(convert_charrefs=True)
        self.outside = []
        self.breaks = []
        self.runs = [""]
        self.lines = [""]
        self.typed = [str(t) for t in typed if t]

    def _skipping(self):
        return any(self.outside)

    def _end_run(self):
        if self.runs[-1]:
            self.runs.append("")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        skip = (
            tag in ("script", "style", "template", "textarea")  # a textarea: what was typed
            or (attrs.get("lang") or "").lower().startswith("en")
            or attrs.get("translate") == "no"
            or bool(classes & CONTENT)
        )
        breaks = tag not in INLINE or bool(classes)
        if breaks:
            self._end_run()
        if tag not in INLINE and self.lines[-1]:
            self.lines.append("")
        if skip and tag in INLINE and not self._skipping():
            self.runs[-1] += "\ue000"  # a name or a code: neither Chinese nor a space
            self.lines[-1] += "\ue000"
        if not (skip or self._skipping()):
            for name in ATTRIBUTES:
                if attrs.get(name):
                    self.runs += [attrs[name], ""]
            if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
                self.runs += [attrs.get("value") or "", ""]
        if tag not in VOID:
            self.outside.append(skip)
            self.breaks.append(breaks)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.outside.pop()
            self.breaks.pop()

    def handle_endtag(self, tag):
        if tag not in INLINE and self.lines[-1]:
            self.lines.append("")
        if tag not in VOID and self.outside:
            self.outside.pop()
            if self.breaks.pop():
                self._end_run()
        elif tag not in INLINE:
            self._end_run()

    def handle_data(self, data):
        if not self._skipping():
            self.runs[-1] += data
            self.lines[-1] += data

    def problems(self):
        found = []
        for texts, patterns in ((self.runs, TYPOGRAPHY), (self.lines, PUNCTUATION)):
            for run in texts:
                for typed in self.typed:
                    run = run.replace(typed, "\ue000")
                text = " ".join(run.split())
                for name, pattern in patterns.items():
                    found += [f"{name}: {text!r}" for _ in pattern.finditer(text)][:1]
        return found


def typography_problems(html, typed=()):
    parser = TypographyProblems(typed)
    parser.feed(html)
    parser.close()
    return parser.problems()


def test_the_check_finds_chinese_typography_problems_in_the_interface_only():
    html = (
        "<h2>学时要求:</h2><p>时间 10:08</p>"
        "<p>李干部 的学时申报</p><p><a>李干部</a> <span>的学时申报</span></p>"
        "<p>请你确认</p><select><option>---------</option></select><td>50.0</td>"
        "<ul><li>学时</li>\n<li>申报</li></ul><p>学时：2.5 · 50</p>"
        '<div class="unit-body"><p>你好 世界:</p></div><p translate="no">张 三</p>'
        '<p>共 <span translate="no">zhang.min</span> 的记录</p>'
        '<p><a class="button">新建</a> <a class="button">导入</a></p><title>搜索：低保 救助</title>'
        '<p>下一单元： <a class="next">把民政工作</a></p>'
        '<p><span translate="no">李*部</span> <span class="meta">（姓名部分隐去）</span></p>'
        "<p>培训 0 学时。 每完成</p><p>学时，  共计</p><p>（全部）</p>"
    )
    assert typography_problems(html, typed=["低保 救助"]) == [
        "ASCII colon after Chinese: '学时要求:'",
        "space between Chinese characters: '李干部 的学时申报'",
        "space between Chinese characters: '李干部 的学时申报'",
        "你 (the site says 您): '请你确认'",
        "--------- in a select: '---------'",
        "a whole number written with .0: '50.0'",
        "space after full-width punctuation: '下一单元： 把民政工作'",
        "space before a full-width bracket: '\\ue000 （姓名部分隐去）'",
        "space after full-width punctuation: '培训 0 学时。 每完成'",
        "space after full-width punctuation: '学时， 共计'",
    ]


@pytest.fixture(scope="module")
def demo(module_db):
    call_command("load_exposition", stdout=io.StringIO())
    load_demo()
    _evidence_of_study()


REFLECTION = (
    "学习本单元后，我对低保复核工作有了新的认识：今后要多入户、多倾听，"
    "把政策讲清楚，把实事办到位，让困难群众真正感受到温暖。"
)


def _evidence_of_study():
    """What evidence of study shows (issue #35): a self-check on the first unit of the
    demo module asking for one (these questions, if the shipped ones are not there),
    and the demo cadre's reflection on the first unit of the one asking for a
    reflection, returned with a comment."""
    checked = _first_unit(Module.Evidence.SELF_CHECK)
    if not checked.questions.exists():
        unit_save(unit=checked, questions=QUESTIONS)
    cadre = Cadre.objects.get(user__username="cadre")
    reflection, _completed = evidence.reflection_submit(
        cadre=cadre, unit=_first_unit(Module.Evidence.REFLECTION), text=REFLECTION
    )
    trainer = get_user_model().objects.get(username="trainer-county")
    evidence.reflection_review(
        reflection=reflection, by=trainer, action=evidence.RETURN, comment="请结合实例再具体些。"
    )


def _first_unit(asking):
    module = Module.objects.get(evidence=asking)
    return module.module_units.order_by("position").first().unit


def _wrong_answers(unit):
    data = {}
    for question in unit.questions.all():
        if question.is_true_false:
            data[f"q{question.pk}"] = "false" if question.statement_true else "true"
        else:
            data[f"q{question.pk}"] = [str(o.pk) for o in question.options.all()[:1]]
    return data


@pytest.fixture
def as_user(demo, db):
    def client_for(username):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        if username:
            client.force_login(get_user_model().objects.get(username=username))
        return client

    return client_for


def _pages():
    """(who, method, URL name, arguments, data) of every page, with the demo's rows."""
    units = StudyUnit.objects.published().order_by("pk")
    module = Module.objects.get(title_zh_hans="民生保障专题学习")
    assignment = Assignment.objects.get(module=module, org_unit__code="140105")
    cadre = Cadre.objects.get(user__username="zhang.min")
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    county = OrgUnit.objects.get(code="140105")
    claim = TrainingClaim.objects.get(cadre__user__username="cadre")
    demo_cadre = Cadre.objects.get(user__username="cadre")
    certificate = certificates.annual_certificate(demo_cadre, timezone.localdate().year)
    certified_unit = Completion.objects.filter(cadre=demo_cadre).latest("completed_at").unit
    finished = next(m for m in Module.objects.all() if certificates.module_certificate(cadre, m))
    module_certificate = certificates.module_certificate(cadre, finished)
    checked = _first_unit(Module.Evidence.SELF_CHECK)
    reflective = Module.objects.get(evidence=Module.Evidence.REFLECTION)
    reflected = _first_unit(Module.Evidence.REFLECTION)
    reflection = Reflection.objects.get(cadre=demo_cadre, unit=reflected)
    return [
        (None, "get", "login", [], {}),
        (None, "post", "login", [], {"username": "cadre", "password": "wrong"}),
        *[("cadre", "get", "expositions:home", [], {})],
        *[("cadre", "get", "expositions:theme_detail", [t.slug], {}) for t in Theme.objects.all()],
        *[("cadre", "get", "expositions:unit_detail", [u.slug], {}) for u in units],
        ("cadre", "get", "expositions:tag_index", [], {}),
        *[("cadre", "get", "expositions:tag_detail", [t.slug], {}) for t in Tag.objects.all()],
        ("cadre", "get", "expositions:search", [], {}),
        ("cadre", "get", "expositions:search", [], {"q": "低保"}),
        ("cadre", "get", "expositions:search", [], {"q": "社會救助 基层"}),
        ("cadre", "get", "expositions:search", [], {"q": "无此词语"}),
        ("cadre", "get", "training:my_study", [], {}),
        ("cadre", "get", "training:my_record", [], {}),
        *[
            ("cadre", "get", "training:my_module", [m.pk], {})
            for m in Module.objects.filter(
                status=Module.Status.ACTIVE,
                assignments__in=Assignment.objects.reaching(
                    Cadre.objects.get(user__username="cadre")
                ),
            ).distinct()
        ],
        *[
            ("cadre", "get", "expositions:unit_detail", [u.slug], {"module": module.pk})
            for u in module.units.all()[:2]
        ],
        ("trainer-county", "get", "training:module_list", [], {}),
        ("trainer-county", "get", "training:module_create", [], {}),
        ("trainer-county", "post", "training:module_create", [], {"title_zh_hans": ""}),
        ("trainer-county", "get", "training:module_detail", [module.pk], {}),
        ("trainer-province", "get", "training:module_edit", [module.pk], {}),
        ("trainer-county", "get", "training:module_assign", [module.pk], {}),
        (
            "trainer-county",
            "post",
            "training:module_assign",
            [module.pk],
            {"org_unit": county.pk, "due_on": due},
        ),
        ("trainer-county", "get", "training:module_progress", [module.pk], {}),
        ("trainer-county", "get", "training:module_progress", [module.pk], {"org": county.pk}),
        ("trainer-county", "get", "training:assignment_progress", [assignment.pk], {}),
        ("trainer-county", "get", "training:cadre_record", [cadre.pk], {}),
        ("trainer-county", "get", "training:chase_overview", [], {}),
        ("trainer-county", "get", "training:module_chase", [module.pk], {"org": county.pk}),
        (None, "get", "training:email_reminders", [token_for(demo_cadre)], {}),
        ("trainer-county", "get", "training:hours_overview", [], {}),
        ("trainer-county", "get", "training:claim_list", [], {}),
        ("trainer-county", "get", "training:claim_list", [], {"status": "all"}),
        ("trainer-county", "get", "training:claim_detail", [claim.pk], {}),
        ("trainer-county", "post", "training:claim_detail", [claim.pk], {"decision": "reject"}),
        ("cadre", "get", "training:claim_create", [], {}),
        ("cadre", "post", "training:claim_create", [], {"course": ""}),
        # The same claim again, and one of too many hours: the flag and the bound.
        ("cadre", "post", "training:claim_create", [], _claim_data(claim)),
        ("cadre", "post", "training:claim_create", [], _claim_data(claim, hours="2000")),
        # What withdrawing deletes, and what an undo revokes, asked before either.
        ("cadre", "post", "training:claim_withdraw", [claim.pk], {}),
        ("cadre", "post", "training:completion_unmark", [certified_unit.slug], {}),
        ("cadre", "get", "training:certificate", [certificate.code], {}),
        ("zhang.min", "get", "training:certificate", [module_certificate.code], {}),
        (None, "get", "verify", [certificate.code], {}),
        (None, "get", "verify_lookup", [], {}),
        # Evidence of study: the self-check, marked; reflections written, returned, read.
        ("cadre", "get", "expositions:unit_detail", [checked.slug], {}),
        ("cadre", "post", "training:self_check", [checked.slug], _wrong_answers(checked)),
        ("cadre", "post", "training:self_check", [checked.slug], {}),
        ("cadre", "get", "training:reflection", [reflected.slug], {}),
        ("cadre", "post", "training:reflection", [reflected.slug], {"text": "学习了。"}),
        ("trainer-county", "get", "training:module_reflections", [reflective.pk], {}),
        ("trainer-county", "get", "training:reflection_detail", [reflection.pk], {}),
        ("trainer-county", "post", "training:reflection_detail", [reflection.pk], {}),
        (
            "trainer-county",
            "post",
            "training:reflection_detail",
            [reflection.pk],
            {"action": "return"},
        ),
        ("trainer-county", "get", "org:import_upload", [], {}),
        ("trainer-county", "get", "org:issue_passwords", [], {}),
        ("cadre", "get", "org:password_change", [], {}),
        ("trainer-county", "get", "training:job_list", [], {}),
        *[("trainer-county", "get", "training:job_detail", [job.pk], {}) for job in _jobs()],
    ]


def _jobs():
    """A background job of the county trainer in each state a page shows: waiting,
    running, done with its file, done with its file deleted, failed."""
    from django.core.files.base import ContentFile

    trainer = get_user_model().objects.get(username="trainer-county")
    now = timezone.now()
    made = []
    for state, expires in [
        ("queued", None),
        ("running", None),
        ("done", now + timedelta(hours=2)),
        ("done", now - timedelta(hours=2)),
        ("failed", None),
    ]:
        job = Job.objects.create(
            requested_by=trainer,
            kind="certificates",
            label="民生保障专题学习 — 小店区",
            state=state,
            done=3,
            total=7,
            error="gone" if state == "failed" else "",
            expires_at=expires,
            file_name="民生保障专题学习-小店区-证书.zip" if state == "done" else "",
        )
        if expires and expires > now:
            job.file.save("certificates.zip", ContentFile(b"PK"), save=True)
        made.append(job)
    return made


def _claim_data(claim, **changes):
    data = {
        "course": claim.course,
        "organiser": claim.organiser,
        "kind": claim.kind,
        "start_on": claim.start_on.isoformat(),
        "end_on": claim.end_on.isoformat(),
        "hours": str(claim.hours),
    }
    return {**data, **changes}


# URL names that are not pages a person reads: files, redirects, form targets whose
# answer is a page listed above, and the health check.
NOT_PAGES = {
    "training:start",  # redirects to My study or the modules
    "training:completion_mark",  # POST, then back to the unit
    "training:module_activate",  # POST, then back to the module's page
    "training:module_remind",  # POST, then back to the chase
    "training:notice_dismiss",  # POST, then back to My study
    "training:module_progress_export",  # CSV and Excel files
    "training:reflections_export",
    "training:assignment_progress_export",
    "org:import_template",  # a CSV file
    "training:claim_file",  # the file a cadre uploaded
    "training:certificate_pdf",  # a PDF (its page is swept as training:certificate)
    "training:module_certificates_zip",  # POST, then on to the job's page
    "training:job_status",  # the progress bar's JSON
    "training:job_file",  # the job's file
    "training:job_retry",  # POST, then back to the job's page
    "training:module_certificate",  # issue, then on to training:certificate
    "training:annual_certificate",
    "org:cadre_search",  # the cadre picker's JSON (its names are people's)
    "logout",
    "set_language",
    "set_text_size",  # POST, then back to the page
    "healthz",
    "favicon.ico",
}


def test_every_page_of_the_site_is_in_the_sweep(demo, db):
    # The API (api:…) answers machines in JSON; its problems' Chinese is tested in
    # tests/api/test_problems.py, and Swagger UI and Redoc are English programs.
    site = {
        key
        for key, route in url_patterns()
        if not route.startswith(("admin/", "i18n/", "api/")) or key == "set_language"
    }
    swept = {name for _who, _method, name, _args, _data in _pages()}
    assert site - NOT_PAGES - swept == set()


def test_every_page_reads_in_chinese(as_user):
    problems = {}
    for who, method, name, args, data in _pages():
        response = getattr(as_user(who), method)(reverse(name, args=args), data)
        assert response.status_code == 200, (who, name, args, data)
        words = english_words(response.content.decode())
        if words:
            problems[f"{who} {method} {reverse(name, args=args)} {data}"] = words
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_every_page_follows_chinese_typography(as_user):
    problems = {}
    for who, method, name, args, data in _pages():
        response = getattr(as_user(who), method)(reverse(name, args=args), data)
        found = typography_problems(response.content.decode(), typed=data.values())
        if found:
            problems[f"{who} {method} {reverse(name, args=args)} {data}"] = found
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_import_problems_read_in_chinese(as_user):
    upload = io.BytesIO("姓名,用户名\n张三,\n".encode())
    upload.name = "干部.csv"
    response = as_user("trainer-county").post(
        reverse("org:import_upload"), {"kind": "cadres", "file": upload}
    )
    assert response.status_code == 422
    assert "未导入任何内容" in response.content.decode()
    problem = '<td data-label="列">单位编码</td><td data-label="问题">缺少此列。</td>'
    assert problem in response.content.decode()
    assert english_words(response.content.decode()) == []


def test_an_unknown_certificate_code_reads_in_chinese(as_user):
    response = as_user(None).get(reverse("verify", args=["AAAAAAAAAAAAAAAA"]))
    assert response.status_code == 404
    assert "证书" in response.content.decode()
    assert english_words(response.content.decode()) == []


def test_the_sign_in_pause_reads_in_chinese(as_user):
    client = as_user(None)
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "cadre", "password": "wrong"})
    assert response.status_code == 429
    assert english_words(response.content.decode()) == []


def test_the_error_pages_read_in_chinese(as_user):
    not_found = as_user("cadre").get("/no/such/page/")
    assert not_found.status_code == 404
    csrf = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    refused = csrf.post(reverse("set_language"), {"language": "en"})
    assert refused.status_code == 403
    with translation.override("zh-hans"):
        broken = server_error(RequestFactory().get("/"))
    for response in (not_found, refused, broken):
        assert english_words(response.content.decode()) == []


def test_one_word_for_a_cadre_still_at_work():
    """The cadre's field, the import's column and its help say 在职 alike (not 在岗)."""
    from org.imports import headers

    with translation.override("zh-hans"):
        field = str(Cadre._meta.get_field("active").verbose_name)
        assert field == "在职"
        assert field in headers("cadres", chinese=True)
