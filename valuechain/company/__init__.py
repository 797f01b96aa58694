"""A generated company of any size (`manage.py make_company`), for benchmarks, load tests and
demos at the scale of a real catalogue: deterministic for a seed."""
