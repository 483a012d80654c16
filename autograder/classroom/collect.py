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

# Canvas names files `doejane_12345_67890_original-name.ipynb` (`doejane_LATE_...` if late).
CANVAS = re.compile(r"^(?P<name>[^_]+?)(?:_LATE)?_(?P<id>\d+)_\d+_(?P<file>.+)$")
OTTER_TIMESTAMP = re.compile(r"_\d{4}_\d{2}_\d{2}T\d{2}_\d{2}_\d{2}_\d+$")
GRADESCOPE_METADATA = "submission_metadata.yml"
SUFFIXES = (".ipynb", ".zip")


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
    if not target.exists():
        with zipfile.ZipFile(path) as z:
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


def _unique(found):
    """Two submissions of one student get keys `x` and `x-2`."""
    seen, unique = set(), []
    for s in found:
        key, n = s.student, 1
        while key in seen:
            n += 1
            key = f"{s.student}-{n}"
        seen.add(key)
        unique.append(Submission(key, s.name, s.path, s.lms_id))
    return unique
