"""The compatibility table in Markdown: `python -m tests.otter_compat.report OUT.md MASTER...`.

For each master, each submission: otter's score per question, the kit's, or the kit's error;
then the distinct kit errors with their counts. The masters may be anyone's (otter's own, copied
to a scratch folder): the report is for reading, and is not committed.
"""

import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.otter_compat.harness import compare, kit_failure

QUOTED = re.compile(r"'[^']*'")  # a question's name in an error line
HEADER = ["| master | submission | otter | kit | verdict |", "|---|---|---|---|---|"]


def cell(graded):
    """A grader's verdict as a table cell."""
    if graded is None:
        return "-"
    if graded.error:
        return f"error: {graded.error}"
    return "<br>".join(f"{q} {s:g}/{m:g}" for q, (s, m) in graded.questions.items()) + f"<br>**total {graded.total:g}**"


def rows(comparison):
    """The table's rows for one master."""
    if comparison.otter_error:
        return [f"| {comparison.master} | - | otter: {comparison.otter_error} | - | otter failed |"]
    out = []
    for name, otter in comparison.otter.items():
        failure = kit_failure(comparison, name)
        kit = f"error: {comparison.kit_error}" if comparison.kit_error else cell(comparison.kit.get(name))
        verdict = "match" if failure is None else ("differs" if failure.startswith("scores") else "kit error")
        out.append(f"| {comparison.master} | {name} | {cell(otter)} | {kit} | {verdict} |")
    return out


def error_counts(comparisons):
    """Each distinct kit failure line (scores left out), its names made general, with how many
    submissions and masters met it: one cause reads as one line, whichever master met it."""
    lines, masters = Counter(), {}
    for c in comparisons:
        for name in c.otter:
            failure = kit_failure(c, name)
            if failure and not failure.startswith("scores"):
                line = QUOTED.sub("'…'", failure.replace(c.master, "NAME"))
                lines[line] += 1
                masters.setdefault(line, set()).add(c.master)
    return [(line, n, sorted(masters[line])) for line, n in lines.most_common()]


def main(out, *masters):
    comparisons, started = [], time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for i, master in enumerate(masters):
            comparisons.append(compare(Path(master), Path(tmp) / str(i)))
    table = [line for c in comparisons for line in rows(c)]
    errors = [f"- {n} submissions ({', '.join(m)}): `{line}`" for line, n, m in error_counts(comparisons)]
    seconds = round(time.monotonic() - started)
    text = ["# The kit against otter 7", "", f"{len(masters)} masters, {seconds} s.", "", *HEADER, *table]
    Path(out).write_text("\n".join([*text, "", "## The kit's errors", "", *errors, ""]))


if __name__ == "__main__":
    main(*sys.argv[1:])
