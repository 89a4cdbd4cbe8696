"""Performance benchmarks: run the app under gunicorn against PostgreSQL and print figures.

``bench.server`` holds the shared pieces (database, server, token, load driver); every bench is a
module runnable as ``python -m bench.<name>``. See bench/README.md.
"""
