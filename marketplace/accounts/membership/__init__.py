"""DPS membership: admissions to lots and areas, and commissioners' blocks on providers."""
