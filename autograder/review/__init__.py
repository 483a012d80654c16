"""The instructor's review app: a graded class's out folder in a browser (`python -m autograder serve OUT`)."""
