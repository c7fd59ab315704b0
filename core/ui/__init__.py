"""Streamlit pieces that are not caching: panels several pages draw.

    jobs_panel   the live progress of training jobs (a fragment that polls the store), with Cancel
"""
