"""An SMTP sink inside the test process (aiosmtpd), keeping every message it accepts."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sink:
    """Accepts mail on 127.0.0.1:port, noting which connection brought each message.

    `stall_first_recipient` holds the first SMTP session at RCPT for that many seconds (to kill a
    worker in the middle of a delivery). `hold_after` holds every session at RCPT once that many
    messages were accepted, until release() (`held` is set when one is held). `drop_at` closes
    the connection at the RCPT of that message (counted from 1), before it is accepted."""

    def __init__(
        self,
        stall_first_recipient: float = 0.0,
        *,
        hold_after: int | None = None,
        drop_at: int | None = None,
    ) -> None:
        self.port = free_port()
        self.messages: list[Message] = []
        self.peers: list[tuple[str, int]] = []  # the connection each message came over
        self.stall = stall_first_recipient
        self.stalled = threading.Event()
        self.hold_after = hold_after
        self.held = threading.Event()
        self._released = threading.Event()
        self.drop_at = drop_at
        self._recipients_seen = 0
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def release(self) -> None:
        self._released.set()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.stall and not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(self.stall)
        with self._lock:
            self._recipients_seen += 1
            drop = self._recipients_seen == self.drop_at
        if drop:
            server.transport.close()
            return "421 Closing the connection"
        if self.hold_after is not None:
            while len(self.message_ids()) >= self.hold_after and not self._released.is_set():
                self.held.set()
                await asyncio.sleep(0.01)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
            self.peers.append(session.peer)
        return "250 Message accepted for delivery"

    def per_connection(self) -> list[int]:
        """How many messages each connection brought, in the order the connections began."""
        with self._lock:
            return list(Counter(self.peers).values())

    def start(self) -> Sink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(message["Message-ID"]) for message in self.messages]

    def wait_for(self, count: int, timeout: float) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.message_ids()) < count:
            time.sleep(0.1)
        return self.message_ids()
