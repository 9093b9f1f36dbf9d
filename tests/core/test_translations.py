"""Every user-facing string has a Simplified Chinese translation, compiled and current."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries(path: Path):
    """(msgid, msgid_plural, msgstr, flags) for each entry of a .po file; plural translations joined."""
    entries, current, flags, field = [], None, "", None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if line.startswith("#,"):
            flags = line
        elif line.startswith("msgid "):
            current = {"msgid": _unquote(line[6:]), "msgid_plural": "", "msgstr": "", "flags": flags}
            field = "msgid"
        elif line.startswith("msgid_plural "):
            field = "msgid_plural"
            current["msgid_plural"] += _unquote(line.split(" ", 1)[1])
        elif line.startswith(("msgstr ", "msgstr[")):
            field = "msgstr"
            current["msgstr"] += _unquote(line.split(" ", 1)[1])
        elif line.startswith('"') and current is not None:
            current[field] += _unquote(line)
        elif not line and current is not None:
            entries.append(current)
            current, flags = None, ""
    return [entry for entry in entries if entry["msgid"]]


def _unquote(text: str) -> str:
    return text.strip()[1:-1]


def test_every_message_is_translated_and_not_fuzzy():
    entries = po_entries(CATALOGUE / "django.po")

    untranslated = [entry["msgid"] for entry in entries if not entry["msgstr"]]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]

    assert entries
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_is_not_older_than_its_source():
    po = CATALOGUE / "django.po"
    mo = CATALOGUE / "django.mo"

    assert mo.exists()
    assert mo.stat().st_size > 0
    # git does not keep mtimes, so compare content: every msgid must be in the .mo
    compiled = mo.read_bytes()
    for entry in po_entries(po):
        key = entry["msgid"] + ("\0" + entry["msgid_plural"] if entry["msgid_plural"] else "")
        assert key.encode().replace(b'\\"', b'"').replace(b"\\n", b"\n") in compiled, entry["msgid"]
