"""Finding the submissions in what an instructor downloaded, and whose each one is.

Accepted, in any mix: folders of notebooks, otter export zips, a Gradescope "Export
Submissions" zip or folder (identity and submission time from its submission_metadata.yml),
and a Canvas "Download Submissions" zip (identity and LATE mark from the file names it
writes). Every file found is either a submission or `Ignored`, with the reason: an
instructor must be able to tell that nothing was lost.
"""

import csv
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import yaml

from autograder.bridge.weights_file import SUFFIX as WEIGHTS_SUFFIX
from autograder.errors import InputError, SubmissionError
from autograder.grading.submission import MAX_BYTES, assignment_named
from autograder.names import UNSHOWN

# Canvas names files `doejane_12345_67890_original-name.ipynb` (`doejane_LATE_...` or `doejane_late_...` if late).
CANVAS = re.compile(r"^(?P<name>[^_]+?)(?P<late>_(?:LATE|late))?_(?P<id>\d+)_\d+_(?P<file>.+)$")
OTTER_TIMESTAMP = re.compile(r"_\d{4}_\d{2}_\d{2}T\d{2}_\d{2}_\d{2}_\d+$")
GRADESCOPE_METADATA = "submission_metadata.yml"
SUFFIXES = (".ipynb", ".zip")
# An LMS download is unpacked only within these bounds (a zip bomb is refused, not unpacked);
# an entry larger than a submission may be is left packed and listed as ignored.
MAX_ENTRIES, MAX_UNPACKED_BYTES = 20_000, 4 * 2**30
# Separators, controls, what Windows refuses, and what names.shown escapes (bidirectional marks).
UNSAFE = re.compile(rf'(?:[\x00-\x1f/\\:*?"<>|]|{UNSHOWN.pattern})+')


@dataclass(frozen=True)
class Submission:
    student: str  # a unique key: the gradebook's first column, and a folder name
    name: str  # who it is, as the source says (may equal student)
    path: Path
    lms_id: str = ""  # the Canvas user id or Gradescope SID, where the source gives one
    submitted_at: datetime | None = None  # when the LMS received it (Gradescope), if known
    marked_late: bool = False  # the LMS says it is late (Canvas), without saying by how much


@dataclass(frozen=True)
class Ignored:
    path: Path
    why: str


def write_ignored(path, ignored):
    """The files a run passed over, and why (ignored.csv): the summary and the review app list them."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "why"])
        writer.writerows([str(i.path), i.why] for i in ignored)


def read_ignored(path):
    """What write_ignored wrote; none if it is not there."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return [Ignored(Path(line["path"]), line["why"]) for line in csv.DictReader(f)]
    except FileNotFoundError:
        return []


def collect(paths, inbox):
    """All submissions under `paths`, and every other file found with why it is not one.

    Zips of many submissions are unpacked into `inbox`. A missing path is an `InputError`
    before anything is unpacked.
    """
    paths = require_existing(paths)
    found, ignored = [], []
    for path in paths:
        if path.is_dir():
            _add(_folder(path), found, ignored)
        elif zipfile.is_zipfile(path) and _is_collection(path):
            target = inbox / path.stem
            ignored += _unpack(path, target)
            _add(_folder(target), found, ignored)
        else:
            found.append(one_submission(path))
    return _unique(found), ignored


def of_assignment(submissions, name, known_as=()):
    """The submissions of the assignment `name` (or named `known_as`: config.known_as), and the files
    that name another one in their notebook's metadata, ignored with why. A file that names none (not
    a notebook, say) stays: its grading says what is wrong with it."""
    kept, ignored = [], []
    for submission in submissions:
        named = assignment_named(submission.path, name)
        if named in (None, name, *known_as):
            kept.append(submission)
        else:
            why = f"a notebook of the assignment {named!r}, not {name!r}: grade it with --assignment {named}"
            ignored.append(Ignored(submission.path, why))
    return kept, ignored


def require_existing(paths):
    """`paths` as Paths, each existing; else an InputError naming those that do not."""
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError(f"no such file or folder: {', '.join(missing)}")
    return paths


def _add(folder, found, ignored):
    submissions, skipped = folder
    found += submissions
    ignored += skipped


def is_one_submission(path):
    """A single notebook or export zip (or a missing file), as opposed to a class's worth."""
    return not Path(path).is_dir() and not (zipfile.is_zipfile(path) and _is_collection(path))


def _is_collection(path):
    """A zip of many submissions, rather than one student's export zip."""
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if not n.endswith("/") and "__MACOSX" not in n]
    if any(Path(n).name == GRADESCOPE_METADATA for n in names):
        return True
    return sum(n.endswith(SUFFIXES) for n in names) > 1 and any(CANVAS.match(Path(n).name) for n in names)


def _unpack(path, target):
    """Unpack an LMS download into `target` (once), but its entries over MAX_BYTES: those are `Ignored`
    (named inside the zip), and the others are graded. Bounds on the whole refuse it whole."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        kept = [i for i in infos if i.file_size <= MAX_BYTES]
        total = sum(i.file_size for i in kept)
        if len(infos) > MAX_ENTRIES or total > MAX_UNPACKED_BYTES:
            raise SubmissionError(
                f"{path.name} would unpack to {total / 2**20:.0f} MB in {len(infos)} files; the kit unpacks "
                f"at most {MAX_UNPACKED_BYTES / 2**30:g} GB, {MAX_ENTRIES} files"
            )
        if not target.exists():
            z.extractall(target, kept)  # zipfile drops absolute paths and '..' parts
    return [
        Ignored(
            path / i.filename,
            f"{i.file_size / 2**20:.0f} MB unpacked, over the {MAX_BYTES / 2**20:g} MB a submission may be",
        )
        for i in infos
        if i not in kept
    ]


def _folder(folder):
    """(submissions, ignored files) in a folder: a Gradescope export, or any folder of notebooks."""
    metadata = next(folder.rglob(GRADESCOPE_METADATA), None)
    if metadata is not None:
        return _gradescope(metadata)
    submissions, ignored = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        why = _why_ignored(path.relative_to(folder))
        if why:
            ignored.append(Ignored(path, why))
        else:
            submissions.append(one_submission(path))
    return submissions, ignored


def _why_ignored(relative):
    """Why a file in a class's folder is not a submission ("" when it is one)."""
    if any(part == "__MACOSX" for part in relative.parts):
        return "a macOS resource file"
    if any(part == ".ipynb_checkpoints" for part in relative.parts):
        return "a Jupyter checkpoint copy"
    if any(part.startswith(".") for part in relative.parts):
        return "a hidden file"
    if relative.name.endswith(WEIGHTS_SUFFIX):
        return "a model's weights: graded with the notebook beside it where that is alone in its folder"
    if relative.suffix not in SUFFIXES:
        return "not a notebook (.ipynb) or an otter export (.zip)"
    return ""


def one_submission(path):
    """A single file's submission, named by its Canvas file name or its stem."""
    match = CANVAS.match(path.name)
    if match:
        return Submission(
            f"{match['name']}_{match['id']}", match["name"], path, match["id"], marked_late=bool(match["late"])
        )
    stem = OTTER_TIMESTAMP.sub("", path.stem)
    return Submission(stem, stem, path)


def _gradescope(metadata):
    """One submission per `submission_<id>` folder, named by its submitters; its other files are ignored."""
    try:
        entries = yaml.safe_load(metadata.read_text()) or {}
    except yaml.YAMLError:
        entries = {}
    found, ignored = [], []
    for folder in sorted(p for p in metadata.parent.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        candidates = [p for p in files if not _why_ignored(p.relative_to(folder))]
        chosen = _preferred(candidates) if candidates else folder / "(no notebook)"
        for path in files:
            if path != chosen:
                why = (
                    _why_ignored(path.relative_to(folder))
                    or f"another file of {folder.name}, whose {chosen.name} is graded"
                )
                ignored.append(Ignored(path, why))
        entry = entries.get(folder.name) if isinstance(entries, dict) else None
        entry = entry if isinstance(entry, dict) else {}
        who = (entry.get(":submitters") or [{}])[0]
        student = str(who.get(":sid") or who.get(":email") or folder.name)
        found.append(
            Submission(
                student,
                str(who.get(":name") or student),
                chosen,
                str(who.get(":sid") or ""),
                submitted_at=_instant(entry.get(":created_at")),
            )
        )
    return found, ignored


def _instant(value):
    """Gradescope's created_at (YAML reads it as a datetime; a string is parsed), None if not a time."""
    if isinstance(value, datetime):
        return value
    try:
        text = re.sub(r"(\.\d{6})\d+", r"\1", str(value))  # nanoseconds: Python reads micro
        return datetime.fromisoformat(re.sub(r" ([+-]\d\d:?\d\d)$", r"\1", text))
    except ValueError:
        return None


def _preferred(files):
    notebooks = [f for f in files if f.suffix == ".ipynb"]
    return (notebooks or files)[0]


def safe_key(identity):
    """An identity as a file name: no separators, no leading dot or dash, bounded ("../../x" -> "x")."""
    return UNSAFE.sub("_", identity).strip("._- ")[:80] or "submission"


def _unique(found):
    """Keys safe as folder names, unique: two submissions of one student get `x` and `x-2`."""
    seen, unique = set(), []
    for s in found:
        base = safe_key(s.student)
        key, n = base, 1
        while key in seen:
            n += 1
            key = f"{base}-{n}"
        seen.add(key)
        unique.append(replace(s, student=key))
    return unique
