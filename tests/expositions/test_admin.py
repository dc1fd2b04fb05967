import pytest
from django.urls import reverse

from expositions import self_check
from expositions.models import SelfCheckQuestion, StudyUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(make_unit):
    return make_unit(title="Admin unit", tags=["民生"], body="Old body.")


TRANSLATED = ("title", "summary", "key_points", "body")


def _form_data(unit, **changes):
    """The change form as an editor posts it: a text field's plain name in ``changes``
    (``body=...``) is its Chinese column, as the Chinese admin shows it first."""
    data = {
        **{
            f"{name}_{suffix}": getattr(unit, f"{name}_{suffix}") or ""
            for name in TRANSLATED
            for suffix in ("zh_hans", "en")
        },
        "slug": unit.slug,
        "exposition": unit.exposition_id,
        "theme": unit.theme_id,
        "order": unit.order,
        "status": unit.status,
        "published_at_0": "2026-01-01",
        "published_at_1": "08:00:00",
        "source_passage": unit.source_passage,
        "source_translation": unit.source_translation,
        "tags": "民生",
        "reading_minutes": unit.reading_minutes,
    }
    data.update(question_forms(unit))
    for name, value in changes.items():
        data[f"{name}_zh_hans" if name in TRANSLATED else name] = value
    return data


def question_forms(unit, specs=None):
    """The unit page's self-check questions as the inline posts them: the unit's own
    (or ``specs``, in expositions.self_check's shape, as new blocks)."""
    questions = list(SelfCheckQuestion.objects.for_unit(unit)) if specs is None else []
    blocks = [(q.pk, self_check.as_spec(q)) for q in questions]
    blocks += [(None, spec) for spec in specs or []]
    data = {
        "questions-TOTAL_FORMS": len(blocks),
        "questions-INITIAL_FORMS": len(questions),
        "questions-MIN_NUM_FORMS": 0,
        "questions-MAX_NUM_FORMS": 10,
    }
    for i, (pk, spec) in enumerate(blocks):
        options = spec.get("options", [])
        if spec["kind"] == "true_false":
            answer = "对" if spec["correct"] else "错"
        else:
            answer = ", ".join(str(n) for n, o in enumerate(options, start=1) if o["correct"])
        fields = {
            "id": pk or "",
            "unit": unit.pk,
            "order": spec.get("order", i + 1),
            "kind": spec["kind"],
            "text_zh_hans": spec["text_zh"],
            "text_en": spec.get("text_en", ""),
            "options_zh": "\n".join(o["text_zh"] for o in options),
            "options_en": "\n".join(o.get("text_en", "") for o in options),
            "answer": answer,
            "explanation_zh_hans": spec["explanation_zh"],
            "explanation_en": spec.get("explanation_en", ""),
        }
        data.update({f"questions-{i}-{name}": value for name, value in fields.items()})
    return data


def test_changelist_filters_and_search(editor_client, unit, make_unit):
    make_unit(title="Another", status=StudyUnit.Status.DRAFT)
    url = reverse("admin:expositions_studyunit_changelist")
    assert editor_client.get(url).status_code == 200
    response = editor_client.get(url, {"status__exact": "draft"})
    assert [u.title for u in response.context["cl"].result_list] == ["Another"]
    response = editor_client.get(url, {"q": "Admin"})
    assert [u.title for u in response.context["cl"].result_list] == ["Admin unit"]
    response = editor_client.get(url, {"q": "民生"})  # a tag's name
    assert [u.title for u in response.context["cl"].result_list] == ["Admin unit"]


def test_editor_edits_a_unit_and_the_site_shows_it(editor_client, cadre_user, client, unit):
    url = reverse("admin:expositions_studyunit_change", args=[unit.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    assert 'id="body-preview"' in page.content.decode()
    response = editor_client.post(
        url, _form_data(unit, body="New **body**.", tags="民生, 社会救助")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    unit.refresh_from_db()
    assert "<strong>body</strong>" in unit.body_html
    assert {t.name for t in unit.tags.all()} == {"民生", "社会救助"}
    client.force_login(cadre_user)
    assert "<strong>body</strong>" in client.get(unit.get_absolute_url()).content.decode()


def test_history_shows_who_changed_what(editor_client, editor_user, unit):
    url = reverse("admin:expositions_studyunit_change", args=[unit.pk])
    editor_client.post(url, _form_data(unit, body="Changed body."))
    latest = unit.history.latest()
    assert latest.history_user == editor_user
    history = editor_client.get(reverse("admin:expositions_studyunit_history", args=[unit.pk]))
    assert history.status_code == 200
    table = history.content.decode().split('id="change-history"')[1]
    assert editor_user.username in table
    # The whole body, the change marked inside it.
    assert "<del>Old</del><ins>Changed</ins> body." in table


def test_history_can_revert(editor_client, unit):
    url = reverse("admin:expositions_studyunit_change", args=[unit.pk])
    editor_client.post(url, _form_data(unit, body="Changed body."))
    first = unit.history.earliest()
    revert_url = reverse(
        "admin:expositions_studyunit_simple_history", args=[unit.pk, first.history_id]
    )
    assert editor_client.get(revert_url).status_code == 200
    response = editor_client.post(revert_url, _form_data(unit, body="Old body."))
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.body == "Old body."


def test_preview_renders_and_sanitises(editor_client, unit):
    response = editor_client.post(
        reverse("admin:expositions_studyunit_preview"),
        _form_data(unit, body="**hi** <script>alert(1)</script>") | {"preview_language": "zh-hans"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>hi</strong>" in html
    assert "<script" not in html


def test_the_preview_is_the_reader_s_page_in_the_language_asked_for(editor_client, unit):
    data = _form_data(
        unit,
        title_zh_hans="预览标题",
        title_en="Preview title",
        body="中文正文",
        body_en="English **body**",
        key_points_en="First point",
        tags="民生, 尚未有的标签",
    )
    url = reverse("admin:expositions_studyunit_preview")
    english = editor_client.post(url, data | {"preview_language": "en"}).content.decode()
    assert '<html lang="en"' in english
    assert "/static/css/portal.css" in english  # the site's own stylesheet
    assert "<h1>Preview title" in english
    assert "English <strong>body</strong>" in english and "中文正文" not in english
    assert "First point" in english and "Key points" in english
    assert "尚未有的标签" in english  # a tag not saved yet is shown as it will be
    chinese = editor_client.post(url, data | {"preview_language": "zh-hans"}).content.decode()
    assert "<h1>预览标题" in chinese and "中文正文" in chinese and "要点" in chinese
    unit.refresh_from_db()
    assert unit.title_zh_hans != "预览标题"  # nothing saved


def test_the_change_page_shows_the_preview_panel(editor_client, unit):
    html = editor_client.get(
        reverse("admin:expositions_studyunit_change", args=[unit.pk])
    ).content.decode()
    assert 'id="unit-preview"' in html and 'class="preview-frame is-phone"' in html
    assert 'data-preview-width="phone"' in html and 'data-preview-language="en"' in html


def test_the_revert_page_shows_the_body_of_the_version_being_restored(editor_client, unit):
    version = unit.history.latest()
    editor_client.post(
        reverse("admin:expositions_studyunit_change", args=[unit.pk]),
        _form_data(unit, body="A **newer** body."),
    )
    url = reverse("admin:expositions_studyunit_simple_history", args=[unit.pk, version.history_id])
    panel = editor_client.get(url).content.decode().split('id="body-preview"')[1][:300]
    assert "Old body." in panel and "newer" not in panel


def test_preview_needs_post(editor_client):
    assert editor_client.get(reverse("admin:expositions_studyunit_preview")).status_code == 405


def test_tag_suggestions(editor_client, make_unit):
    make_unit(tags=["社会救助", "社区", "social assistance", "基层"])
    url = reverse("admin:expositions_studyunit_tag_suggestions")
    assert editor_client.get(url, {"q": "社"}).json()["tags"] == ["社会救助", "社区"]
    assert editor_client.get(url, {"q": "SOC"}).json()["tags"] == ["social assistance"]
    assert editor_client.get(url, {"q": ""}).json() == {"tags": [], "english": []}


def test_tag_suggestions_give_the_english_name_of_the_same_idea(editor_client, make_unit):
    from expositions.models import Tag

    make_unit(tags=["社会救助"])
    Tag.objects.filter(name="社会救助").update(name_en="social assistance")
    url = reverse("admin:expositions_studyunit_tag_suggestions")
    assert editor_client.get(url, {"q": "soc"}).json() == {
        "tags": ["社会救助"],
        "english": ["social assistance"],
    }


@pytest.mark.parametrize("name", ["preview", "tag_suggestions"])
def test_admin_helpers_refuse_cadres(cadre_client, name):
    url = reverse(f"admin:expositions_studyunit_{name}")
    response = cadre_client.post(url) if name == "preview" else cadre_client.get(url)
    assert response.status_code == 302  # to the admin sign-in: a cadre is not staff
    assert "/admin/login/" in response["Location"]


def test_staff_without_permission_is_refused(client, make_user):
    client.force_login(make_user(is_staff=True))
    url = reverse("admin:expositions_studyunit_tag_suggestions")
    assert client.get(url, {"q": "a"}).status_code == 403


def test_exposition_admin_shows_units_inline(editor_client, unit):
    url = reverse("admin:expositions_exposition_change", args=[unit.exposition_id])
    html = editor_client.get(url).content.decode()
    assert "Admin unit" in html


def test_theme_admin_orders_themes(editor_client, theme, other_theme):
    response = editor_client.get(reverse("admin:expositions_theme_changelist"))
    assert [t.slug for t in response.context["cl"].result_list] == [
        "political-standing",
        "livelihood-guarantee",
    ]
