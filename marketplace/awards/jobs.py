"""The names of the outbox jobs the awards domain schedules (the handlers are wired to them in
marketplace/jobs.py)."""

SEND_AWARD_NOTICE = "send_award_notice"
CONCLUDE_CALL_OFF = "conclude_call_off"
