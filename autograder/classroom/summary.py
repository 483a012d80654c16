"""The class at a glance: score distribution and per-question pass rates.

Written as summary.png (matplotlib) and summary.html (which shows the plot, the numbers
and every submission that was not graded, with its reason).
"""

import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from jinja2 import Environment

PAGE = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string("""\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ assignment }}: class summary</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; }
table { border-collapse: collapse; } td, th { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: left; }
img { max-width: 100%; }
</style></head><body>
<h1>{{ assignment }}: class summary</h1>
<p id="counts">{{ n }} submissions: {{ graded }} graded, {{ n - graded }} not graded.
{% if scores %}Mean {{ "%.2f"|format(mean) }}, median {{ "%.2f"|format(median) }} of {{ "%g"|format(possible) }} points.{% endif %}</p>
<img src="summary.png" alt="Score distribution and per-question pass rates">
<h2>Questions</h2>
<table id="questions"><tr><th>question</th><th>points</th><th>mean</th><th>full marks</th></tr>
{% for q in questions %}<tr><td>{{ q.name }}</td><td>{{ "%g"|format(q.points) }}</td><td>{{ "%.2f"|format(q.mean) }}</td><td>{{ "%.0f"|format(100 * q.rate) }}%</td></tr>
{% endfor %}</table>
{% if problems %}<h2>Not graded</h2>
<table id="problems"><tr><th>student</th><th>status</th><th>reason</th></tr>
{% for r in problems %}<tr><td>{{ r.student }}</td><td>{{ r.status }}</td><td>{{ r.error }}</td></tr>{% endfor %}
</table>{% endif %}
</body></html>
""")


def write_summary(rows, out, config):
    graded = [r for r in rows if r.graded]
    scores = [r.total for r in graded]
    possible = sum(config.points.values())
    questions = [
        {
            "name": name,
            "points": points,
            "mean": statistics.fmean(r.scores[name] for r in graded) if graded else 0.0,
            "rate": sum(r.scores[name] >= points for r in graded) / len(graded) if graded else 0.0,
        }
        for name, points in config.points.items()
    ]
    _plot(scores, possible, questions, out / "summary.png")
    (out / "summary.html").write_text(
        PAGE.render(
            assignment=config.assignment,
            n=len(rows),
            graded=len(graded),
            scores=scores,
            possible=possible,
            mean=statistics.fmean(scores) if scores else 0,
            median=statistics.median(scores) if scores else 0,
            questions=questions,
            problems=[r for r in rows if not r.graded],
        )
    )


def _plot(scores, possible, questions, path):
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.hist(scores, bins=[i * possible / 10 for i in range(11)], color="#4c72b0", edgecolor="white")
    left.set(title="Score distribution", xlabel="points", ylabel="submissions", xlim=(0, possible))
    right.barh([q["name"] for q in questions], [100 * q["rate"] for q in questions], color="#55a868")
    right.set(title="Full marks per question", xlabel="% of graded submissions", xlim=(0, 100))
    right.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
