"""The browser's Back button: one history entry per page visited, not one per setting changed.

Streamlit writes every change of the URL's query parameters as a new browser-history entry, so after
moving a slider three times Back only rewinds the address bar (the page keeps showing its current
state), and after visiting another lesson Back lands on that lesson's own intermediate URLs. This
app keeps one entry per page: a change of the query that stays on the same path *replaces* the current
entry (the address bar is still the link to the exact view), and moving to another lesson pushes one.
Back therefore leaves the page for the one visited before, as a visitor expects; that page shows the
view its URL names.

The rule is installed by the first script run, after Streamlit may already have pushed the first
page's URL with its settings once: entries the rule did not write (it marks its own) on the same path
as the current one are skipped by Back, so a session's first page needs one press too.
"""
from __future__ import annotations

import streamlit as st

# Installed once per browser tab (window.__dlvlHistory guards against a second patch on reruns).
SCRIPT = """<script>
(() => {
  if (window.__dlvlHistory) return;
  window.__dlvlHistory = true;
  const mark = (state) => Object.assign({}, state || {}, {dlvl: true});
  const push = window.history.pushState.bind(window.history);
  const replace = window.history.replaceState.bind(window.history);
  replace(mark(window.history.state), "");
  let shown = window.location.pathname;
  window.history.pushState = (state, title, url) => {
    const next = new URL(url, window.location.href);
    (next.pathname === window.location.pathname ? replace : push)(mark(state), title, url);
    shown = window.location.pathname;
  };
  window.history.replaceState = (state, title, url) => { replace(mark(state), title, url); };
  // Back onto an entry written before the rule existed, on the page already shown: skip it.
  window.addEventListener("popstate", (event) => {
    const unmarked = !(event.state && event.state.dlvl);
    if (unmarked && window.location.pathname === shown) {
      event.stopImmediatePropagation();
      window.history.back();
      return;
    }
    shown = window.location.pathname;
  }, true);
})();
</script>"""


def one_entry_per_page() -> None:
    """Install the history rule in the browser (an empty element: the script only)."""
    st.html(SCRIPT, unsafe_allow_javascript=True)
