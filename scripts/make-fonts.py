#!/usr/bin/env python3
"""Build the CJK font subsets that cfp-verify embeds in its binary.

Reads the Simplified Chinese faces of Debian's fonts-noto-cjk collections,
subsets them to the scripts a bilingual Chinese/English report needs, adds
the cmap format-12 subtables that typst's font parser relies on, and writes
the fonts plus their licence and a README to the output folder.

Usage: python3 scripts/make-fonts.py [--out fonts]
Needs: apt-get install -y fonts-noto-cjk
       pip install -r scripts/requirements-fonts.txt
"""

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

try:
    import fontTools
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable
except ImportError:
    sys.exit("error: fontTools is missing; install it with "
             "`pip install -r scripts/requirements-fonts.txt`")

REPO = Path(__file__).resolve().parent.parent
REQUIREMENTS = REPO / "scripts" / "requirements-fonts.txt"
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
DEBIAN_PACKAGE = "fonts-noto-cjk"

# (collection, family, subfamily, output file). typst selects the faces by
# these family names, so they are kept exactly as in the originals.
FACES = [
    ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "Regular",
     "NotoSerifCJKsc-Regular-subset.otf"),
    ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC", "Bold",
     "NotoSansCJKsc-Bold-subset.otf"),
]

# Inclusive codepoint ranges kept; the subsetter silently skips codepoints a
# face does not have.
RANGES = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0100, 0x017F),  # Latin Extended-A
    (0x0370, 0x03FF),  # Greek
    (0x2000, 0x206F),  # General Punctuation
    (0x2070, 0x209F),  # Superscripts and Subscripts
    (0x20A0, 0x20CF),  # Currency Symbols
    (0x2100, 0x214F),  # Letterlike Symbols (℃)
    (0x2150, 0x218F),  # Number Forms
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical Operators (× ≥ ≤ ∑)
    (0x2460, 0x24FF),  # Enclosed Alphanumerics (① ②)
    (0x2500, 0x25FF),  # Box Drawing, Block Elements, Geometric Shapes
    (0x2600, 0x26FF),  # Miscellaneous Symbols
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0x3200, 0x32FF),  # Enclosed CJK Letters and Months
    (0x3300, 0x33FF),  # CJK Compatibility
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs, the whole block
    (0xFE30, 0xFE4F),  # CJK Compatibility Forms
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
]

# Characters that must be mapped in every face. 限 包 “ ： were tofu in typst
# before the format-12 fix (their glyph ids are >= 32768); 堃 喆 are rare
# name characters; the rest are symbols the reports use.
MUST_MAP = "限包“：堃喆①℃×≥"

# ttf-parser 0.25 (typst's font parser) reads the glyphIdArray of a cmap
# format-4 subtable as signed 16-bit and drops ids from this one up.
GID_LIMIT_FORMAT4 = 32768


def fail(message):
    sys.exit(f"error: {message}")


def debian_version():
    try:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${db:Status-Status} ${Version}",
             DEBIAN_PACKAGE],
            capture_output=True, text=True, check=False)
    except FileNotFoundError:
        fail("dpkg-query not found: this script expects Debian's "
             f"{DEBIAN_PACKAGE} package (apt-get install -y {DEBIAN_PACKAGE})")
    # A removed package whose config files remain still has a version.
    status, _, version = result.stdout.partition(" ")
    if result.returncode != 0 or status != "installed" or not version:
        fail(f"{DEBIAN_PACKAGE} is not installed; install it with "
             f"`apt-get update && apt-get install -y {DEBIAN_PACKAGE}`")
    return version


def pinned_fonttools_version():
    for line in REQUIREMENTS.read_text().splitlines():
        if line.startswith("fonttools=="):
            return line.split("==", 1)[1].strip()
    fail(f"no fonttools== pin in {REQUIREMENTS}")


def find_face_index(collection_path, family, subfamily):
    """Index of the face named family/subfamily, read from the name table.

    The collections hold one face per region (JP, KR, SC, TC, HK, and Mono
    variants for Sans); their order is an upstream detail, so it is not
    relied on.
    """
    collection = TTCollection(str(collection_path), lazy=True)
    matches = [i for i, face in enumerate(collection.fonts)
               if face["name"].getDebugName(1) == family
               and face["name"].getDebugName(2) == subfamily]
    if len(matches) != 1:
        fail(f"expected one face {family!r} {subfamily!r} in "
             f"{collection_path}, found {len(matches)}")
    return matches[0]


def add_format12(font):
    """Add cmap format-12 subtables carrying the whole mapping.

    pyftsubset keeps only format 4 when every kept codepoint is in the BMP,
    and ttf-parser loses format-4 entries whose glyph id is >= 32768 (see
    GID_LIMIT_FORMAT4), so those characters would render as tofu. ttf-parser
    tries the next Unicode subtable when one has no glyph, and reads format
    12 (32-bit fields) correctly. The format-4 subtables stay for readers
    that only know format 4.
    """
    cmap = font["cmap"]
    mapping = dict(cmap.getBestCmap())
    for platform_id, encoding_id in ((0, 4), (3, 10)):
        if cmap.getcmap(platform_id, encoding_id) is not None:
            fail(f"unexpected existing cmap subtable ({platform_id},"
                 f"{encoding_id}) after subsetting")
        table = CmapSubtable.newSubtable(12)
        table.platformID = platform_id
        table.platEncID = encoding_id
        table.language = 0
        table.cmap = dict(mapping)
        cmap.tables.append(table)
    cmap.tables.sort(key=lambda t: (t.platformID, t.platEncID, t.language))


def build_face(collection, family, subfamily, out_path, unicodes):
    source = NOTO_DIR / collection
    if not source.is_file():
        fail(f"{source} not found; install it with "
             f"`apt-get update && apt-get install -y {DEBIAN_PACKAGE}`")
    index = find_face_index(source, family, subfamily)
    # recalcTimestamp=False keeps head.modified from the original, so two
    # runs give byte-identical files.
    font = TTFont(str(source), fontNumber=index, recalcTimestamp=False)
    created, modified = font["head"].created, font["head"].modified
    print(f"{collection}: face {index} is {family} {subfamily}; subsetting")

    options = subset.Options()
    # All layout features: about 13 KB more than pyftsubset's default list
    # (measured on Sans Bold), and e.g. fwid/pwid/hwid keep working if a
    # template asks for them.
    options.layout_features = ["*"]
    options.hinting = False  # typst renders to PDF; hints are never used
    options.glyph_names = False
    # Keep every name record: copyright, licence and trademark notices (the
    # OFL asks for them to travel with the font) and the Chinese names.
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)

    add_format12(font)
    font["head"].created, font["head"].modified = created, modified
    font.save(str(out_path))
    font.close()


def verify_face(out_path, family, subfamily):
    """Reload the written file and check the cmap fix; return statistics."""
    font = TTFont(str(out_path), lazy=True)
    names = (font["name"].getDebugName(1), font["name"].getDebugName(2))
    if names != (family, subfamily):
        fail(f"{out_path.name}: names are {names}, "
             f"expected {(family, subfamily)}")
    cmap = font["cmap"]
    format4 = {}
    for platform_id, encoding_id in ((0, 3), (3, 1)):
        table = cmap.getcmap(platform_id, encoding_id)
        if table is None or table.format != 4:
            fail(f"{out_path.name}: no format-4 cmap "
                 f"({platform_id},{encoding_id})")
        format4.update(table.cmap)
    for platform_id, encoding_id in ((0, 4), (3, 10)):
        table = cmap.getcmap(platform_id, encoding_id)
        if table is None or table.format != 12:
            fail(f"{out_path.name}: no format-12 cmap "
                 f"({platform_id},{encoding_id})")
        if table.cmap != format4:
            fail(f"{out_path.name}: format-12 cmap ({platform_id},"
                 f"{encoding_id}) differs from the format-4 mapping")
    missing = [c for c in MUST_MAP if ord(c) not in format4]
    if missing:
        fail(f"{out_path.name}: not mapped: {' '.join(missing)}")

    glyph_order = font.getGlyphOrder()
    gid = {name: i for i, name in enumerate(glyph_order)}
    high = sum(1 for name in format4.values()
               if gid[name] >= GID_LIMIT_FORMAT4)
    stats = {
        "copyright": font["name"].getDebugName(0),
        "family": names[0],
        "subfamily": names[1],
        "codepoints": len(format4),
        "glyphs": len(glyph_order),
        "high_gid_codepoints": high,
    }
    font.close()
    return stats


def license_stanza(copyright_text):
    """The de-indented `License: SIL-1.1` stanza of a Debian copyright file."""
    for paragraph in copyright_text.split("\n\n"):
        lines = paragraph.strip("\n").split("\n")
        if lines[0].strip() == "License: SIL-1.1" and len(lines) > 1:
            # copyright-format 1.0: continuation lines start with one space,
            # and " ." stands for an empty line.
            return "\n".join("" if line == " ." else line[1:]
                             for line in lines[1:]) + "\n"
    fail(f"no `License: SIL-1.1` stanza in {DEBIAN_COPYRIGHT}")


def upstream_copyright(copyright_text):
    """The Copyright field of the `Files: *` paragraph, one line per holder."""
    for paragraph in copyright_text.split("\n\n"):
        lines = paragraph.strip("\n").split("\n")
        if lines[0].strip() != "Files: *":
            continue
        holders, in_field = [], False
        for line in lines[1:]:
            if line.startswith("Copyright:"):
                in_field = True
                holders.append(line.split(":", 1)[1].strip())
            elif in_field and line[:1] in (" ", "\t"):
                holders.append(line.strip())
            else:
                in_field = False
        if holders:
            return holders
    fail(f"no Copyright field for `Files: *` in {DEBIAN_COPYRIGHT}")


def write_license(out_dir, version, results):
    if not DEBIAN_COPYRIGHT.is_file():
        fail(f"{DEBIAN_COPYRIGHT} not found; install it with "
             f"`apt-get update && apt-get install -y {DEBIAN_PACKAGE}`")
    text = DEBIAN_COPYRIGHT.read_text(encoding="utf-8")
    lines = ["Fonts in this folder:", ""]
    for filename, s in results:
        lines.append(f"  {filename} ({s['family']} {s['subfamily']})")
        lines.append(f"    Copyright notice in the font: {s['copyright']}")
    lines += [
        "",
        "Copyright according to Debian's copyright file for the fonts:",
        *(f"  Copyright {holder}" for holder in upstream_copyright(text)),
        "",
        "They are subsets made by scripts/make-fonts.py from Debian's",
        f"{DEBIAN_PACKAGE} package version {version}, and are licensed,",
        "like the originals, under the SIL Open Font License 1.1 below",
        f"(the `License: SIL-1.1` stanza of {DEBIAN_COPYRIGHT}).",
        "",
        "",
    ]
    (out_dir / "OFL.txt").write_text("\n".join(lines) + license_stanza(text),
                                     encoding="utf-8")


def write_readme(out_dir, version, fonttools_version, results):
    rows = "\n".join(
        f"| `{filename}` | {s['family']} | {s['subfamily']} | "
        f"{s['codepoints']} | {s['size']:,} | `{s['sha256']}` |"
        for filename, s in results)
    high = ", ".join(f"{s['high_gid_codepoints']} in {s['family']}"
                     for _, s in results)
    readme = f"""# Fonts

Subsets of the Simplified Chinese Noto CJK faces, embedded in the cfp-verify
binary: Noto Serif CJK SC Regular (Song style) for body text, Noto Sans CJK
SC Bold (Hei style) for headings and emphasis. The family names are those of
the originals; typst selects the faces by them.

| File | Family | Style | Codepoints | Bytes | SHA-256 |
| --- | --- | --- | ---: | ---: | --- |
{rows}

Licence: SIL Open Font License 1.1, see [OFL.txt](OFL.txt).

## Regenerating

    apt-get install -y {DEBIAN_PACKAGE}
    pip install -r scripts/requirements-fonts.txt
    python3 scripts/make-fonts.py

Made from Debian's `{DEBIAN_PACKAGE}` {version} with fontTools
{fonttools_version}. The output is byte-identical from run to run (the `head`
timestamps are the originals'), so the hashes above change only if the
package, fontTools or the script do.

The script picks the SC face of each `.ttc` collection by its name table,
keeps Latin, Latin-1, Latin Extended-A, Greek, common punctuation and
symbols, CJK punctuation and compatibility blocks, all of CJK Unified
Ideographs (U+4E00-9FFF) and half/fullwidth forms, with all OpenType layout
features and without hinting.

## cmap format-12 fix

typst reads fonts with ttf-parser 0.25, which reads the glyph ids stored in a
cmap format-4 subtable's glyphIdArray as signed 16-bit numbers and drops
those of 32768 or more. pyftsubset writes only format-4 subtables when every
kept codepoint is in the BMP, and these subsets keep more than 32768 glyphs,
so common characters (限, 包, “, ：…) rendered as tofu. The script therefore
adds format-12 subtables (platform 0/4 and 3/10) holding the full mapping
next to the format-4 ones, and checks that they map every codepoint the
format-4 ones do. Codepoints whose glyph id is >= 32768: {high}.
"""
    (out_dir / "README.md").write_text(readme, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "fonts",
                        help="output folder (default: fonts/ in the repo)")
    args = parser.parse_args()

    version = debian_version()
    pinned = pinned_fonttools_version()
    if fontTools.version != pinned:
        # Other versions work but may give other bytes and sha256 values.
        print(f"warning: fontTools {fontTools.version} is installed, "
              f"{REQUIREMENTS.name} pins {pinned}", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)

    unicodes = {c for first, last in RANGES for c in range(first, last + 1)}
    results = []
    for collection, family, subfamily, filename in FACES:
        out_path = args.out / filename
        build_face(collection, family, subfamily, out_path, unicodes)
        stats = verify_face(out_path, family, subfamily)
        data = out_path.read_bytes()
        stats["size"] = len(data)
        stats["sha256"] = hashlib.sha256(data).hexdigest()
        results.append((filename, stats))

    write_license(args.out, version, results)
    write_readme(args.out, version, fontTools.version, results)

    print(f"\n{DEBIAN_PACKAGE} {version}, fontTools {fontTools.version}")
    for filename, s in results:
        print(f"{filename}: family {s['family']!r}, subfamily "
              f"{s['subfamily']!r}, {s['codepoints']} codepoints, "
              f"{s['glyphs']} glyphs, {s['high_gid_codepoints']} codepoints "
              f"with glyph id >= {GID_LIMIT_FORMAT4}, {s['size']:,} bytes, "
              f"sha256 {s['sha256']}")


if __name__ == "__main__":
    main()
