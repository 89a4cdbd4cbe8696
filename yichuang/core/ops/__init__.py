"""Operations: health and readiness probes, 503 while the database is down, Prometheus metrics, request ids
and structured logs without personal data (docs/operations.md).

Nothing here imports the domain apps: business figures reach ``/metrics`` through the collectors named in
``YICHUANG_METRICS_COLLECTORS``.
"""
