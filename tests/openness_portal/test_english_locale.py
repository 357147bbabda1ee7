"""The English locale: pages switch to English by Accept-Language or the language cookie, Russian stays
the default, and every entry of locale/en/LC_MESSAGES/django.po is translated (no empty msgstr, no fuzzy).

The .po is parsed with a tiny stdlib parser: CI machines have neither msgfmt nor polib.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

ENGLISH_CHROME = ["Skip to content", "Roadmaps", "Open data", "Public councils", "Staff login", "Language"]
RUSSIAN_CHROME = ["Перейти к содержанию", "Дорожные карты", "Открытые данные", "Вход для сотрудников"]


# --- .po parsing ------------------------------------------------------------------------------------------


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgid, msgid_plural, msgstr (list of forms), flags, obsolete."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and ("msgid" in entry):
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            keyword, index, literal = match.groups()
            if keyword.startswith("msgstr"):
                field = ("msgstr", int(index) if index is not None else 0)
                entry["msgstr"][field[1]] = ast.literal_eval(literal)
            else:
                field = (keyword, None)
                entry[keyword] = ast.literal_eval(literal)
        elif line.startswith('"') and field is not None:
            name, index = field
            if name == "msgstr":
                entry["msgstr"][index] += ast.literal_eval(line)
            else:
                entry[name] += ast.literal_eval(line)
        else:
            raise AssertionError(f"unparsable .po line: {raw!r}")
    finish()
    return entries


def _entries():
    return [e for e in parse_po(PO_FILE) if not e["obsolete"]]


def test_po_and_mo_exist():
    assert PO_FILE.is_file(), "run makemessages -l en"
    assert MO_FILE.is_file(), "run compilemessages -l en (the .mo is committed: CI has no msgfmt)"
    assert MO_FILE.stat().st_size > 0


def test_po_header_is_english_with_two_plural_forms():
    header = next(e for e in _entries() if e["msgid"] == "")
    text = header["msgstr"][0]
    assert "Language: en\n" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text
    assert "fuzzy" not in header["flags"]


def test_every_po_entry_is_translated_and_not_fuzzy():
    entries = [e for e in _entries() if e["msgid"]]
    assert len(entries) > 500  # the whole interface, not a stub
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries: {fuzzy[:10]}"
    empty = []
    for e in entries:
        forms = 2 if "msgid_plural" in e else 1
        if any(not e["msgstr"].get(i, "").strip() for i in range(forms)):
            empty.append(e["msgid"])
    assert not empty, f"untranslated entries: {empty[:10]}"


PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|%%|\{\w*\}")


def test_translations_keep_placeholders():
    broken = []
    for e in _entries():
        if not e["msgid"]:
            continue
        source = PLACEHOLDER.findall(e.get("msgid_plural", e["msgid"]))
        for text in e["msgstr"].values():
            if sorted(PLACEHOLDER.findall(text)) != sorted(source):
                broken.append(e["msgid"])
    assert not broken, f"placeholders differ: {broken[:10]}"


def test_mo_is_not_older_than_po_content():
    """The committed .mo must hold every translated msgid of the .po (i.e. compilemessages was re-run)."""
    from gettext import GNUTranslations

    with MO_FILE.open("rb") as fh:
        catalog = GNUTranslations(fh)._catalog
    compiled = {key[0] if isinstance(key, tuple) else key for key in catalog}
    missing = [e["msgid"] for e in _entries() if e["msgid"] and e["msgid"] not in compiled]
    assert not missing, f"not in django.mo (re-run compilemessages): {missing[:10]}"


# --- pages ----------------------------------------------------------------------------------------------


def _roadmap_url(demo_data):
    roadmap = next(iter(demo_data["roadmaps"].values()))
    return f"/m/{roadmap.municipality.slug}/roadmaps/{roadmap.pk}/"


@pytest.mark.django_db
def test_home_page_in_english_by_accept_language(client, demo_data):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in ENGLISH_CHROME:
        assert text in html, text
    assert "Перейти к содержанию" not in html
    assert "Openness roadmaps of local governments" in html
    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_roadmap_page_in_english_by_language_cookie(client, demo_data):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(_roadmap_url(demo_data))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in ENGLISH_CHROME + ["Roadmap measures", "Filter measures", "Deadline", "Responsible", "Show"]:
        assert text in html, text
    for text in ["Перейти к содержанию", "Мероприятия дорожной карты", "Отбор мероприятий"]:
        assert text not in html, text


@pytest.mark.django_db
def test_russian_stays_when_asked_for_and_by_default(client, demo_data):
    url = _roadmap_url(demo_data)
    for kwargs in ({}, {"HTTP_ACCEPT_LANGUAGE": "ru"}):
        for path in ("/", url):
            html = client.get(path, **kwargs).content.decode()
            assert '<html lang="ru">' in html, (path, kwargs)
            for text in RUSSIAN_CHROME:
                assert text in html, (path, kwargs, text)
            assert "Skip to content" not in html

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()  # the cookie wins over the header
    assert '<html lang="ru">' in html
    assert "Мероприятия дорожной карты" in html


@pytest.mark.django_db
def test_language_link_switches_a_roadmap_page_to_english_and_back(client, demo_data):
    url = _roadmap_url(demo_data)
    html = client.get(url).content.decode()
    assert '<html lang="ru">' in html
    # The footer links to the other language.
    link = re.search(r'<a href="([^"]+)" lang="en" hreflang="en">', html)
    assert link, "no link to the English version in the footer"
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 302 and response["Location"] == url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    html = client.get(url).content.decode()
    assert '<html lang="en">' in html and "Skip to content" in html and "Roadmap measures" in html
    assert re.search(r'<a href="[^"]+" lang="ru" hreflang="ru">Русский</a>', html)

    client.get(f"/language/?language=ru&next={url}")
    html = client.get(url).content.decode()
    assert '<html lang="ru">' in html and "Мероприятия дорожной карты" in html


@pytest.mark.django_db
def test_cached_roadmap_page_is_kept_per_language(client, demo_data):
    """Whole roadmap pages are cached: a Russian copy must never be served to an English reader (and back)."""
    url = _roadmap_url(demo_data)
    for _round in range(2):  # the second round is served from the cache
        ru = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="ru">' in ru and "Мероприятия дорожной карты" in ru and "Skip to content" not in ru
        assert '<html lang="en">' in en and "Roadmap measures" in en and "Перейти к содержанию" not in en
