"""A Play button for a chart's step scrubber, animated in the browser without a server rerun.

A lesson draws a recorded run (momentum paths, the perceptron's updates, batch-norm histograms) as one
Vega-Lite chart whose shown step is a parameter bound to a range input (`alt.binding_range`). Moving
that slider redraws the chart in the browser. `play_button(param)` adds a button beside it that moves
the same slider (the first one shown: a chart may also be on the page in its hidden phone layout,
ui.layout.show_chart) forward step by step (about FRAMES frames over the run, every INTERVAL_MS), by
setting the input's value and firing the `input` event Vega listens to; pressing it again pauses.

Several charts may share one parameter name (batch norm's histograms, one chart per layer): with
`sync=True` the first chart's slider drives them all and the others' sliders are hidden, so one slider
and one Play button move every panel together.
"""
from __future__ import annotations

import json
import re

import streamlit as st

FRAMES = 60  # an animation shows at most this many frames, whatever the number of steps
INTERVAL_MS = 120

SCRIPT = """
<button id="%(id)s" type="button" class="dlvl-play">▶ Play</button>
<style>
.dlvl-play { font: inherit; font-size: 0.95em; padding: 0.3rem 0.9rem; border-radius: 0.5rem; cursor: pointer;
  border: 1px solid rgba(49, 51, 63, 0.25); background: white; color: rgb(49, 51, 63); }
.dlvl-play:hover { border-color: #0072B2; color: #0072B2; }
</style>
<script>
(() => {
  const inputs = () => [...document.querySelectorAll('input[type="range"]')].filter(i => i.name === %(param_json)s);
  if (%(sync)s) {  // the first slider drives the others (hidden); charts mount and remount: keep looking
    const link = () => {
      const all = inputs();
      if (!all.length) return;
      const lead = all[0];
      all.slice(1).forEach(i => { const bind = i.closest(".vega-bind"); if (bind) bind.style.display = "none"; });
      if (!lead.dataset.dlvlLead) {
        lead.dataset.dlvlLead = "1";
        lead.addEventListener("input", () => inputs().slice(1).forEach(i => {
          if (i.value !== lead.value) { i.value = lead.value; i.dispatchEvent(new Event("input", {bubbles: true})); }
        }));
      }
    };
    link();
    setInterval(link, 400);
  }
  const button = document.getElementById(%(id_json)s);
  if (!button || button.dataset.ready) return;
  button.dataset.ready = "1";
  let timer = null;
  const stop = () => { clearInterval(timer); timer = null; button.textContent = "▶ Play"; };
  button.addEventListener("click", () => {
    if (timer) { stop(); return; }
    const input = inputs().find(i => i.checkVisibility()) || inputs()[0];  // a phone's layout, or the screen's
    if (!input) return;
    const lo = Number(input.min), hi = Number(input.max), unit = Number(input.step) || 1;
    const stride = Math.max(unit, Math.ceil((hi - lo) / %(frames)d / unit) * unit);
    let value = Number(input.value) >= hi ? lo : Number(input.value);
    const show = (v) => { input.value = String(v); input.dispatchEvent(new Event("input", {bubbles: true})); };
    show(value);
    button.textContent = "⏸ Pause";
    timer = setInterval(() => {
      value = Math.min(hi, value + stride);
      show(value);
      if (value >= hi) stop();
    }, %(interval)d);
  });
})();
</script>
"""


def play_button(param: str, frames: int = FRAMES, interval_ms: int = INTERVAL_MS, sync: bool = False) -> None:
    """A Play/Pause button that animates the range input bound to the Vega-Lite parameter named `param`
    (the first such input on the page). The animation runs in the browser: no script rerun. `sync`: every
    other chart's input of that name follows the first one, and is hidden."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", param):
        raise ValueError(f"A Vega-Lite parameter name is an identifier (got {param!r}).")
    element = f"dlvl-play-{param}"
    st.html(SCRIPT % {"id": element, "id_json": json.dumps(element), "param_json": json.dumps(param),
                      "frames": frames, "interval": interval_ms, "sync": "true" if sync else "false"}, unsafe_allow_javascript=True)
