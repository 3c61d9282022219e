"""Deep Learning Visual Lab: the entrypoint (`streamlit run Home.py`).

Registers the landing page and every lesson page that exists, one navigation section per group of
the course (ui.course), draws the global sidebar (shared by all pages, so its choices persist while
switching lessons), then runs the selected page.
"""
import streamlit as st

from core.allocator import tune_malloc
from ui.course import course_groups
from ui.highlight import highlight_runs
from ui.history import one_entry_per_page
from ui.sidebar import global_sidebar
from ui.warm import start_warming

tune_malloc()  # once per process: keeps the server's memory flat as sessions come and go
st.set_page_config(page_title="Deep Learning Visual Lab", page_icon=":material/neurology:", layout="wide")
start_warming()  # once per process: trains every page's default view in the background (ui.warm)

home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
sections = {group: [st.Page(f"pages/{l.file}", title=l.title, icon=l.icon, url_path=l.url_path) for l in lessons]
            for group, lessons in course_groups().items()}
page = st.navigation({"": [home], **sections})
settings = st.session_state["settings"] = global_sidebar()
with st.sidebar:  # two scripts for the browser (they take no room)
    one_entry_per_page()  # Back leaves the page; a changed setting replaces the page's history entry
    highlight_runs()  # hovering a run fades the other runs in every chart and marks its table row
# Keep the sidebar's choices in the address bar; lesson pages add their own parameters.
for key, value in settings.to_query().items():
    if st.query_params.get(key) != value:
        st.query_params[key] = value
page.run()
