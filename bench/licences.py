"""Signing and verifying e-licences: ``python -m bench.licences`` (or ``make bench-licences``).

Recreates ``bench_licences`` on PostgreSQL (127.0.0.1), makes an e-seal for 市场监管局, issues ``--count``
licences (10,000 by default) through ``licence_issue`` — each an SM3 digest and an SM2 signature, a GB/T
36904 identifier and a row — then verifies every one by its identifier (``licence_verify_identifier``:
the row read, the content digested again, the signature checked with the seal's public key). Prints
signs/s, verifies/s and the verify p50/p95; target verify p95 < 20 ms. Exit 1 over the target, 2 without
PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

from bench.server import PostgresUnavailable, code_commit, fresh_demo_database

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_licences"
TARGET_P95_MS = 20.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.licences", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument(
        "--count", type=int, default=10_000, help="licences to issue and verify (default 10000)"
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_LICENCES_DATABASE_URL", DATABASE_URL))
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 1_000_000:
        parser.error("--count must be between 1 and 1000000")
    return args


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        version = fresh_demo_database(args.database_url)
    except PostgresUnavailable as error:
        print(f"licences: {error}", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from yichuang.accounts.models import Applicant, Department, User
    from yichuang.licences import services
    from yichuang.licences.models import LicenceType
    from yichuang.licences.verification import licence_verify_identifier

    admin, reviewer = User.objects.get(username="admin"), User.objects.get(username="reviewer")
    department = Department.objects.get(pk=reviewer.department_id)
    services.seal_create(actor=admin, department=department)
    licence_type = LicenceType.objects.get(code="11100000000013338W019")  # 食品经营许可证, from the demo
    holders = list(Applicant.objects.filter(kind=licence_type.holder_kind).order_by("pk"))
    required = [field["key"] for field in licence_type.schema if field.get("required")]
    print(f"licences: issuing {args.count:,} licences …", flush=True)
    identifiers = []
    started = time.perf_counter()
    for n in range(args.count):
        licence = services.licence_issue(
            actor=reviewer,
            licence_type=licence_type,
            holder=holders[n % len(holders)],
            issuer=department,
            data={key: f"{key}-{n}" for key in required},
        )
        identifiers.append(licence.identifier)
    sign_seconds = time.perf_counter() - started
    print(f"licences: verifying {args.count:,} licences …", flush=True)
    timings = []
    verdicts: dict[str, int] = {}
    started = time.perf_counter()
    for identifier in identifiers:
        began = time.perf_counter()
        status = licence_verify_identifier(identifier).status
        timings.append((time.perf_counter() - began) * 1000)
        verdicts[status] = verdicts.get(status, 0) + 1
    verify_seconds = time.perf_counter() - started
    result = {
        "bench": "licences",
        "count": args.count,
        "postgres": version,
        "python": platform.python_version(),
        "commit": code_commit(),
        "signs_per_s": round(args.count / sign_seconds, 1),
        "verifies_per_s": round(args.count / verify_seconds, 1),
        "verify_p50_ms": round(statistics.median(timings), 2),
        "verify_p95_ms": round(_percentile(timings, 95), 2),
        "verdicts": verdicts,
        "target_p95_ms": TARGET_P95_MS,
    }
    print(
        f"issued {args.count:,} in {sign_seconds:.1f} s ({result['signs_per_s']}/s); verified in "
        f"{verify_seconds:.1f} s ({result['verifies_per_s']}/s), p50 {result['verify_p50_ms']} ms, "
        f"p95 {result['verify_p95_ms']} ms; verdicts {verdicts}"
    )
    print(json.dumps(result, ensure_ascii=False))
    met = result["verify_p95_ms"] < TARGET_P95_MS and verdicts == {"valid": args.count}
    print(
        f"licences: verify p95 {result['verify_p95_ms']} ms — {'within' if met else 'OVER'} the 20 ms target"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
