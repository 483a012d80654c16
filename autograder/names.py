"""A student's name or file name as the kit shows it: control and bidirectional characters made visible.

Students choose their names (Gradescope) and their files' names (Canvas writes both into the
file name). A right-to-left override (U+202E) in either makes a spreadsheet or a page show
the text reversed, and a terminal obeys control characters. Wherever such a string is shown
(the CSV files, the HTML pages, a reason, the terminal) these characters are escapes
(`\\u202e`), and folder names never hold them (`collect.safe_key`); the original is kept
where the kit needs it: a gradebook row's name and file, written with `shown` and read back
with `unshown`.
"""

import re
from pathlib import PurePath

# C0 and C1 controls (tab and newline kept: code and reasons have them), the bidirectional
# marks, embeddings, overrides and isolates, and the line and paragraph separators.
UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_ESCAPE = re.compile(r"\\u([0-9a-f]{4})")


def shown(value):
    """A string or path as text, each such character as its escape (`\\u202e`); any other value as it
    is (it is the pages' Jinja `finalize`)."""
    if isinstance(value, PurePath):
        value = str(value)
    return UNSHOWN.sub(lambda m: f"\\u{ord(m[0]):04x}", value) if isinstance(value, str) else value


def unshown(text):
    """The string `shown` was given: each escape of such a character back to the character (a name
    that spelt such an escape out itself comes back as the character, which is shown the same)."""
    return _ESCAPE.sub(lambda m: m[0] if not UNSHOWN.fullmatch(c := chr(int(m[1], 16))) else c, text)
