# Benchmarks are run by `make bench` (tests/bench/run.py), never collected by pytest.
collect_ignore_glob = ["*.py"]
