"""The names of the outbox jobs the tenders domain schedules. The close at a call-off's deadline is
scheduled at publication; the awards domain runs it (it closes, opens and evaluates)."""

CLOSE_CALL_OFF = "close_call_off"
