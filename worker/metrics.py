"""The workers' Prometheus metrics: what the outbox jobs and the send job count.

They are counted in the work horse that runs the job; `foad worker` keeps them in files
(prometheus_client's multi-process mode, set up by foad.metrics) so that a horse's counts
outlive it, and serves them on FOAD_METRICS_PORT. Every metric has labels, so no value is
made at import: the mode chosen at start applies to all of them.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

JOB_WAIT = Histogram(
    "foad_job_wait_seconds", "Time an outbox job waited in its queue before a worker started it.",
    ["queue", "job"], buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600))
JOB_RUN = Histogram(
    "foad_job_run_seconds", "Time an outbox job ran, by its outcome (done or failed).",
    ["queue", "job", "outcome"], buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
TEXTS = Counter(
    "foad_texts", "Texts the send job settled, by provider and outcome: sent (the provider took "
    "it, or had it from an earlier attempt) or failed (refused for good, or given up).",
    ["provider", "outcome"])
