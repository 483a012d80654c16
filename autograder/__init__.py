"""Autograded assignment kit for the Deep Learning Primer module.

solutions/ -> build -> assignments/ + dist/;  submissions -> grade -> results/gradebook.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
