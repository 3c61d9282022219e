"""Hover a run, see it everywhere: pointing at a run's line, dot or legend entry in one chart fades
every other run in every chart on the page, and marks its row in the page's summary tables.

Runs are recognised by name: the page's legends list them, and Vega labels every mark it draws with
its fields (an SVG aria-label such as "Training step: 1; Cross-entropy loss: 2.33; Run: With BN"), so a
mark belongs to the run whose name follows a field title in its label. Heat maps and images (rect
marks) are left alone, and so is a chart whose legend does not list the hovered run (a chart of one
network's units or layers). Installed once per browser tab, like ui.history; it only reads the page.
"""
from __future__ import annotations

import streamlit as st

SCRIPT = """<script>
(() => {
  if (window.__dlvlHighlight) return;
  window.__dlvlHighlight = true;
  const CHART = '[data-testid="stVegaLiteChart"]';
  const MARKS = ['g.mark-line path', 'g.mark-symbol path', 'g.mark-area path', 'g.mark-trail path',
                 'g.mark-rule line', 'g.mark-rule path'].map(s => `${CHART} ${s}`).join(', ');
  const LABELS = `${CHART} g[class*="role-legend-label"] text`;
  let current = null;
  const names = () => new Set([...document.querySelectorAll(LABELS)].map(t => t.textContent.trim()).filter(Boolean));
  const runOf = (label, known) => {
    if (!label) return null;
    let best = null;
    for (const part of label.split('; ')) {
      const value = part.slice(part.indexOf(': ') + 2);
      if (part.includes(': ') && known.has(value) && (!best || value.length > best.length)) best = value;
    }
    return best;
  };
  const show = (run) => {
    if (run === current) return;
    current = run;
    const known = names();
    for (const chart of document.querySelectorAll(CHART)) {
      // a chart whose legend does not list the run (its units, its layers) is left as it is
      const listed = new Set([...chart.querySelectorAll('g[class*="role-legend-label"] text')].map(t => t.textContent.trim()));
      for (const mark of chart.querySelectorAll(MARKS.split(', ').map(s => s.replace(CHART + ' ', '')).join(', '))) {
        const own = runOf(mark.getAttribute('aria-label'), known);
        if (own === null) continue;
        mark.style.opacity = run === null || own === run || !listed.has(run) ? '' : '0.12';
      }
    }
    for (const text of document.querySelectorAll(LABELS)) {
      text.style.fontWeight = run !== null && text.textContent.trim() === run ? 'bold' : '';
    }
    for (const row of document.querySelectorAll('[data-testid="stTable"] tbody tr')) {
      const cells = [...row.querySelectorAll('th, td')].map(c => c.textContent.trim());
      row.style.background = run !== null && cells.includes(run) ? 'rgba(0, 114, 178, 0.12)' : '';
    }
  };
  // Vega draws legend labels without pointer events: find the one under the pointer by its box.
  const labelAt = (chart, x, y) => {
    for (const text of chart.querySelectorAll('g[class*="role-legend-label"] text')) {
      const box = text.getBoundingClientRect();
      if (x >= box.left - 24 && x <= box.right + 4 && y >= box.top - 3 && y <= box.bottom + 3) return text.textContent.trim();
    }
    return null;
  };
  let pending = null;
  document.addEventListener('mousemove', (event) => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = null;
      const target = event.target;
      if (!(target instanceof Element)) return;
      const chart = target.closest(CHART);
      if (chart) {
        if (target.matches(MARKS)) { show(runOf(target.getAttribute('aria-label'), names())); return; }
        show(labelAt(chart, event.clientX, event.clientY));
        return;
      }
      const row = target.closest('[data-testid="stTable"] tbody tr');
      if (row) {
        const known = names();
        const hit = [...row.querySelectorAll('th, td')].map(c => c.textContent.trim()).find(t => known.has(t));
        show(hit ?? null);
        return;
      }
      if (current !== null) show(null);
    });
  }, true);
})();
</script>"""


def highlight_runs() -> None:
    """Install the hover highlight in the browser (an empty element: the script only)."""
    st.html(SCRIPT, unsafe_allow_javascript=True)
