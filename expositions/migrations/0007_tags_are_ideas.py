"""A tag is an idea with a Chinese and an English name (expositions.Tag), no longer two
django-taggit tags per idea. Existing pairs are merged: the shipped pairs below (as the
data file named them when this migration was written), a Chinese tag keeps its address
(slug), and a unit tagged with both names of an idea keeps one link."""

import hashlib
import json
import re

import django.db.models.deletion
import taggit.managers
from django.db import migrations, models
from django.utils.text import slugify

PAIRS = [
    ("为民", "for the people"),
    ("人民情怀", "people's feelings"),
    ("人民至上", "people first"),
    ("低保", "minimum living allowance"),
    ("使命担当", "mission"),
    ("党建引领", "Party building"),
    ("公平正义", "fairness and justice"),
    ("共同富裕", "common prosperity"),
    ("养老", "elderly care"),
    ("内生动力", "endogenous motivation"),
    ("农村", "rural areas"),
    ("困难群众", "people in difficulty"),
    ("基层", "grassroots"),
    ("基层治理", "grassroots governance"),
    ("基本民生", "basic livelihood"),
    ("大局", "overall situation"),
    ("学习", "learning"),
    ("学以促干", "learning to promote work"),
    ("尽力而为", "do our best"),
    ("履职尽责", "duties and responsibilities"),
    ("干部培训", "cadre training"),
    ("惠民", "benefiting the people"),
    ("执政基础", "ruling foundation"),
    ("担当", "responsibility"),
    ("政治判断力", "political judgment"),
    ("政治执行力", "political execution"),
    ("政治站位", "political standing"),
    ("政策宣传", "policy publicity"),
    ("政绩观", "outlook on achievements"),
    ("数据共享", "data sharing"),
    ("新发展理念", "new development concept"),
    ("新时代", "new era"),
    ("服务保障", "service guarantee"),
    ("未成年人", "minors"),
    ("民心", "will of the people"),
    ("民政", "civil affairs"),
    ("民生", "livelihood"),
    ("民生福祉", "well-being"),
    ("特殊群体", "special groups"),
    ("社会救助", "social assistance"),
    ("社会服务", "social services"),
    ("社区", "community"),
    ("立场", "stance"),
    ("立场观点", "position and viewpoint"),
    ("精准救助", "accurate assistance"),
    ("能力", "ability"),
    ("能力建设", "capability building"),
    ("调查研究", "investigation and study"),
    ("跨省核对", "cross-provincial verification"),
    ("重要论述", "exposition"),
    ("量力而行", "do what we can"),
    ("长治久安", "stability"),
    ("问题导向", "problem-oriented"),
    ("高质量发展", "high-quality development"),
]
EN_TO_ZH = {en: zh for zh, en in PAIRS} | {"people-centred": "为民"}
ZH_TO_EN = {zh: en for zh, en in PAIRS}
CJK = re.compile(r"[\u3400-\u9fff]")


UNIT_TEXT = ("title", "summary", "key_points", "body")


def _checksum(unit, tag_names):
    """StudyUnit.content_checksum as it stands at this migration."""
    data = {
        "theme": unit.theme.slug,
        "source_passage": unit.source_passage,
        "source_translation": unit.source_translation,
        "order": unit.order,
        "status": unit.status,
        "tags": sorted(n.lower() for n in tag_names),
    }
    for field in UNIT_TEXT:
        data[f"{field}_zh-hans"] = getattr(unit, f"{field}_zh_hans") or ""
        data[f"{field}_en"] = getattr(unit, f"{field}_en") or ""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


def into_ideas(apps, schema_editor):
    OldTag = apps.get_model("taggit", "Tag")
    Idea = apps.get_model("expositions", "Tag")
    Link = apps.get_model("expositions", "TaggedStudyUnit")
    StudyUnit = apps.get_model("expositions", "StudyUnit")
    old_slugs = dict(OldTag.objects.values_list("name", "slug"))
    # A unit the loader wrote and nobody edited keeps that standing: its fingerprint
    # covers its tag names, so it is recomputed over the merged ones (as 0006 did).
    loader_owned = [
        unit
        for unit in StudyUnit.objects.exclude(seed_checksum="").select_related("theme")
        if _checksum(unit, [i.tag.name for i in unit.tagged_items.select_related("tag")])
        == unit.seed_checksum
    ]
    ideas = {}

    def unique_slug(name):
        base = old_slugs.get(name) or slugify(name, allow_unicode=True) or "tag"
        slug, n = base, 1
        while Idea.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    def idea_for(name):
        if name in EN_TO_ZH:
            zh = EN_TO_ZH[name]
            en = ZH_TO_EN.get(zh, name)  # "people-centred" was the old name of "for the people"
        elif CJK.search(name):
            zh, en = name, ZH_TO_EN.get(name, "")
        else:  # an English-only tag of an editor's: its Chinese name is still to write
            zh, en = name, name
        idea = ideas.get(zh)
        if idea is None:
            idea = ideas[zh] = Idea.objects.create(name=zh, name_en=en, slug=unique_slug(zh))
        elif en and not idea.name_en:
            idea.name_en = en
            idea.save(update_fields=["name_en"])
        return idea

    seen = set()
    for link in Link.objects.select_related("tag").order_by("pk"):
        idea = idea_for(link.tag.name)
        if (link.content_object_id, idea.pk) in seen:
            link.delete()
            continue
        seen.add((link.content_object_id, idea.pk))
        link.idea = idea
        link.save(update_fields=["idea"])

    for unit in loader_owned:
        names = [
            i.idea.name for i in Link.objects.filter(content_object=unit).select_related("idea")
        ]
        unit.seed_checksum = _checksum(unit, names)
        unit.save(update_fields=["seed_checksum"])


class Migration(migrations.Migration):
    dependencies = [
        ("expositions", "0006_two_languages"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="Tag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                (
                    "slug",
                    models.SlugField(
                        allow_unicode=True, max_length=100, unique=True, verbose_name="slug"
                    ),
                ),
                (
                    "name_en",
                    models.CharField(blank=True, max_length=100, verbose_name="English name"),
                ),
            ],
            options={"verbose_name": "tag", "verbose_name_plural": "tags", "ordering": ["name"]},
        ),
        migrations.RemoveConstraint(model_name="taggedstudyunit", name="unique_tag_per_study_unit"),
        migrations.AddField(
            model_name="taggedstudyunit",
            name="idea",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="expositions.tag",
            ),
        ),
        migrations.RunPython(into_ideas, migrations.RunPython.noop),
        migrations.RemoveField(model_name="taggedstudyunit", name="tag"),
        migrations.RenameField(model_name="taggedstudyunit", old_name="idea", new_name="tag"),
        migrations.AlterField(
            model_name="taggedstudyunit",
            name="tag",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tagged_units",
                to="expositions.tag",
            ),
        ),
        migrations.AlterField(
            model_name="studyunit",
            name="tags",
            field=taggit.managers.TaggableManager(
                blank=True,
                help_text="A comma-separated list of tags.",
                through="expositions.TaggedStudyUnit",
                to="expositions.Tag",
                verbose_name="tags",
            ),
        ),
        migrations.AddConstraint(
            model_name="taggedstudyunit",
            constraint=models.UniqueConstraint(
                fields=("content_object", "tag"), name="unique_tag_per_study_unit"
            ),
        ),
    ]
