"""The demo marketplace: Kent's cluster groups and Dorset's localities, invented providers and
a pseudonymous waiting list. Everything here is demo data, marked as such."""
