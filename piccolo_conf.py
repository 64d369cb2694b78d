"""For Piccolo's own command line (`piccolo migrations new accounts --auto`)."""

from marketplace.piccolo_conf import APP_REGISTRY, __getattr__  # noqa: F401
