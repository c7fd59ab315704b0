"""The training jobs of the data in use, live: a fragment that re-reads the job records every few seconds.

Every session sees the same jobs (they live in the store), so a person who navigates away and back, reloads, or opens
a second browser finds the running job with its progress, and anyone can cancel it. When a job this session watched
stops, the whole page reruns once, so the new suite (or the failure) shows everywhere without a restart.
"""
from __future__ import annotations

import time

import streamlit as st

from core import cache
from core.comparison.text import describe_config
from core.models import jobs

WATCHED = "jobs_watched"       # job ids this session has seen live
FINISHED = "jobs_finished"     # config key -> status, for the jobs that stopped while this session watched them
POLL_LIVE_S = 1.0
POLL_IDLE_S = 5.0
RECENT_S = 15 * 60             # a failed or cancelled job is reported for this long


def live_jobs(fingerprint: str, records: list[jobs.JobRecord] | None = None) -> list[jobs.JobRecord]:
    manager = cache.job_manager()
    return [r for r in (manager.jobs(fingerprint) if records is None else records) if r.live or manager.owns(r)]


def recent_outcomes(records: list[jobs.JobRecord]) -> list[jobs.JobRecord]:
    """Jobs that failed, were cancelled or interrupted in the last minutes (done ones show as their suite)."""
    now = time.time()
    return [r for r in records
            if (r.status in (jobs.FAILED, jobs.CANCELLED) and now - (r.finished_at or 0) < RECENT_S)
            or (r.stale and now - r.heartbeat_at < RECENT_S)]


def pop_finished() -> dict[str, str]:
    """{config key: final status} of the jobs that stopped while this session watched them, once."""
    return st.session_state.pop(FINISHED, {})


def panel(fingerprint: str, *, allow_cancel: bool = True, key: str = "jobs") -> None:
    """Draw the data's live jobs (and recent failures); polls quickly while one runs, slowly while none does."""
    poll = POLL_LIVE_S if live_jobs(fingerprint) else POLL_IDLE_S
    st.fragment(_draw, run_every=poll)(fingerprint, allow_cancel, key, poll)


def _draw(fingerprint: str, allow_cancel: bool, key: str, poll: float) -> None:
    records = cache.job_manager().jobs(fingerprint)  # read once per run: live, stopped and recent all come from it
    live = live_jobs(fingerprint, records)
    watched: set[str] = st.session_state.setdefault(WATCHED, set())
    live_ids = {r.job_id for r in live}
    stopped = watched - live_ids
    if stopped or (live_ids - watched):
        for record in records:
            if record.job_id in stopped:
                st.session_state.setdefault(FINISHED, {})[record.config_key] = record.status
        st.session_state[WATCHED] = live_ids
        if stopped or (live_ids and poll != POLL_LIVE_S):
            st.rerun(scope="app")  # a suite appeared (or a job began): the whole page draws what changed
    for record in live:
        _live(record, allow_cancel, key)
    for record in recent_outcomes(records):
        text = jobs.describe(record)
        title = describe_config(record.suite_config)
        if record.status == jobs.CANCELLED:
            st.info(f"Training ({title}) was {text}.", icon=":material/cancel:")
        else:
            st.error(f"Training ({title}) {text}.", icon=":material/error:")


def _live(record: jobs.JobRecord, allow_cancel: bool, key: str) -> None:
    with st.container(border=True, key=f"{key}_job_{record.config_key}"):
        top, button = st.columns([5, 1], vertical_alignment="center")
        top.markdown(f":material/model_training: **Training — {describe_config(record.suite_config)}**")
        top.caption(f"on {record.data_label or 'this data'} · {record.scheduler or 'Dask'} · everyone using this "
                    "data sees this job and can cancel it")
        cancelling = cache.job_manager().files.cancel_requested(record.fingerprint, record.config_key)
        if allow_cancel:
            button.button("Cancelling…" if cancelling else "Cancel", key=f"{key}_cancel_{record.config_key}",
                          icon=":material/cancel:", disabled=cancelling, width="stretch",
                          on_click=cache.job_manager().cancel, args=(record.fingerprint, record.suite_config))
        fraction = record.done / record.total if record.total else 0.0
        st.progress(min(fraction, 1.0), text=jobs.describe(record))
        if record.running:
            st.caption("Now: " + ", ".join(sorted(record.running)))
        finished = record.finished_events()[-8:]
        if finished:
            lines = [(f":material/check_circle: **{e['model']}** — {e['seconds']:.1f} s" if e["status"] == "finished"
                      else f":material/error: **{e['model']}** — failed: {e['error']}") for e in reversed(finished)]
            st.markdown("  \n".join(lines))
