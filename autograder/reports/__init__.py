"""What one grading leaves behind: grade.json, results.json, feedback.html, and the terminal table."""
