"""What backprop_spiral adds to the engine: only the numbers its notebook shows.

It reads no data and imports no framework; its hidden tests use NumPy and autograder.testing.
"""


def notebook_values(config):
    """The accuracy target and floor the student notebook shows, from those grading holds it to."""
    accuracy = config.measured["spiral_accuracy"]
    return {"TARGET_ACCURACY": accuracy["target"], "ACCURACY_FLOOR": accuracy.get("floor", accuracy["target"])}
