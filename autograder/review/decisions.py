"""The instructor's decisions about flagged pairs: "cleared" or "confirmed", with a note, kept in OUT.

One line per decision, appended under the class's lock (a class run may be writing beside
the app); the last line of a pair is its decision, the earlier ones its history. A
decision is the instructor's record only: nothing reads it to change a grade.
"""

import csv
from datetime import UTC, datetime

from autograder.classroom.gradebook import as_text
from autograder.folders import ClassFolder

COLUMNS = ["a", "b", "decision", "note", "when"]
CHOICES = ("cleared", "confirmed")


def decide(out, a, b, decision, note):
    """Append the decision about the pair of keys `a` and `b`."""
    folder = ClassFolder(out)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    with folder.lock:
        new = not folder.decisions.exists()
        with open(folder.decisions, "a", newline="") as f:
            writer = csv.writer(f)
            if new:
                writer.writerow(COLUMNS)
            writer.writerow([as_text(a), as_text(b), decision, as_text(note), when])


def decisions(out):
    """{(a, b): the latest line} of the file, keyed as similarity.csv names the students (as_text)."""
    try:
        with open(ClassFolder(out).decisions, newline="") as f:
            return {(line["a"], line["b"]): line for line in csv.DictReader(f)}
    except FileNotFoundError:
        return {}
