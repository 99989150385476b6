"""The quarterly learning report as one self-contained HTML page.

Everything is inline (styles, SVG charts, a few lines of script for the search box) and the
page asks for nothing: no font, image, stylesheet or script from anywhere. Semantic HTML with
headings, landmarks, tables with captions and charts with titles and descriptions; it reads on
a phone and prints on paper.
"""

from __future__ import annotations

from html import escape

from bot.admin.charts import Series, figures_table, stacked_bars
from bot.admin.reports import Report
from retrospectives.learning.ledger import adaptation_fate
from retrospectives.okrs.concerns.texts import DECIDED
from storage.learning import QuarterConcern
from storage.okr import ImpactStory, LearningStory

# The page's Content-Security-Policy: nothing may be fetched from anywhere. It travels in the
# page (so a saved copy keeps it) and, with what only a header can say, in the HTTP answer.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
POLICY = f"{PAGE_POLICY}; frame-ancestors 'none'"
STYLE = """
:root{color:#1a1a1a;background:#fff;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;
line-height:1.5}
body{margin:0 auto;max-width:52rem;padding:1rem}
h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #d0d0d0}
h3{font-size:1.05rem;margin:.2rem 0}
.lede{color:#3d3d3d}
.glance{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem;padding:0;
list-style:none}
.glance li{border:1px solid #c8c8c8;border-radius:.4rem;padding:.6rem}
.glance strong{display:block;font-size:1.3rem}
.chart{width:100%;height:auto;max-width:40rem}
.chart .axis,.chart .legend,.chart .total{font-size:18px;fill:#1a1a1a}
table.figures{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}
table.figures th,table.figures td{border:1px solid #c8c8c8;padding:.2rem .5rem;text-align:right}
table.figures th[scope=row],table.figures caption{text-align:left}
article{border-left:4px solid #0b5cad;padding:.2rem .8rem;margin:1rem 0}
article.learning{border-color:#1b6e3a}
dl{margin:.3rem 0}dt{font-weight:600}dd{margin:0 0 .4rem}
.fate{font-weight:600}
label{font-weight:600}input[type=search]{font:inherit;padding:.3rem;width:100%;max-width:24rem}
footer{margin-top:2rem;color:#3d3d3d;font-size:.9rem}
@media print{.search{display:none}article,li,svg,table{break-inside:avoid}body{max-width:none}}
"""
SEARCH_SCRIPT = """
document.getElementById('story-search').addEventListener('input',function(e){
var words=e.target.value.toLowerCase().split(/\\s+/).filter(Boolean);var shown=0;
document.querySelectorAll('article').forEach(function(a){var t=a.textContent.toLowerCase();
var ok=words.every(function(w){return t.indexOf(w)>=0});a.hidden=!ok;if(ok){shown++}});
document.getElementById('search-count').textContent=shown+' shown';});
"""
LEARNING_FIELDS = (
    ("hypothesis", "We believed"),
    ("tried", "We tried"),
    ("evidence", "Evidence"),
    ("learned", "We learned"),
    ("adaptation", "Next"),
    ("outcome", "What changed for customers"),
)
IMPACT_FIELDS = (("who", "Who"), ("before", "Before"), ("after", "After"), ("evidence", "Evidence"))


def render(report: Report) -> str:
    """The whole page."""
    team, label = escape(report.team.name), report.quarter.label
    return "".join(
        [
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta http-equiv="Content-Security-Policy" content="{PAGE_POLICY}">',
            f"<title>{team}: learning in {label}</title><style>{STYLE}</style></head><body>",
            f"<header><h1>{team}: what we learned in {label}</h1>",
            '<p class="lede">A team\'s learning report: hypotheses tested (an invalidated one is '
            "learning, not failure), customer outcomes, adaptations followed through and metric "
            "concerns. Team figures only; nobody is counted or ranked.</p></header><main>",
            _glance(report),
            _charts(report),
            _stories(report),
            _adaptations(report),
            _concerns(report),
            "</main>",
            f"<footer><p>Made by okrbot on {report.made_at:%Y-%m-%d} for {team}'s leads.</p>",
            f"</footer><script>{SEARCH_SCRIPT}</script></body></html>",
        ]
    )


def _glance(report: Report) -> str:
    now = report.current
    items = [
        (now.hypotheses, "hypotheses tested"),
        (now.invalidated, "invalidated: learned what does not work"),
        (now.impact_with_evidence, "customer outcomes with evidence"),
        (now.adaptations_done, "adaptations done"),
        (now.concerns_raised, "metric concerns raised"),
        (now.concerns_answered, "metric concerns answered"),
    ]
    cells = "".join(f"<li><strong>{n}</strong>{escape(what)}</li>" for n, what in items)
    return (
        '<section aria-labelledby="glance"><h2 id="glance">At a glance</h2>'
        f'<ul class="glance">{cells}</ul></section>'
    )


def _charts(report: Report) -> str:
    labels = [entry.quarter.label for entry in report.history]
    h = report.history
    charts = [
        (
            "hypotheses",
            "Hypotheses tested, by result",
            [
                Series("validated", "#1b6e3a", [e.validated for e in h]),
                Series("invalidated (learning)", "#6a3d9a", [e.invalidated for e in h]),
                Series("inconclusive", "#7a5c00", [e.inconclusive for e in h]),
            ],
        ),
        (
            "impact",
            "Customer-impact stories, with and without evidence",
            [
                Series("with evidence", "#0b5cad", [e.impact_with_evidence for e in h]),
                Series("without evidence yet", "#5c6670", [e.impact_without_evidence for e in h]),
            ],
        ),
        (
            "adaptations",
            "Adaptations, by what became of them",
            [
                Series("done", "#1b6e3a", [e.adaptations_done for e in h]),
                Series("dropped", "#6a3d9a", [e.adaptations_dropped for e in h]),
                Series("open", "#7a5c00", [e.adaptations_open for e in h]),
            ],
        ),
    ]
    parts = ['<section aria-labelledby="trend"><h2 id="trend">Over the quarters</h2>']
    for chart_id, title, series in charts:
        summary = "; ".join(
            f"{label}: " + ", ".join(f"{s.values[i]} {s.name}" for s in series)
            for i, label in enumerate(labels)
        )
        parts.append(f"<h3>{escape(title)}</h3>")
        parts.append(stacked_bars(f"chart-{chart_id}", title, summary, labels, series))
        parts.append(figures_table(title, labels, series))
    parts.append("</section>")
    return "".join(parts)


def _fields(story: LearningStory | ImpactStory, names: tuple[tuple[str, str], ...]) -> str:
    rows = [
        f"<dt>{escape(title)}</dt><dd>{escape(value)}</dd>"
        for name, title in names
        if (value := getattr(story, name))
    ]
    return f"<dl>{''.join(rows)}</dl>" if rows else ""


def _stories(report: Report) -> str:
    parts = [
        '<section aria-labelledby="stories"><h2 id="stories">The quarter\'s best stories</h2>',
        '<p class="search"><label for="story-search">Find a story on this page</label><br>',
        '<input type="search" id="story-search" autocomplete="off"> ',
        '<span id="search-count" aria-live="polite"></span></p>',
    ]
    for story in report.learning:
        result = f" · {story.result.value}" if story.result else ""
        parts.append(
            f'<article class="learning"><h3>Learning story{escape(result)}</h3>'
            f"<p>{escape(story.text)}</p>{_fields(story, LEARNING_FIELDS)}</article>"
        )
    for impact in report.impact:
        parts.append(
            f'<article class="impact"><h3>Customer-impact story</h3>'
            f"<p>{escape(impact.text)}</p>{_fields(impact, IMPACT_FIELDS)}</article>"
        )
    if not (report.learning or report.impact):
        parts.append("<p>No stories were told this quarter.</p>")
    parts.append("</section>")
    return "".join(parts)


def _adaptations(report: Report) -> str:
    parts = ['<section aria-labelledby="adapted"><h2 id="adapted">Adaptations and their fate</h2>']
    if not report.adaptations:
        parts.append("<p>The team decided on no adaptations this quarter.</p>")
    else:
        parts.append("<ul>")
        for adaptation, follow_through in report.adaptations:
            fate = adaptation_fate(follow_through).value
            said = (
                f" — at the next retrospective: {escape(adaptation.follow_up)}"
                if adaptation.follow_up
                else ""
            )
            parts.append(
                f'<li><span class="fate">{fate}</span>: {escape(adaptation.text)}{said}</li>'
            )
        parts.append("</ul>")
    parts.append("</section>")
    return "".join(parts)


def _answer(concern: QuarterConcern) -> str:
    if concern.answer is None:
        return "Not answered yet."
    if concern.decision is None:
        return f"The team's answer: {concern.answer}"
    return f"The team {DECIDED[concern.decision]}: {concern.answer}"


def _concerns(report: Report) -> str:
    parts = ['<section aria-labelledby="concerns"><h2 id="concerns">Metric concerns</h2>']
    if not report.concerns:
        parts.append("<p>No metric concerns were raised this quarter.</p>")
    else:
        parts.append("<ul>")
        for concern in report.concerns:
            parts.append(
                f"<li><strong>{escape(concern.metric)}</strong>: {escape(concern.harm)}"
                f"<br>{escape(_answer(concern))}</li>"
            )
        parts.append("</ul>")
    parts.append("</section>")
    return "".join(parts)
