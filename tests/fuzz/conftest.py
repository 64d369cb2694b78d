"""The fuzzing tests' figures are printed at the end of every pytest run that ran them (`make
test` included, which does not use -s), by tests/conftest.py, which also gathers them from every
pytest-xdist worker."""
