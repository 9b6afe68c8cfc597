"""The kinds of entry a ticket's timeline holds besides the statuses it moves to.

A status change is recorded under the status's own name (models.tickets.TicketStatus);
everything else is one of these. `models.tickets.record` takes nothing else, so a kind is
defined here once and every reader (the console's labels, the report figures) finds it.
"""

from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    """A timeline entry that is not a status change."""

    SMS_APPENDED = "sms_appended"  # a later text of the citizen joined the complaint
    SMS_FAILED = "sms_failed"  # a text to the citizen or an official was refused for good
    SMS_UNDELIVERED = "sms_undelivered"  # the operator reported a text undelivered
    CALL_ENDED = "call_ended"  # the call the complaint came in on ended
    REMINDER_SENT = "reminder_sent"  # the official was reminded of the deadline
    BREACH = "breach"  # an agency missed its deadline (report cards count these per agency)
    ESCALATION_STUCK = "escalation_stuck"  # at the deadline nobody above could take it
    ROUTING_STUCK = "routing_stuck"  # nobody in the directory can answer it (the note says why)
    JOB_FAILED = "job_failed"  # a job for it spent its retries (it is run again later)
    RESULT_TEXTED = "result_texted"  # the result was written as an SMS to the citizen
    RESULT_WAITS = "result_waits"  # the result cannot be texted: it waits for a follow-up call
    RESULT_TOLD = "result_told"  # a follow-up call read a waiting result to the citizen
    SURVEY_ANSWERED = "survey_answered"  # the citizen rated the answer
    NOTE = "note"  # a console user's internal note (never sent to the citizen); data: mentions
    ASSIGNED = "assigned"  # the ticket was given to a console user (data: assignee, None = nobody)
    CITIZEN_ASKED = "citizen_asked"  # a console user texted the complainant a question
    CITIZEN_ANSWERED = "citizen_answered"  # the complainant's text in answer to that question
    TRIAGED = "triaged"  # its text was read for where it goes: each field's value, words and rule
    QUESTION_ASKED = "question_asked"  # the citizen was asked its service or province by SMS
    QUESTION_ANSWERED = "question_answered"  # the citizen answered that question
    QUESTION_IGNORED = "question_ignored"  # the citizen wrote something else: nothing more is asked
    WAIT_ENDED = "wait_ended"  # no answer in time: routing referred it with what it had
    PLACE_SET = "place_set"  # a person set its sector, agency, category or province
    RETURNED = "returned"  # an inspector sent it back to the dispatcher as misrouted (the note: why)
