"""The demo sign-ins, printed by `marketplace demo` and listed in the README. Development only:
`marketplace demo` refuses to run in production mode."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSignIn:
    who: str
    email: str
    password: str
    role: str
    organisation: str | None


DEMO_SIGN_INS: tuple[DemoSignIn, ...] = (
    DemoSignIn(
        "Platform admin", "admin@demo.marketplace.test", "demo-admin-password", "admin", None
    ),
    DemoSignIn(
        "Commissioner (Kent)",
        "commissioner@kent.demo.marketplace.test",
        "demo-commissioner-password",
        "commissioner",
        "Kent County Council (demo)",
    ),
    DemoSignIn(
        "Opener (Kent)",
        "opener@kent.demo.marketplace.test",
        "demo-opener-password",
        "opener",
        "Kent County Council (demo)",
    ),
    DemoSignIn(
        "Commissioner (NHS Dorset)",
        "commissioner@dorset.demo.marketplace.test",
        "demo-commissioner-password",
        "commissioner",
        "NHS Dorset (demo)",
    ),
    DemoSignIn(
        "Provider",
        "provider@demo.marketplace.test",
        "demo-provider-password",
        "provider",
        "Oakleaf Home Care (demo)",
    ),
)

DEMO_COMMISSIONER = DEMO_SIGN_INS[1]
DEMO_PROVIDER = DEMO_SIGN_INS[4]
