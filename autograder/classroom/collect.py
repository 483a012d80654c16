"""Finding the submissions in what an instructor downloaded, and whose each one is.

Accepted, in any mix: folders of notebooks, otter export zips, a Gradescope "Export
Submissions" zip or folder (identity from its submission_metadata.yml), and a Canvas
"Download Submissions" zip (identity from the file names it writes).
"""

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from autograder.errors import SubmissionError
from autograder.grading.submission import MAX_BYTES

# Canvas names files `doejane_12345_67890_original-name.ipynb` (`doejane_LATE_...` if late).
CANVAS = re.compile(r"^(?P<name>[^_]+?)(?:_LATE)?_(?P<id>\d+)_\d+_(?P<file>.+)$")
OTTER_TIMESTAMP = re.compile(r"_\d{4}_\d{2}_\d{2}T\d{2}_\d{2}_\d{2}_\d+$")
GRADESCOPE_METADATA = "submission_metadata.yml"
SUFFIXES = (".ipynb", ".zip")
# An LMS download is unpacked only within these bounds (a zip bomb is refused, not unpacked).
MAX_ENTRIES, MAX_UNPACKED_BYTES = 20_000, 4 * 2**30
UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')  # separators, controls, what Windows refuses


@dataclass(frozen=True)
class Submission:
    student: str  # a unique key: the gradebook's first column, and a folder name
    name: str  # who it is, as the source says (may equal student)
    path: Path
    lms_id: str = ""  # the Canvas user id or Gradescope SID, where the source gives one


def collect(paths, inbox):
    """All submissions under `paths`; zips of many submissions are unpacked into `inbox`."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += _folder(path)
        elif zipfile.is_zipfile(path) and _is_collection(path):
            target = inbox / path.stem
            _unpack(path, target)
            found += _folder(target)
        else:
            found.append(one_submission(path))
    return _unique(found)


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
    if target.exists():
        return
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        total, largest = sum(i.file_size for i in infos), max(infos, key=lambda i: i.file_size)
        if len(infos) > MAX_ENTRIES or total > MAX_UNPACKED_BYTES or largest.file_size > MAX_BYTES:
            raise SubmissionError(
                f"{path.name} would unpack to {total / 2**20:.0f} MB in {len(infos)} files (its largest, "
                f"{largest.filename}, {largest.file_size / 2**20:.0f} MB); the kit unpacks at most "
                f"{MAX_UNPACKED_BYTES / 2**30:g} GB, {MAX_ENTRIES} files, {MAX_BYTES / 2**20:g} MB a file"
            )
        z.extractall(target)  # zipfile drops absolute paths and '..' parts


def _folder(folder):
    metadata = next(folder.rglob(GRADESCOPE_METADATA), None)
    if metadata is not None:
        return _gradescope(metadata)
    files = sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file() and not _ignored(p))
    return [one_submission(p) for p in files]


def _ignored(path):
    return any(part.startswith(".") or part == "__MACOSX" for part in path.parts)


def one_submission(path):
    """A single file's submission, named by its Canvas file name or its stem."""
    match = CANVAS.match(path.name)
    if match:
        return Submission(f"{match['name']}_{match['id']}", match["name"], path, match["id"])
    stem = OTTER_TIMESTAMP.sub("", path.stem)
    return Submission(stem, stem, path)


def _gradescope(metadata):
    """One submission per `submission_<id>` folder, named by its submitters."""
    try:
        entries = yaml.safe_load(metadata.read_text()) or {}
    except yaml.YAMLError:
        entries = {}
    found = []
    for folder in sorted(p for p in metadata.parent.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and not _ignored(p))
        if not files:
            files = [folder / "(no notebook)"]
        submitters = (entries.get(folder.name) or {}).get(":submitters") or [{}]
        who = submitters[0]
        student = str(who.get(":sid") or who.get(":email") or folder.name)
        found.append(
            Submission(student, str(who.get(":name") or student), _preferred(files), str(who.get(":sid") or ""))
        )
    return found


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
        unique.append(Submission(key, s.name, s.path, s.lms_id))
    return unique
