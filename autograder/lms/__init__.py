"""The learning-management systems: running inside Gradescope, and its preflight."""
