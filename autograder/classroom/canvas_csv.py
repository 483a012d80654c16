"""canvas_grades.csv: the class's totals in the layout of Canvas's gradebook import.

Written when a class run is given `--canvas-csv`, and kept as the class is settled from then on
(classroom.settle): an adjustment or a manual grade in the review app is in it at once.
"""

import csv

from autograder.classroom.gradebook import as_text


def write_canvas_csv(rows, path, config):
    """Totals in the layout of Canvas's gradebook import (matched on Canvas's user ID); returns warnings.

    A row without a Canvas user ID (its file was not named by Canvas's download) cannot be
    matched by Canvas: it is left out of the file and named in a warning.
    """
    columns = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", config.assignment]
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerow(["Points Possible", "", "", "", "", f"{sum(config.points.values()):g}"])
        for row in rows:
            if row.lms_id:
                writer.writerow([as_text(row.name), as_text(row.lms_id), "", "", "", f"{row.total:g}"])
    unmatched = [row.student for row in rows if not row.lms_id]
    if not unmatched:
        return []
    return [
        f"{path.name}: {len(unmatched)} submission(s) without a Canvas user ID left out ({', '.join(unmatched[:10])}): "
        "their file names are not Canvas's `name_userid_submissionid_file`; enter their grades by hand"
    ]
