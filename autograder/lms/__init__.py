"""The learning-management systems: running inside Gradescope, its preflight, Canvas's grade import."""
