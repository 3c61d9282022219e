"""The engine of Deep Learning Visual Lab: data, models, training, probes and charts.

Pure torch + pandas + altair. Nothing here imports Streamlit, so every experiment can run
from a notebook, a script, a test or a benchmark exactly as it runs in the app.
"""
