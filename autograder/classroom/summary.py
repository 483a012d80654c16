"""The class at a glance: grades, what the class got wrong, and what the grader measured.

Written as summary.png (matplotlib: the grade distribution, full marks per question, and
each value the grader measures (the config's `measured`) against its target) and summary.html, which shows the plot, the
means, the tests failed most often (the teaching signal), every student with a link to
their feedback page, every submission not graded with its reason, every file ignored, and a
link to similarity.html (similarity/compare).
"""

import statistics
from collections import Counter

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from jinja2 import Environment
from matplotlib.ticker import MaxNLocator

from autograder.classroom.reproduce import read_reproduced
from autograder.folders import ClassFolder
from autograder.names import shown
from autograder.reports.text import measured_name

MOST_FAILED = 10

PAGE = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, finalize=shown).from_string("""\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ assignment }}: class summary</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; }
table { border-collapse: collapse; } td, th { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } img { max-width: 100%; } tr.flagged { background: #fff4e5; }
</style></head><body>
<h1>{{ assignment }}: class summary</h1>
<p id="counts">{{ n }} submissions: {{ graded|length }} graded, {{ n - graded|length }} not graded{% if ignored %}; {{ ignored|length }} other files ignored (listed below){% endif %}.
Mean grade {{ "%.2f"|format(mean_all) }} of {{ "%g"|format(possible) }} over all {{ n }} submissions (those not graded count as 0){% if graded %}, {{ "%.2f"|format(mean_graded) }} over the graded ones (median {{ "%.2f"|format(median_graded) }}){% endif %}.</p>
<p id="similarity"><a href="similarity.html">Similar answers</a>: which submissions share their answer code, pairs ranked, side by side (never a grade change).</p>
<img src="summary.png" alt="Grade distribution, full marks per question{% for m in measured %}, {{ m.title|lower }} against the target{% endfor %}">
<h2>Questions</h2>
<table id="questions"><tr><th>question</th><th>points</th><th>mean (graded)</th><th>full marks</th></tr>
{% for q in questions %}<tr><td>{{ q.name }}</td><td class="n">{{ "%g"|format(q.points) }}</td><td class="n">{{ "%.2f"|format(q.mean) }}</td><td class="n">{{ "%.0f"|format(100 * q.rate) }}%</td></tr>
{% endfor %}</table>
<h2>Tests failed most often</h2>
{% if failed %}<table id="most-failed"><tr><th>question</th><th>test</th><th>failed by</th></tr>
{% for (question, test), count in failed %}<tr><td>{{ question }}</td><td>{{ test }}</td><td class="n">{{ count }} of {{ graded|length }}</td></tr>
{% endfor %}</table>{% else %}<p>No graded submission failed a test.</p>{% endif %}
{% for m in measured %}<h2>{{ m.title }} against the target</h2>
<table id="measured-{{ m.name }}"><tr><th>{{ m.title|lower }}, measured by the grader</th><th>submissions</th></tr>
<tr><td>at or above the target, {{ "%.3f"|format(m.target) }}</td><td class="n">{{ m.passed }}</td></tr>
<tr><td>between the floor, {{ "%.3f"|format(m.floor) }}, and the target (partial credit)</td><td class="n">{{ m.partial }}</td></tr>
<tr><td>below the floor</td><td class="n">{{ m.below }}</td></tr>
<tr><td>not measured (not graded, or its test did not get that far)</td><td class="n">{{ m.none }}</td></tr></table>
{% endfor %}
<h2>Students</h2>
<table id="students"><tr><th>student</th><th>name</th><th>status</th><th>tests</th><th>adjustments</th><th>late</th><th>grade</th>{% for m in measured %}<th>{{ m.title|lower }}</th>{% endfor %}{% if weights %}<th>model</th>{% endif %}<th>feedback</th></tr>
{% for r in rows %}<tr><td>{{ r.student }}</td><td>{{ r.name }}</td><td>{{ r.status }}</td><td class="n">{{ "%.2f"|format(r.tested) }}</td>
<td class="n">{{ "%+.2f"|format(r.adjustments) if r.adjustments else "" }}</td><td>{{ ("%d day(s), %+.2f"|format(r.days_late, -r.late_penalty)) if r.days_late else "" }}</td>
<td class="n">{{ "%.2f"|format(r.total) }}</td>{% for m in measured %}<td class="n">{{ "%.4f"|format(r.measured[m.name]) if r.measured.get(m.name) is not none else "" }}</td>{% endfor %}
{% if weights %}<td>{{ r.model }}</td>{% endif %}<td><a href="students/{{ r.student|urlencode }}/feedback.html">feedback</a></td></tr>
{% endfor %}</table>
{% if reproduced %}<h2>Weights checked by training again</h2>
<p>Each of these submissions handed in its model's weights, and was trained again from its notebook
(<code>grade --reproduce</code>). A value above its reproduction by more than the spread is flagged for
you to look at: its grade is what the handed-in weights measured.</p>
<table id="reproduced"><tr><th>student</th><th>measured</th><th>loaded</th><th>trained again</th><th></th></tr>
{% for r in reproduced %}<tr{% if r.flagged %} class="flagged"{% endif %}><td>{{ r.student }}</td><td>{{ r.measured }}</td>
<td class="n">{{ "%.4f"|format(r.loaded) if r.loaded is not none else "" }}</td><td class="n">{{ "%.4f"|format(r.reproduced) if r.reproduced is not none else "not measured" }}</td>
<td>{{ "⚑ above its reproduction by more than %g"|format(spread[r.measured]) if r.flagged else "as trained again" }}</td></tr>
{% endfor %}</table>{% endif %}
{% if problems %}<h2>Not graded</h2>
<table id="problems"><tr><th>student</th><th>status</th><th>reason</th></tr>
{% for r in problems %}<tr><td>{{ r.student }}</td><td>{{ r.status }}</td><td>{{ r.error }}</td></tr>{% endfor %}
</table>{% endif %}
{% if ignored %}<h2>Ignored files</h2>
<table id="ignored"><tr><th>file</th><th>why</th></tr>
{% for i in ignored %}<tr><td>{{ i.path }}</td><td>{{ i.why }}</td></tr>{% endfor %}
</table>{% endif %}
</body></html>
""")


def write_summary(rows, records, out, config, ignored=()):
    """`records`: each row's GradeResult by student (what its tests said), for the tests failed most often."""
    graded = [r for r in rows if r.graded]
    possible = sum(config.points.values())
    questions = question_stats(graded, config)
    measured = [_bands(name, measure, rows) for name, measure in config.measured.items()]
    _plot([r.total for r in graded], possible, questions, measured, ClassFolder(out).summary_plot)
    ClassFolder(out).summary.write_text(
        PAGE.render(
            assignment=config.assignment,
            n=len(rows),
            graded=graded,
            possible=possible,
            mean_all=statistics.fmean(r.total for r in rows) if rows else 0,
            mean_graded=statistics.fmean(r.total for r in graded) if graded else 0,
            median_graded=statistics.median(r.total for r in graded) if graded else 0,
            questions=questions,
            failed=most_failed(graded, records),
            measured=measured,
            rows=rows,
            weights=bool(config.weights),
            problems=[r for r in rows if not r.graded],
            reproduced=[r for found in read_reproduced(ClassFolder(out).reproduced).values() for r in found],
            spread={name: measure["spread"] for name, measure in config.measured.items()},
            ignored=ignored,
        )
    )


def question_stats(graded, config):
    """Each question's points, mean and full-marks rate over the `graded` rows (the review app shows them too)."""
    return [
        {
            "name": name,
            "points": points,
            "mean": statistics.fmean(r.points_of(name) or 0 for r in graded) if graded else 0.0,
            "rate": sum((r.points_of(name) or 0) >= points for r in graded) / len(graded) if graded else 0.0,
        }
        for name, points in config.points.items()
    ]


def most_failed(graded, records):
    """(question, test name) -> how many graded submissions failed it, most often first."""
    results = [records[row.student] for row in graded if row.student in records]
    failures = Counter((q.name, t.name) for r in results for q in r.questions for t in q.tests if not t.passed)
    return sorted(failures.items(), key=lambda item: (-item[1], item[0]))[:MOST_FAILED]


def _bands(name, measure, rows):
    """A measured value across the class: how many reached its target, its floor, neither, or were not measured."""
    target, floor = measure["target"], measure["floor"]
    values = [r.measured[name] for r in rows if r.measured.get(name) is not None]
    return {
        "name": name,
        "title": measured_name(name),
        "target": target,
        "floor": floor,
        "values": values,
        "passed": sum(v >= target for v in values),
        "partial": sum(floor <= v < target for v in values),
        "below": sum(v < floor for v in values),
        "none": len(rows) - len(values),
    }


def _plot(scores, possible, questions, measured, path):
    fig, (left, middle, *right) = plt.subplots(1, 2 + len(measured), figsize=(5 * (2 + len(measured)), 4))
    left.hist(scores, bins=[i * possible / 10 for i in range(11)], color="#4c72b0", edgecolor="white")
    left.set(title="Grade distribution (graded)", xlabel="points", ylabel="submissions", xlim=(0, possible))
    middle.barh([q["name"] for q in questions], [100 * q["rate"] for q in questions], color="#55a868")
    middle.set(title="Full marks per question", xlabel="% of graded submissions", xlim=(0, 100))
    middle.invert_yaxis()
    for axes, m in zip(right, measured):
        low = min([*m["values"], m["floor"]]) - 0.005
        axes.hist(m["values"], bins=20, range=(low, max([*m["values"], m["target"]]) + 0.005), color="#8172b2")
        axes.axvline(m["target"], color="#c44e52", label=f"target {m['target']:g}")
        axes.axvline(m["floor"], color="#dd8452", linestyle="--", label=f"floor {m['floor']:g}")
        axes.set(title=f"{m['title']} measured by the grader", xlabel=m["name"], ylabel="submissions")
        axes.legend(loc="upper left")
    for axes in (left, *right):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole submissions, never 0.25 of one
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
