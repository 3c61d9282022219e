"""Streamlit glue shared by the pages: sidebar, URL state, the shared run cache, layout."""
