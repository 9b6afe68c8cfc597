"""Call flows: plain functions of a `CallControl` and the runtime, one module per part of a call."""
