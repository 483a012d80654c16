"""solutions/ -> assignments/ + dist/: otter assign, made byte-stable, plus the Gradescope zip."""
