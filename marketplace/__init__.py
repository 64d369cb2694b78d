"""Care call-off marketplace: a Dynamic Purchasing System for home care mini-competitions."""

import os

# Piccolo's own commands (migrations) find the engine and the apps here.
os.environ.setdefault("PICCOLO_CONF", "marketplace.piccolo_conf")
