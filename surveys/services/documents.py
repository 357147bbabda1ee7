"""Versions of a draft act under discussion: read the text (typed, DOCX, ODT or PDF), split it into points and
paragraphs with an anchor people cite («п. 3.2», «п. 2.2, пп. 1», «прил., п. 1»), publish it as the next
редакция. A final редакция comes after the window closes, once per discussion."""

import io
import re
import zipfile
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities import access

from ..models import Discussion, DocumentParagraph, DocumentVersion

MAX_PARAGRAPHS = 3000
MAX_TEXT_CHARS = 1_000_000
ANCHOR_MAX = 100


@dataclass(frozen=True)
class Block:
    """A unit of the source as the reader saw it: its text, and the number Word/LibreOffice printed before
    it automatically (not part of the text), if any."""

    text: str
    auto_number: str = ""


# --- Anchors ---------------------------------------------------------------------------------------------

_POINT_DOT = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.(?=\s|$)|^(\d{1,3}(?:\.\d{1,3})+)(?=\s)")
_SUBPOINT = re.compile(r"^(\d{1,3}|[а-яё])\)(?=\s|$)", re.IGNORECASE)  # «1)», «а)»
_ROMAN = re.compile(r"^([IVXLC]{1,7})\.(?=\s|$)")
_UNIT = re.compile(r"^(Статья|Глава|Раздел)\s+(\d{1,3}(?:\.\d{1,3})*)\.?(?=\s|$)", re.IGNORECASE)
_ANNEX = re.compile(r"^Приложение(?:\s+(?:№\s*)?(\d{1,3}))?(?=\s|$|\.)", re.IGNORECASE)
_BULLET = re.compile(r"^[·•▪◦●\-–—*](?=\s)")
_UNIT_SHORT = {"статья": "ст.", "глава": "гл.", "раздел": "разд."}


class _Anchors:
    """Gives each block the anchor a reader would cite: the point it starts, or the point it continues."""

    def __init__(self):
        self.annex = ""  # «прил.», «прил. 2»
        self.point = ""  # «п. 3.2», «ст. 5»
        self.sub = ""  # «пп. 1»
        self.count_in_point = 0  # paragraphs under the current point (its first is the point itself)
        self.loose = 0  # unnumbered paragraphs before any point (preamble)
        self.seen = {}

    def _prefix(self, unit: str) -> str:
        return f"{self.annex}, {unit}" if self.annex else unit

    def _unique(self, anchor: str) -> str:
        anchor = anchor[:ANCHOR_MAX]
        n = self.seen.get(anchor, 0) + 1
        self.seen[anchor] = n
        return anchor if n == 1 else f"{anchor} ({n})"[:ANCHOR_MAX]

    def next(self, text: str, auto_number: str = "") -> str:
        head = f"{auto_number} {text}" if auto_number else text
        if match := _ANNEX.match(text):
            self.annex = _("прил. %(n)s") % {"n": match.group(1)} if match.group(1) else _("прил.")
            self.point, self.sub, self.count_in_point, self.loose = "", "", 0, 0
            return self._unique(self.annex)
        if match := _UNIT.match(head):
            self.point = f"{_UNIT_SHORT[match.group(1).lower()]} {match.group(2)}"
            return self._start(self.point)
        if match := _ROMAN.match(head):
            self.point = f"{_('разд.')} {match.group(1)}"
            return self._start(self.point)
        if match := _POINT_DOT.match(head):
            self.point = f"{_('п.')} {match.group(1) or match.group(2)}"
            return self._start(self.point)
        if (match := _SUBPOINT.match(head)) and self.point:
            self.sub = f"{_('пп.')} {match.group(1).lower()}"
            self.count_in_point = 1
            return self._unique(self._prefix(f"{self.point}, {self.sub}"))
        if self.point:
            self.count_in_point += 1
            return self._unique(self._prefix(f"{self.point}, {_('абз.')} {self.count_in_point}"))
        self.loose += 1
        return self._unique(self._prefix(f"{_('абз.')} {self.loose}"))

    def _start(self, unit: str) -> str:
        self.sub, self.count_in_point = "", 1
        return self._unique(self._prefix(unit))


def _starts_block(line: str) -> bool:
    return bool(
        _POINT_DOT.match(line)
        or _SUBPOINT.match(line)
        or _ROMAN.match(line)
        or _UNIT.match(line)
        or _ANNEX.match(line)
        or _BULLET.match(line)
    )


_spaces = re.compile(r"[ \t\u00a0]+")


def split_text(text: str) -> list[Block]:
    """Plain text → blocks: a blank line ends a paragraph, a numbered point («1.», «3.2.», «1)», «а)», «III.»,
    «Статья 5», «Приложение») or a bullet starts one; other lines continue it (hard-wrapped text, as pasted
    from a PDF or a letter, joins back into one paragraph)."""
    blocks, current = [], []

    def flush():
        if current:
            blocks.append(Block(" ".join(current)))
            current.clear()

    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _spaces.sub(" ", raw).strip()
        if not line:
            flush()
            continue
        if _starts_block(line):
            flush()
        current.append(line)
    flush()
    return blocks


def paragraphs_of(blocks: list[Block]) -> list[tuple[str, str]]:
    """(anchor, text) for each block, in order."""
    anchors = _Anchors()
    out = []
    for block in blocks:
        text = _spaces.sub(" ", block.text).strip()
        if not text:
            continue
        anchor = anchors.next(text, block.auto_number)
        if block.auto_number:
            text = f"{block.auto_number} {text}"
        out.append((anchor, text))
    return out


# --- Files -----------------------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RUSSIAN_LOWER = "абвгдежзиклмнопрстуфхцчшщэюя"  # Word's russianLower skips ё, й, ъ, ы, ь


def _format_counter(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "a"):
        return chr(ord("a") + (n - 1) % 26)
    if fmt in ("upperLetter", "A"):
        return chr(ord("A") + (n - 1) % 26)
    if fmt in ("russianLower", "а"):
        return RUSSIAN_LOWER[(n - 1) % len(RUSSIAN_LOWER)]
    if fmt in ("russianUpper", "А"):
        return RUSSIAN_LOWER[(n - 1) % len(RUSSIAN_LOWER)].upper()
    if fmt in ("upperRoman", "I", "lowerRoman", "i"):
        roman = _roman(n)
        return roman if fmt in ("upperRoman", "I") else roman.lower()
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _docx_levels(document) -> dict[str, dict[int, tuple[str, str]]]:
    """numId → level → (numFmt, lvlText) from the file's numbering part (empty if it has none)."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract = {}
    for a in numbering.iter(f"{W}abstractNum"):
        levels = {}
        for lvl in a.iter(f"{W}lvl"):
            fmt = lvl.find(f"{W}numFmt")
            text = lvl.find(f"{W}lvlText")
            levels[int(lvl.get(f"{W}ilvl", "0"))] = (
                fmt.get(f"{W}val") if fmt is not None else "decimal",
                text.get(f"{W}val") if text is not None else "",
            )
        abstract[a.get(f"{W}abstractNumId")] = levels
    nums = {}
    for num in numbering.iter(f"{W}num"):
        ref = num.find(f"{W}abstractNumId")
        if ref is not None:
            nums[num.get(f"{W}numId")] = abstract.get(ref.get(f"{W}val"), {})
    return nums


def read_docx(data: bytes) -> list[Block]:
    """Paragraphs and table rows of a Word file in document order. Automatic list numbers are not in the
    text python-docx reads: they are recomputed from the numbering definitions (bullets get none)."""
    import docx

    document = docx.Document(io.BytesIO(data))
    formats = _docx_levels(document)
    styles = _docx_style_numbering(document)
    counters: dict[str, list[int]] = {}
    blocks = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{W}p":
            text = "".join(
                (t.text or "") if t.tag == f"{W}t" else " " for t in child.iter(f"{W}t", f"{W}tab")
            )
            if text.strip():
                blocks.append(Block(text.strip(), _docx_number(child, counters, formats, styles)))
        elif child.tag == f"{W}tbl":
            for row in child.iter(f"{W}tr"):
                cells = [
                    " ".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in tc.iter(f"{W}p"))
                    for tc in row.iter(f"{W}tc")
                ]
                line = " | ".join(c.strip() for c in cells if c.strip())
                if line:
                    blocks.append(Block(line))
    return blocks


def _docx_style_numbering(document) -> dict[str, tuple[str, int]]:
    """styleId → (numId, ilvl) for paragraph styles that number themselves («List Number», «Список»)."""
    out = {}
    for style in document.styles.element.iter(f"{W}style"):
        num_pr = style.find(f"{W}pPr/{W}numPr")
        if num_pr is None:
            continue
        num_id, ilvl = num_pr.find(f"{W}numId"), num_pr.find(f"{W}ilvl")
        if num_id is not None:
            out[style.get(f"{W}styleId")] = (
                num_id.get(f"{W}val"),
                int(ilvl.get(f"{W}val")) if ilvl is not None else 0,
            )
    return out


def _docx_number(p, counters, formats, styles) -> str:
    num_pr = p.find(f"{W}pPr/{W}numPr")
    style = p.find(f"{W}pPr/{W}pStyle")
    key, level = "", 0
    if style is not None and style.get(f"{W}val") in styles:
        key, level = styles[style.get(f"{W}val")]
    if num_pr is not None:
        num_id, ilvl = num_pr.find(f"{W}numId"), num_pr.find(f"{W}ilvl")
        key = num_id.get(f"{W}val") if num_id is not None else key
        level = int(ilvl.get(f"{W}val")) if ilvl is not None else level
    if not key or key == "0":
        return ""
    levels = counters.setdefault(key, [])
    del levels[level + 1 :]
    while len(levels) <= level:
        levels.append(0)
    levels[level] += 1
    defs = formats.get(key, {})
    fmt, pattern = defs.get(level, ("decimal", ""))
    if fmt in ("bullet", "none"):
        return ""
    if not pattern:
        return ".".join(str(n) for n in levels) + "."
    for k in range(level, -1, -1):
        pattern = pattern.replace(f"%{k + 1}", _format_counter(levels[k], defs.get(k, ("decimal", ""))[0]))
    return pattern.strip()


TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"


def _local(el) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""  # comments have a callable tag


MAX_XML_BYTES = 50 * 1024 * 1024


def _parse_xml(z: zipfile.ZipFile, name: str):
    """One part of the archive, refusing entity expansion, network access and a zip bomb."""
    from lxml import etree

    if z.getinfo(name).file_size > MAX_XML_BYTES:
        raise ValueError(f"{name} too large")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    return etree.fromstring(z.read(name), parser)


def read_odt(data: bytes) -> list[Block]:
    """Headings, paragraphs, list items and table rows of an OpenDocument text; list numbers recomputed from
    the list styles (bullets get none)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = _parse_xml(z, "content.xml")
        styles_root = _parse_xml(z, "styles.xml") if "styles.xml" in z.namelist() else None
    body = root.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
    if body is None:
        raise ValueError("no office:text")
    list_styles = {}
    for tree in (styles_root, root):
        if tree is None:
            continue
        for style in tree.iter(f"{{{TEXT}}}list-style"):
            levels = {}
            for lvl in style:
                level = int(lvl.get(f"{{{TEXT}}}level", "1"))
                if _local(lvl) == "list-level-style-number":
                    levels[level] = (
                        lvl.get(f"{{{STYLE}}}num-format", "1") or "",
                        lvl.get(f"{{{STYLE}}}num-suffix", "."),
                        int(lvl.get(f"{{{TEXT}}}display-levels", "1")),
                    )
                else:
                    levels[level] = None
            list_styles[style.get(f"{{{STYLE}}}name")] = levels
    blocks: list[Block] = []
    _odt_walk(body, blocks, list_styles)
    return blocks


def _odt_text(el) -> str:
    parts = [el.text or ""]
    for child in el:
        tag = _local(child)
        if tag == "s":
            parts.append(" " * int(child.get(f"{{{TEXT}}}c", "1")))
        elif tag in ("tab", "line-break"):
            parts.append(" ")
        elif tag not in ("note", "annotation"):
            parts.append(_odt_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _odt_walk(el, blocks, list_styles):
    for child in el:
        tag = _local(child)
        if tag in ("p", "h"):
            text = _odt_text(child).strip()
            if text:
                blocks.append(Block(text))
        elif tag == "list":
            _odt_list(child, blocks, list_styles, child.get(f"{{{TEXT}}}style-name"), [])
        elif tag == "table":
            for row in child.iter(f"{{{TABLE}}}table-row"):
                cells = [
                    " ".join(_odt_text(p) for p in cell.iter(f"{{{TEXT}}}p"))
                    for cell in row.iter(f"{{{TABLE}}}table-cell")
                ]
                line = " | ".join(c.strip() for c in cells if c.strip())
                if line:
                    blocks.append(Block(line))
        elif tag == "section":
            _odt_walk(child, blocks, list_styles)


def _odt_list(lst, blocks, list_styles, style_name, counters):
    """A (nested) list: the style is the outermost list's unless a nested one names its own."""
    style_name = lst.get(f"{{{TEXT}}}style-name") or style_name
    levels = list_styles.get(style_name, {})
    depth = len(counters) + 1
    counter = 0
    for item in lst:
        if _local(item) not in ("list-item", "list-header"):
            continue
        counter += 1
        number = [*counters, counter]
        first = True
        for part in item:
            ptag = _local(part)
            if ptag in ("p", "h"):
                text = _odt_text(part).strip()
                if text:
                    blocks.append(
                        Block(text, _odt_number(levels.get(depth, ("1", ".", 1)), number) if first else "")
                    )
                    first = False
            elif ptag == "list":
                _odt_list(part, blocks, list_styles, style_name, number)


def _odt_number(level, number) -> str:
    if level is None:  # a bullet
        return ""
    fmt, suffix, shown = level
    if not fmt:
        return ""
    digits = [str(n) for n in number[-shown:-1]] + [_format_counter(number[-1], fmt)]
    return ".".join(digits) + suffix


def read_pdf(data: bytes) -> list[Block]:
    """Text of a PDF with a text layer (a scan has none: refused with a message), split like plain text."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return split_text("\n".join(page.extract_text() or "" for page in reader.pages))


FORMATS = {".docx": read_docx, ".odt": read_odt, ".pdf": read_pdf}


def read_file(name: str, data: bytes) -> list[Block]:
    """Blocks of an uploaded file, by its extension; a clear Russian refusal for anything else or unreadable."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    reader = FORMATS.get(suffix)
    if reader is None:
        raise ValidationError(
            {"file": _("Загрузите файл DOCX, ODT или PDF (старый формат DOC сохраните в Word как DOCX).")}
        )
    try:
        return reader(data)
    except Exception as exc:  # every library raises its own; the citizen-facing answer is one
        raise ValidationError(
            {
                "file": _("Файл не читается как %(fmt)s: проверьте, что он не поврежден.")
                % {"fmt": suffix[1:].upper()}
            }
        ) from exc


# --- Publishing ------------------------------------------------------------------------------------------


@transaction.atomic
def publish_document_version(
    discussion: Discussion,
    text_or_file,
    *,
    title: str = "",
    changes: str = "",
    is_final: bool = False,
    user=None,
    published_at=None,
) -> DocumentVersion:
    """Publish the next редакция of a draft act: text (str) or an uploaded DOCX/ODT/PDF, split into points.

    Refuses, with nothing saved: a discussion that is not on a draft act; a final редакция before the window
    closes or a second one; any редакция after the final; a document with no text.
    """
    if user is not None and not access.is_coordinator(user, discussion.municipality_id):
        raise PermissionDenied(_("Публиковать редакции документа может только координатор."))
    if discussion.kind != Discussion.Kind.DRAFT_ACT:
        raise ValidationError(_("Редакции публикуются только для обсуждения проекта правового акта."))
    # One writer at a time per discussion: numbers are max + 1.
    locked = Discussion.objects.select_for_update().only("pk").get(pk=discussion.pk)
    existing = DocumentVersion.objects.filter(discussion=locked)
    if existing.filter(is_final=True).exists():
        raise ValidationError(_("Итоговая редакция уже опубликована: новые редакции не принимаются."))
    now = published_at or timezone.now()
    if is_final and discussion.status_at(now) != Discussion.Status.CLOSED:
        raise ValidationError({"is_final": _("Итоговая редакция публикуется после завершения обсуждения.")})
    upload = None
    if isinstance(text_or_file, str):
        text = text_or_file
        if len(text) > MAX_TEXT_CHARS:
            raise ValidationError({"text": _("Текст слишком длинный: загрузите его файлом.")})
        blocks = split_text(text)
    elif text_or_file is not None:
        upload = text_or_file
        data = upload.read()
        blocks = read_file(getattr(upload, "name", "") or "", data)
    else:
        raise ValidationError({"text": _("Вставьте текст документа или загрузите файл.")})
    paragraphs = paragraphs_of(blocks)
    if not paragraphs:
        field = "file" if upload is not None else "text"
        raise ValidationError(
            {field: _("В документе не найдено ни одного абзаца текста (скан без текстового слоя?).")}
        )
    if len(paragraphs) > MAX_PARAGRAPHS:
        raise ValidationError(
            _("В документе больше %(n)s абзацев: разделите его на части.") % {"n": MAX_PARAGRAPHS}
        )
    number = (existing.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        discussion=discussion,
        number=number,
        title=(title or "").strip()[:500],
        text="\n\n".join(text for _anchor, text in paragraphs),
        changes=(changes or "").strip(),
        is_final=bool(is_final),
        published_at=now,
        published_by=user if user is not None and user.is_authenticated else None,
    )
    if upload is not None:
        version.file.save(upload.name.rsplit("/", 1)[-1], ContentFile(data), save=False)
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:
        raise ValidationError(
            _("Редакция не опубликована: одновременно опубликована другая, повторите.")
        ) from None
    DocumentParagraph.objects.bulk_create(
        [
            DocumentParagraph(version=version, position=i, anchor=anchor, text=text)
            for i, (anchor, text) in enumerate(paragraphs, start=1)
        ]
    )
    return version
