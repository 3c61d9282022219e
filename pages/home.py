"""Landing page: what the lab is, and its lessons as a course, in reading order and in groups."""
import streamlit as st

from core.devices import resolve_device
from ui.bootstrap import require_entrypoint
from ui.course import course_groups

require_entrypoint()

settings = st.session_state["settings"]

st.title("Deep Learning Visual Lab")
st.markdown(
    "Watch the fundamentals of deep learning happen in real PyTorch models. Every curve, "
    "histogram and number on these pages comes from a network trained live, on "
    f"**{resolve_device(settings.device).name.upper()}**, on real MNIST digits. Change a setting, press "
    "**Train**, and see what it does. The address bar always holds a link to the exact view you see.")

for group, lessons in course_groups().items():
    st.subheader(group)
    for lesson in lessons:
        with st.container(border=True):
            st.page_link(f"pages/{lesson.file}", label=f"**{lesson.title}**", icon=lesson.icon)
            st.caption(lesson.teaches)

st.subheader("How to use it")
st.markdown(
    "- The sidebar (» at the top left on a phone) holds what every lesson shares: the device models train "
    "on, the random seed, the dataset, and **presenter mode** (larger text and charts for a projector).\n"
    "- Same seed, same settings, same numbers: share the address bar's link and a class sees the "
    "identical experiment — and the server trains it only once.\n"
    "- Every chart's toolbar (top right of the chart; tap it on a phone) shows its data, saves it as PNG "
    "and goes full screen; the button under it downloads its data as CSV.")
