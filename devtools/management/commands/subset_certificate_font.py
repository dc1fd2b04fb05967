"""Make the certificates' font: a subset of Noto Sans CJK SC (SIL Open Font License 1.1),
renamed, in static/fonts/. Run once by a developer when the certificates' text changes;
the result is committed, so a server needs no CJK font of its own.

  apt-get install fonts-noto-cjk        # the source font, on the developer's machine only
  .venv/bin/python manage.py subset_certificate_font

The subset holds GB 2312 (the 6,763 characters of everyday Chinese, which nearly every
name is written in), ASCII, Chinese punctuation and full-width forms, and every
character of the portal's Chinese catalogue (what the certificates' text can say).
A rare character in a name falls back, glyph by glyph, to the next font in the
certificate's font list (static/css/certificate.css).
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTCollection

SOURCES = {
    "regular": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "bold": "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
}
FAMILY = "Portal Certificate Sans"
STYLES = {"regular": "Regular", "bold": "Bold"}


def gb2312():
    """Every character GB 2312 encodes: rows 0xA1-0xF7, cells 0xA1-0xFE."""
    found = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                found.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def characters():
    chars = gb2312()
    chars |= {chr(c) for c in range(0x20, 0x7F)}  # ASCII
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # Chinese punctuation
    chars |= {chr(c) for c in range(0xFF00, 0xFFF0)}  # full-width forms
    chars |= set("·—–‘’“”…‰℃№×÷±≤≥")
    catalogue = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"
    for entry in polib.pofile(str(catalogue)):
        chars |= set(entry.msgstr) | {c for s in entry.msgstr_plural.values() for c in s}
    return "".join(sorted(c for c in chars if c.isprintable()))


def sc_face(path):
    """The Simplified Chinese face of a Noto Sans CJK collection."""
    for font in TTCollection(path).fonts:
        if "Noto Sans CJK SC" in str(font["name"].getDebugName(1)):
            return font
    raise CommandError(f"No Noto Sans CJK SC face in {path}")


def rename(font, style):
    """The subset carries its own name, so that nobody takes it for the whole font and
    a PDF shows which font it embedded."""
    full = f"{FAMILY} {style}"
    postscript = f"{FAMILY.replace(' ', '')}-{style}"
    names = {1: FAMILY, 2: style, 3: f"{postscript};subset", 4: full, 6: postscript}
    names |= {16: FAMILY, 17: style}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names:
            table.setName(names[record.nameID], record.nameID, *_ids(record))
    if "CFF " in font:
        font["CFF "].cff.fontNames = [postscript]


def _ids(record):
    return record.platformID, record.platEncID, record.langID


class Command(BaseCommand):
    help = "Write the certificates' font (a renamed subset of Noto Sans CJK SC) to static/fonts/."

    def handle(self, *args, **options):
        text = characters()
        out = Path(settings.BASE_DIR) / "static/fonts"
        out.mkdir(exist_ok=True)
        for weight, path in SOURCES.items():
            if not Path(path).exists():
                raise CommandError(f"{path} is missing: apt-get install fonts-noto-cjk")
            font = sc_face(path)
            # No layout features (vertical forms, other regions' glyph variants): a
            # certificate is set horizontally in Simplified Chinese. No hinting: a PDF.
            subsetter = Subsetter(
                Options(name_IDs=["*"], name_languages=["*"], layout_features=[], hinting=False)
            )
            subsetter.populate(text=text)
            subsetter.subset(font)
            rename(font, STYLES[weight])
            target = out / f"certificate-sans-{weight}.otf"
            font.save(target)
            self.stdout.write(
                f"{target.name}: {len(text):,} characters, {target.stat().st_size:,} bytes"
            )
