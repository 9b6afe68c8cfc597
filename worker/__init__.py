"""Background work on RQ: routing, notifications, the deadline clock, escalation, text-back."""
