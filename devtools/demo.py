"""Demo data for `make run`: accounts, a small org tree, modules, assignments and
completions, so every page shows something real. Safe to run again.

Never run this against a production database: it creates accounts with known
passwords.
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from expositions.models import StudyUnit, Theme
from org.models import Cadre, OrgUnit
from org.roles import ACCOUNT_MANAGER, CADRE, EDITOR, TRAINER, ensure_groups
from portal.serial import one_at_a_time
from training import evidence, services
from training.hours.requirements import ensure_defaults
from training.models import Assignment, Module, Reflection, TrainingClaim

# code, parent code, level, Chinese name, English name
ORG_TREE = [
    ("14", None, 1, "山西省", "Shanxi Province"),
    ("1401", "14", 2, "太原市", "Taiyuan City"),
    ("140105", "1401", 3, "小店区", "Xiaodian District"),
    ("140105001", "140105", 4, "坞城街道", "Wucheng Street"),
    ("140105100", "140105", 4, "北格镇", "Beige Town"),
    ("140121", "1401", 3, "清徐县", "Qingxu County"),
    ("140121100", "140121", 4, "清源镇", "Qingyuan Town"),
    ("1402", "14", 2, "大同市", "Datong City"),
    ("140221", "1402", 3, "阳高县", "Yanggao County"),
    ("140221100", "140221", 4, "龙泉镇", "Longquan Town"),
]

# The civil-affairs departments that issue certificates (OrgUnit.issuing_organ): the
# province's is the default; the cities' issue for everything below them.
ISSUING_ORGANS = {
    "14": ("山西省民政厅", "Shanxi Provincial Department of Civil Affairs"),
    "1401": ("太原市民政局", "Taiyuan Municipal Civil Affairs Bureau"),
    "1402": ("大同市民政局", "Datong Municipal Civil Affairs Bureau"),
}

# username, password, role, staff, name, org code (cadre) or managed org code (trainer)
DEMO_ACCOUNTS = [
    ("editor", "editor-demo-2026", EDITOR, True, "王编辑", None),
    ("accounts", "accounts-demo-2026", ACCOUNT_MANAGER, True, "孙账号", None),
    ("trainer-province", "trainer-demo-2026", TRAINER, False, "赵培训（省）", "14"),
    ("trainer-county", "trainer-demo-2026", TRAINER, False, "钱培训（小店区）", "140105"),
    ("cadre", "cadre-demo-2026", CADRE, False, "李干部", "140105001"),
]

# Cadres without a demo sign-in, spread over the tree: username, name, org, position
OTHER_CADRES = [
    ("zhang.min", "张敏", "140105001", "社会救助科员"),
    ("liu.yang", "刘洋", "140105001", "社区干事"),
    ("chen.jing", "陈静", "140105100", "民政助理"),
    ("yang.fan", "杨帆", "140105100", "民政助理"),
    ("huang.lei", "黄磊", "140105", "养老服务科长"),
    ("zhou.li", "周丽", "140121100", "民政助理"),
    ("wu.qiang", "吴强", "140121", "社会事务科员"),
    ("xu.hua", "徐华", "1401", "基层政权科员"),
    ("sun.tao", "孙涛", "140221100", "民政助理"),
    ("ma.lin", "马琳", "140221", "社会救助科长"),
    ("zhu.hong", "朱红", "14", "培训中心干部"),
]

# Training taken elsewhere (学时申报): username, course, organiser, ended days ago, days,
# 学时, status. The demo cadre's waits for the county trainer's approval.
DEMO_CLAIMS = [
    ("cadre", "全市社会救助业务培训班", "太原市民政局", 5, 3, "16", "pending"),
    ("zhang.min", "全省民政系统基层干部轮训", "山西省民政厅", 40, 5, "40", "approved"),
]

# theme slug, module title, target org code (or "cadre"), due in days (negative: overdue)
MODULES = [
    # theme, title in Chinese and in English, assigned to, due in days
    ("political-standing", "政治站位专题学习", "Political standing", "14", 30),
    ("livelihood-guarantee", "民生保障专题学习", "Livelihood guarantee", "140105", 14),
    ("grassroots-governance", "基层治理专题学习", "Grassroots governance", "140105001", -5),
    ("capability-building", "能力建设专题学习", "Capability building", "cadre", 7),
]
# What a new demo module asks before a unit counts (Module.evidence); the others, nothing.
EVIDENCE = {
    "livelihood-guarantee": Module.Evidence.REFLECTION,
    "capability-building": Module.Evidence.SELF_CHECK,
}
# Reflections (学习心得) on the first unit of a module: username, theme slug, text. The
# county trainer has them to read.
DEMO_REFLECTIONS = [
    (
        "zhang.min",
        "livelihood-guarantee",
        "这一单元让我想到街道的低保复核工作。过去我们多看材料是否齐全，今后要多入户，"
        "听困难群众怎么说，把兜底保障落到每一户，做到应保尽保、应退尽退，"
        "也让群众感受到民政工作的温度。",
    ),
]

# username -> how many units of each module (in module order) they have completed
COMPLETIONS = {
    "cadre": {"political-standing": 2, "grassroots-governance": 1},
    "zhang.min": {"political-standing": 4, "grassroots-governance": 6, "livelihood-guarantee": 4},
    "liu.yang": {"grassroots-governance": 3, "livelihood-guarantee": 1},
    "chen.jing": {"political-standing": 1, "livelihood-guarantee": 2},
    "huang.lei": {"political-standing": 4, "livelihood-guarantee": 4},
    "zhou.li": {"political-standing": 3},
    "sun.tao": {"political-standing": 4},
    "ma.lin": {"political-standing": 1},
}


def _user(username, name, password=None, staff=False):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": name})
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.is_staff = staff
        user.save()
    return user


def _org_tree():
    units = {o.code: o for o in OrgUnit.objects.filter(code__in=[c for c, *_ in ORG_TREE])}
    for code, parent, level, name, name_en in ORG_TREE:
        if code in units:
            continue
        fields = {"code": code, "level": level, "name": name, "name_en": name_en}
        if parent is None:
            units[code] = OrgUnit.objects.add_root(fields)
        else:
            parent_node = OrgUnit.objects.get(pk=units[parent].pk)  # fresh numchild
            units[code] = OrgUnit.objects.add_child(parent_node, fields)
    for code, (zh, en) in ISSUING_ORGANS.items():
        # Set where nobody has: an editor's own wording stays.
        unset = Q(issuing_organ_zh_hans__isnull=True) | Q(issuing_organ_zh_hans="")
        OrgUnit.objects.filter(unset, code=code).update(
            issuing_organ_zh_hans=zh, issuing_organ_en=en
        )
    return {o.code: o for o in OrgUnit.objects.filter(code__in=units)}


@transaction.atomic
def load_demo():
    one_at_a_time("training.load_demo")  # two at once make one demo
    ensure_defaults()  # the study-hour requirements, on an emptied database too
    groups = ensure_groups()
    org = _org_tree()
    users = {}
    for username, password, role, staff, name, code in DEMO_ACCOUNTS:
        user = users[username] = _user(username, name, password, staff)
        user.groups.add(groups[role])
        if role == TRAINER:
            org[code].trainers.add(user)
        if role == CADRE:
            # A street's cadre: 乡科级及以下, so My record shows two requirements.
            Cadre.objects.get_or_create(
                user=user,
                defaults={
                    "name": name,
                    "org_unit": org[code],
                    "position": "民政干部",
                    "category": Cadre.Category.TOWNSHIP_AND_BELOW,
                },
            )
    for number, (username, name, code, position) in enumerate(OTHER_CADRES):
        user = users[username] = _user(username, name)
        user.groups.add(groups[CADRE])
        Cadre.objects.get_or_create(
            user=user, defaults={"name": name, "org_unit": org[code], "position": position}
        )
        # Phones for the trainer's list to call (made-up numbers), where none is set.
        Cadre.objects.filter(user=user, phone="").update(phone=f"139{number:04d}{number:04d}")
    # The demo cadre's reminders: `manage.py send_reminders` prints them in `make run`.
    get_user_model().objects.filter(username="cadre", email="").update(email="cadre@example.org")

    today = timezone.localdate()
    themes = {t.slug: t for t in Theme.objects.all()}
    modules = {}
    for slug, title_zh, title_en, target, days in MODULES:
        if slug not in themes:
            continue  # the exposition is not loaded
        theme = themes[slug]
        texts = {
            "title_zh_hans": title_zh,
            "title_en": title_en,
            "description_zh_hans": theme.description_zh_hans,
            "description_en": theme.description_en,
        }
        # Earlier versions titled the demo modules in both languages in one string.
        module = Module.objects.filter(
            title_zh_hans__in=[title_zh, f"{title_zh} {title_en}"]
        ).first()
        created = module is None
        if created:
            module = Module.objects.create(
                created_by=users["trainer-province"],
                evidence=EVIDENCE.get(slug, Module.Evidence.NOTHING),
                **texts,
            )
        elif any(getattr(module, k) != v for k, v in texts.items()):
            Module.objects.filter(pk=module.pk).update(**texts)
        units = list(StudyUnit.objects.published().for_theme(themes[slug]).order_by("order"))
        if created:
            services.module_set_units(module=module, units=units)
        modules[slug] = (module, units)
        # Assignments are written directly: the service refuses a past due date,
        # and the demo needs one overdue assignment.
        target_field = (
            {"cadre": Cadre.objects.get(user=users["cadre"])}
            if target == "cadre"
            else {"org_unit": org[target]}
        )
        assigner = (
            users["trainer-province"] if target in ("14", "cadre") else users["trainer-county"]
        )
        Assignment.objects.get_or_create(
            module=module,
            **target_field,
            defaults={"due_on": today + timedelta(days=days), "assigned_by": assigner},
        )

    for username, done in COMPLETIONS.items():
        cadre = Cadre.objects.get(user=users[username])
        for slug, count in done.items():
            if slug in modules:
                for unit in modules[slug][1][:count]:
                    services.completion_record(cadre=cadre, unit=unit)

    for username, slug, text in DEMO_REFLECTIONS:
        if slug in modules and modules[slug][1]:
            cadre = Cadre.objects.get(user__username=username)
            if not Reflection.objects.filter(cadre=cadre).exists():
                evidence.reflection_submit(cadre=cadre, unit=modules[slug][1][0], text=text)

    for username, course, organiser, ended_days_ago, days, hours, status in DEMO_CLAIMS:
        cadre = Cadre.objects.get(user__username=username)
        end_on = today - timedelta(days=ended_days_ago)
        if end_on.year != today.year:  # early January: keep the claim in this year
            end_on = today
        claim, created = TrainingClaim.objects.get_or_create(
            cadre=cadre,
            course=course,
            defaults={
                "organiser": organiser,
                "kind": TrainingClaim.Kind.TRAINING,
                "start_on": end_on - timedelta(days=days - 1),
                "end_on": end_on,
                "hours": Decimal(hours),
            },
        )
        if created and status == "approved":  # through the service: it counts the hours
            services.claim_decide(claim=claim, by=users["trainer-county"], approve=True)
    return DEMO_ACCOUNTS
