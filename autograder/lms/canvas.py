"""Canvas's gradebook import: the class's totals as a CSV Canvas reads back."""

import csv

from autograder.classroom.gradebook import as_text


def write_canvas_csv(rows, path, config):
    """Totals in the layout of Canvas's gradebook import (matched on Canvas's user ID)."""
    columns = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", config.assignment]
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerow(["Points Possible", "", "", "", "", f"{sum(config.points.values()):g}"])
        for row in rows:
            writer.writerow([as_text(row.name), as_text(row.lms_id), "", "", "", f"{row.total:g}"])
