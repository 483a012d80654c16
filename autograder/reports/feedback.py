"""The feedback page a student reads: which questions lost points, and why.

What lost points is said in the very lines of results.json (reports/text.test_lines):
public tests with their messages, hidden ones as a count unless the config allows more.
In a class, the page also shows how the grade was settled: the points a person gave the
manual questions, with their comments, the instructor's adjustments with their reasons, and
what lateness cost under the late policy.
"""

from jinja2 import Environment

from autograder.contract import MODEL_WEIGHTS
from autograder.names import shown
from autograder.reports.text import measured_name, model_line, settlement_lines, test_lines

PAGE = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, finalize=shown).from_string("""\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback: {{ student }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; line-height: 1.45; }
table { border-collapse: collapse; } td, th { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: left; }
.ok { color: #1a7f37; } .lost { color: #b42318; } pre { white-space: pre-wrap; background: #f6f8fa; padding: .6rem; }
</style></head><body>
<h1>{{ assignment }}: {{ "%.2f"|format(total) }} / {{ "%g"|format(possible) }}</h1>
<p>{{ student }}</p>
{% if grade_lines %}<ul id="grade">
{% for line in grade_lines %}<li>{{ line }}</li>{% endfor %}
</ul>{% endif %}
{% if error %}<p class="lost"><strong>Not graded:</strong> {{ error }}</p>{% endif %}
<table><tr><th>question</th><th>points</th><th>public tests</th><th>hidden tests</th></tr>
{% for q in questions %}
<tr class="{{ 'ok' if q.score >= q.possible else 'lost' }}"><td>{{ q.name }}</td>
<td>{{ "%.2f"|format(q.score) }} / {{ "%g"|format(q.possible) }}</td>
<td>{{ q.public_passed }} / {{ q.public|length }} passed</td><td>{{ q.hidden_passed }} / {{ q.hidden|length }} passed</td></tr>
{% endfor %}
{% for q in by_hand %}
<tr class="{{ 'lost' if q.points is none or q.points < q.possible else 'ok' }}"><td>{{ q.name }}</td>
<td>{{ "not graded yet" if q.points is none else "%.2f"|format(q.points) }} / {{ "%g"|format(q.possible) }}</td>
<td colspan="2">graded by a person{% if q.comment %}: {{ q.comment }}{% endif %}</td></tr>
{% endfor %}</table>
{% for q in questions if q.score < q.possible %}
<h2>{{ q.name }}: what lost points</h2>
<ul>
{% for line in q.lost %}<li>{{ line }}</li>{% endfor %}
</ul>
{% endfor %}
{% if cell_errors %}<h2>Errors while running your notebook</h2><ul>
{% for e in cell_errors[:10] %}<li>{{ e.where or "cell %d" % e.cell }}: <code>{{ e.name }}</code>: {{ e.message }}</li>{% endfor %}
</ul>{% endif %}
{% for name, value in measured %}<p>{{ name }}, measured by the grader: {{ "%.4f"|format(value) }}</p>
{% endfor %}
{% if model %}<p id="model">{{ model }}</p>{% endif %}
</body></html>
""")


def feedback_html(result, config, student, settlement=None):
    """The page; a `settlement` (contract.Settlement: adjustments, lateness) adds how the grade was made."""
    questions = []
    for q in result.questions:
        public = [t for t in q.tests if not t.hidden]
        hidden = [t for t in q.tests if t.hidden]
        questions.append(
            {
                "name": q.name,
                "score": q.score,
                "possible": q.possible,
                "public": public,
                "hidden": hidden,
                "public_passed": sum(t.passed for t in public),
                "hidden_passed": sum(t.passed for t in hidden),
                # the same lines as results.json's, so that both tell the student the same thing
                "lost": [line for line in test_lines(q.tests, config.show_hidden_details) if not line.startswith("✅")],
            }
        )
    return PAGE.render(
        assignment=config.assignment,
        student=student,
        score=result.score,
        total=settlement.total if settlement else result.score,
        grade_lines=settlement_lines(settlement),
        possible=result.possible + sum(config.points[q] for q in config.manual),
        by_hand=_by_hand(config, settlement),
        error=result.error,
        questions=questions,
        cell_errors=result.cell_errors,
        model=model_line(result.measurements[MODEL_WEIGHTS]) if MODEL_WEIGHTS in result.measurements else "",
        measured=[
            (measured_name(name), result.measurements[name])
            for name in config.measured
            if result.measurements.get(name) is not None
        ],
    )


def _by_hand(config, settlement):
    """The manual questions, each with the points and comment a person gave it (points None: not yet)."""
    given = {q: (points, comment) for q, points, comment in (settlement.by_hand if settlement else [])}
    rows = []
    for q in config.manual:
        points, comment = given.get(q, (None, ""))
        rows.append({"name": q, "possible": config.points[q], "points": points, "comment": comment})
    return rows
