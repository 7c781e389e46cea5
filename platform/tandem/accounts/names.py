"""Display names that cannot pass for someone else.

Chat shows a person's display name; a member must not appear as a co-lead.
Names are stored without invisible characters (zero-width spaces and joiners,
the right-to-left override and the other bidi controls), with every kind of
space made a plain one; two names are "the same" when they match after NFKC,
case folding and with the spaces taken out.
"""

import unicodedata


def clean_display_name(raw):
    """The name as stored: no invisible or control characters, single plain spaces."""
    kept = []
    for ch in raw or "":
        category = unicodedata.category(ch)
        if category in ("Cf", "Cc", "Co", "Cs", "Cn") and not ch.isspace():
            continue  # zero-width, bidi controls (U+202E and friends), private use
        kept.append(" " if ch.isspace() or category.startswith("Z") else ch)
    return " ".join("".join(kept).split())


def name_key(name):
    """What two names are compared by: NFKC, case-folded, without any spaces."""
    folded = unicodedata.normalize("NFKC", clean_display_name(name)).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] != "Z")
