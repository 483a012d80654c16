"""similarity.html: the ranked pairs, and each pair's answers side by side, shared code marked.

All student text (code, names, file names, reasons) goes through Jinja2's autoescape; the
marks are the template's own tags around escaped segments, never HTML built from code.
"""

from copydetect import compare_files
from jinja2 import Environment

from autograder.names import shown

PAGE = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, finalize=shown).from_string("""\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ assignment }}: similar answers</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 80rem; margin: 2rem auto; }
table { border-collapse: collapse; } td, th { padding: .3rem .6rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } .context { color: #777; } tr.flagged td { background: #fff3f0; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; } pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: .8rem; white-space: pre-wrap; }
mark { background: #ffd0c8; } section { border-top: 2px solid #ccc; margin-top: 2rem; }
</style></head><body>
<h1>{{ assignment }}: similar answers</h1>
<p id="counts">{{ students }} submissions compared ({{ compared }} pairs): {{ flagged }} pairs flagged (sharing {{ "%.0f"|format(100 * threshold) }}% or more of their answers, overall or in one scored question){% if unreadable %}; {{ unreadable|length }} could not be read (listed below){% endif %}. The {{ pairs|length }} most similar are shown, flagged ones first.</p>
<p>Only answer code counts: the student notebook's own code and its stubs are left out, and names, comments, layout and the order of functions do not matter. A score is the share of the two answers' code that the other one has too. Questions marked <span class="context">context</span> (a model's code is mostly its architecture, which many students take from the same advice) and the models' outlines are shown, never scored. A flag is a reason to look, never a grade: nothing of this page reaches a student's feedback or results.</p>
<table id="pairs"><tr><th>#</th><th>student</th><th>student</th><th>overall</th>{% for q in questions %}<th{% if q not in scored %} class="context"{% endif %}>{{ q }}{% if q not in scored %} (context){% endif %}</th>{% endfor %}<th>same model</th><th>flagged</th></tr>
{% for p in pairs %}<tr{% if p.flagged %} class="flagged"{% endif %}><td><a href="#pair-{{ loop.index }}">{{ loop.index }}</a></td><td>{{ p.a.student }}</td><td>{{ p.b.student }}</td><td class="n">{{ "%.2f"|format(p.overall) }}</td>
{% for q in questions %}<td class="n{% if q not in scored %} context{% endif %}">{{ "%.2f"|format(p.scores[q]) if q in p.scores else "" }}</td>{% endfor %}<td class="context">{{ "yes" if outlines[p.a.student] and outlines[p.a.student] == outlines[p.b.student] else "" }}</td><td>{{ "yes" if p.flagged else "" }}</td></tr>
{% endfor %}</table>
{% for p in pairs %}<section id="pair-{{ loop.index }}">
<h2>{{ loop.index }}. {{ p.a.student }} and {{ p.b.student }}: {{ "%.2f"|format(p.overall) }} overall{% if p.flagged %}, flagged{% endif %}</h2>
<div class="side"><p><a href="students/{{ p.a.student|urlencode }}/feedback.html">{{ p.a.name }}'s feedback</a></p><p><a href="students/{{ p.b.student|urlencode }}/feedback.html">{{ p.b.name }}'s feedback</a></p></div>
{% if outlines[p.a.student] or outlines[p.b.student] %}<p class="context">Models (context): {{ outlines[p.a.student] or "none found" }} | {{ outlines[p.b.student] or "none found" }}</p>{% endif %}
{% for q, left, right in details[loop.index0] %}<h3{% if q not in scored %} class="context"{% endif %}>{{ q }}: {{ "%.2f"|format(p.scores[q]) if q in p.scores else "nothing shared" }}{% if q not in scored %} (context, not scored){% endif %}</h3>
<div class="side"><pre>{% for text, shared in left %}{% if shared %}<mark>{{ text }}</mark>{% else %}{{ text }}{% endif %}{% endfor %}</pre><pre>{% for text, shared in right %}{% if shared %}<mark>{{ text }}</mark>{% else %}{{ text }}{% endif %}{% endfor %}</pre></div>
{% endfor %}</section>
{% endfor %}
{% if unreadable %}<h2>Not compared</h2>
<table id="unreadable"><tr><th>student</th><th>file</th><th>why</th></tr>
{% for u in unreadable %}<tr><td>{{ u.student }}</td><td>{{ u.file }}</td><td>{{ u.why }}</td></tr>{% endfor %}
</table>{% endif %}
</body></html>
""")


def write_page(report, questions, scored, prints, outlines, config, path):
    """The page of `report` (similarity.Report); `prints`: each (student, question)'s CodeFingerprint."""
    details = [_side_by_side(pair, questions, prints) for pair in report.pairs]
    path.write_text(
        PAGE.render(
            assignment=config.assignment,
            students=len(outlines),
            compared=report.compared,
            flagged=report.flagged,
            threshold=config.flag_threshold,
            pairs=report.pairs,
            questions=questions,
            scored=scored,
            details=details,
            outlines=outlines,
            unreadable=report.unreadable,
        )
    )


def _side_by_side(pair, questions, prints):
    """(question, left segments, right segments) for each question either answered."""
    shown = []
    for q in questions:
        left, right = prints.get((pair.a.student, q)), prints.get((pair.b.student, q))
        if left is None and right is None:
            continue
        if left is None or right is None:
            slices = (None, None)
        else:
            slices = compare_files(left, right)[2]
        shown.append((q, _segments(left, slices[0]), _segments(right, slices[1])))
    return shown


def _segments(fingerprint, slices):
    """[(text, shared)] covering an answer's code, from copydetect's slices (starts, ends) of shared code."""
    if fingerprint is None:
        return [("(no answer)", False)]
    code, segments, at = fingerprint.raw_code, [], 0
    if slices is not None and slices.ndim == 2:  # copydetect gives an empty 1-D array for no overlap
        for start, end in sorted(zip(slices[0].tolist(), slices[1].tolist())):
            start, end = max(start, at), min(end, len(code))
            if start < end:
                segments += [(code[at:start], False), (code[start:end], True)]
                at = end
    return [*segments, (code[at:], False)]
