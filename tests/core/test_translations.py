"""Every interface string is translated, with the right plural forms."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = {"fi": 2, "sv": 2, "nl": 2, "fr": 2, "ar": 6, "fa": 2, "uk": 4, "tr": 2, "so": 2}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def catalogue(language):
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_string_is_translated(language):
    po = catalogue(language)
    assert len(po) > 0
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{language}: {len(untranslated)} untranslated: {untranslated[:5]}"
    assert not fuzzy, f"{language}: fuzzy: {fuzzy[:5]}"


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_plural_forms_are_right(language):
    po = catalogue(language)
    nplurals = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    assert nplurals == LANGUAGES[language]
    for entry in po:
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            assert sorted(forms) == list(range(nplurals)), (language, entry.msgid)
            assert all(forms[i].strip() for i in forms), (language, entry.msgid)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_placeholders_survive_translation(language):
    for entry in catalogue(language):
        source = set(PLACEHOLDER.findall(entry.msgid)) | set(
            PLACEHOLDER.findall(entry.msgid_plural or "")
        )
        targets = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for target in targets:
            found = set(PLACEHOLDER.findall(target))
            assert found <= source, (language, entry.msgid, target)
            if not entry.msgid_plural:
                assert found == source, (language, entry.msgid, target)


def test_compiled_catalogues_load():
    from django.utils import translation

    with translation.override("ar"):
        assert translation.gettext("My spaces") != "My spaces"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_catalogues_hold_every_string_of_the_source(tmp_path):
    """A string added to the code but not to the catalogues fails here.

    makemessages writes into the ``locale`` folder beside the sources it
    walks, so it runs on a copy of the sources, never on the project itself.
    """
    source = tmp_path / "src"
    for part in ("platform", "templates", "static"):
        shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", source / "manage.py")
    shutil.copytree(ROOT / "locale" / "fi", source / "locale" / "fi")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fi", "--no-location"],
        cwd=source,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = {e.msgid for e in polib.pofile(str(source / "locale/fi/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in catalogue("fi")}
    missing = sorted(fresh - known)
    assert not missing, f"run `make messages` and translate: {missing[:10]}"
