"""Catalog search latency: ``python -m bench.catalog_search [--items 56000] [--db sqlite|postgres|both]``
(or ``make bench-catalog``).

For each engine, in a child process of its own: a throwaway database (a temporary SQLite file; for
PostgreSQL the database ``bench_catalog`` on 127.0.0.1, dropped and recreated), migrations, 56,000
active handling items with their versions written by ``bulk_create`` (names from the sample catalog
in /work/shared/data/catalog when present, spread over county departments and township stations),
their postings built by ``search_rebuild_all``, then a fixed mix of ~30 queries run many times each
through ``search_items``. Prints p50/p95/max per engine, item and posting counts, and a JSON line.
Exit status: 0 all engines measured within the target, 1 over target or a failure, 2 no PostgreSQL.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.server import code_commit

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE_CSV = Path("/work/shared/data/catalog/guangan_district_items_by_dept.csv")
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/bench_catalog"
TARGET_P95_MS = 50.0

TOWNSHIPS = (
    "海流图镇",
    "乌加河镇",
    "德岭山镇",
    "石哈河镇",
    "温更镇",
    "呼勒斯太苏木",
    "新忽热苏木",
    "巴音乌兰苏木",
    "川井苏木",
    "桑根达来苏木",
)
VARIANTS = ("", "（新办）", "（变更）", "（延续）", "（注销）")
TASK_TYPES = {
    "1": "licensing",
    "5": "payment",
    "7": "confirmation",
    "8": "reward",
    "9": "adjudication",
    "10": "other_power",
    "20": "public_service",
}
# Items of this county that the fixed queries aim at, with the words people use for them.
LOCAL_ITEMS = (
    ("旗市场监督管理局", "食品经营许可", "licensing", "开饭店 开餐馆 小吃店 餐饮"),
    ("旗市场监督管理局", "企业设立登记", "licensing", "开公司 办执照 营业执照"),
    ("旗市场监督管理局", "个体工商户设立登记", "licensing", "个体户 开店 营业执照"),
    ("旗市场监督管理局", "企业注销登记", "licensing", "注销公司 关公司"),
    ("旗卫生健康委员会", "出生医学证明首次签发", "public_service", "生孩子 出生证"),
    ("旗公安局", "出生户口登记", "public_service", "上户口 新生儿落户"),
    ("旗公安局", "居民身份证换领", "public_service", "换身份证 身份证到期"),
    ("旗不动产登记中心", "不动产转移登记", "confirmation", "二手房 房屋过户 买房"),
    ("旗不动产登记中心", "不动产抵押登记", "confirmation", "房屋抵押 贷款"),
    ("旗人力资源和社会保障局", "城镇职工养老保险待遇申领", "payment", "退休 领养老金"),
    ("旗自来水公司", "供水报装", "public_service", "装水 接自来水"),
    ("旗供电分公司", "低压用电报装", "public_service", "装电 通电"),
    ("旗医疗保障局", "医疗保险费用报销", "payment", "看病报销 医药费"),
    ("旗住房和城乡建设局", "建筑工程施工许可", "licensing", "盖房子 开工"),
    ("旗林业和草原局", "林木采伐许可证核发", "licensing", "砍树 采伐"),
    ("旗自然资源局", "农村村民宅基地审批", "licensing", "宅基地 盖房子"),
    ("旗残疾人联合会", "残疾人证新办", "public_service", "残疾证"),
    ("旗农牧局", "动物检疫合格证明", "other_power", "卖牛羊 检疫"),
)
LAWS = (
    "《中华人民共和国行政许可法》",
    "《中华人民共和国食品安全法》第三十五条",
    "《不动产登记暂行条例》第三条",
    "《中华人民共和国社会保险法》第十六条",
    "《中华人民共和国户口登记条例》第七条",
    "《优化营商环境条例》第十九条",
    "《内蒙古自治区政务服务条例》",
)

# (label, query, extra keyword arguments); {…} placeholders are filled in from the built data.
QUERIES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("exact local", "不动产转移登记", {}),
    ("exact local", "食品经营许可（新办）", {}),
    ("exact local", "企业设立登记", {}),
    ("exact local", "居民身份证换领", {}),
    ("exact sample", "{sample_name_0}", {}),
    ("exact sample", "{sample_name_1}", {}),
    ("exact sample", "{sample_name_2}", {}),
    ("people", "开饭店", {}),
    ("people", "买房过户", {}),
    ("people", "生孩子", {}),
    ("people", "上户口", {}),
    ("people", "退休", {}),
    ("people", "装水", {}),
    ("people", "看病报销", {}),
    ("people", "注销公司", {}),
    ("people", "开超市", {}),
    ("people", "身份证", {}),
    ("catalog word", "营业执照", {}),
    ("catalog word", "养老保险", {}),
    ("common", "许可", {}),
    ("common", "登记", {}),
    ("common", "办理 许可 登记 备案", {}),
    ("single char", "证", {}),
    ("single char", "羊", {}),
    ("rare", "采伐", {}),
    ("rare", "宅基地", {}),
    ("no hit", "火星移民", {}),
    ("no hit", "xyzzy", {}),
    ("department", "登记", {"department_id": "{department_id}"}),
    ("code", "{implementation_code}", {}),
    ("deep page", "许可", {"offset": 200}),
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.catalog_search", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--items", type=int, default=56_000, help="handling items to build (default 56000)")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each query (default 20)")
    parser.add_argument("--database-url", default=None, help=f"PostgreSQL (default {DEFAULT_POSTGRES_URL})")
    parser.add_argument(
        "--covering-index",
        action="store_true",
        help="also create an index on (term, item_id, weight), to measure what it would bring",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 100 <= args.items <= 500_000:
        parser.error("--items must be between 100 and 500000")
    if not 1 <= args.repeat <= 1000:
        parser.error("--repeat must be between 1 and 1000")
    return args


# ——— parent: one child process per engine ———


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return _child(args)
    engines = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        f"catalog_search · commit {code_commit()} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPUs · "
        f"{args.items} items · {args.repeat} runs × {len(QUERIES)} queries",
        flush=True,
    )
    outcomes: list[dict[str, Any]] = []
    status = 0
    for engine in engines:
        try:
            outcome = _run_engine(engine, args)
        except _Unavailable as error:
            print(f"  ! {engine}: {error}", file=sys.stderr, flush=True)
            status = max(status, 2)
            continue
        except RuntimeError as error:
            print(f"  ! {engine}: {error}", file=sys.stderr, flush=True)
            status = 1
            continue
        outcomes.append(outcome)
        if outcome["p95_ms"] > TARGET_P95_MS:
            status = max(status, 1)
    if outcomes:
        print()
        print(_table(outcomes))
        print()
        for outcome in outcomes:
            slow = ", ".join(f"{q} {ms:.1f}" for q, ms in outcome["slowest_p95_ms"])
            print(f"{outcome['engine']}: slowest queries (p95 ms): {slow}")
        print()
        for outcome in outcomes:
            print(json.dumps({"bench": "catalog_search", **outcome}, ensure_ascii=False))
    return status


class _Unavailable(RuntimeError):
    pass


def _run_engine(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="yichuang-bench-search-") as scratch:
        if engine == "sqlite":
            url = f"sqlite:///{Path(scratch) / 'bench_catalog.sqlite3'}"
        else:
            from bench.server import BenchError, PostgresUnavailable, recreate_database

            url = args.database_url or os.environ.get("BENCH_CATALOG_DATABASE_URL") or DEFAULT_POSTGRES_URL
            try:
                recreate_database(url)
            except PostgresUnavailable as error:
                raise _Unavailable(str(error)) from error
            except BenchError as error:
                raise RuntimeError(str(error)) from error
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "YICHUANG_DEBUG": "0",
                "YICHUANG_DB_CONN_MAX_AGE": "60",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.pop("REDIS_URL", None)
        command = [
            sys.executable,
            "-m",
            "bench.catalog_search",
            "--child",
            "--db",
            engine,
            "--items",
            str(args.items),
            "--repeat",
            str(args.repeat),
            *(["--covering-index"] if args.covering_index else []),
        ]
        print(f"  {engine}: building {args.items} items …", flush=True)
        done = subprocess.run(
            command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=3600, check=False
        )
        try:
            if done.returncode != 0:
                raise RuntimeError(f"child failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
            for line in done.stdout.splitlines():
                if line.startswith("{"):
                    outcome = json.loads(line)
                    print(
                        f"  {engine}: built in {outcome['build_s']:.1f} s, "
                        f"indexed in {outcome['index_s']:.1f} s, p95 {outcome['p95_ms']:.1f} ms",
                        flush=True,
                    )
                    return dict(outcome)
            raise RuntimeError(f"child printed no figures:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        finally:
            if engine == "postgres":
                _drop_postgres(url)


def _drop_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    from bench.server import _parse_database_url

    target = _parse_database_url(url)
    try:
        with psycopg.connect(**target.connect_kwargs("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target.dbname)))
    except psycopg.Error as error:  # left in place; the next run drops it first anyway
        print(f"  (could not drop {target.dbname}: {error})", file=sys.stderr)


def _table(outcomes: list[dict[str, Any]]) -> str:
    header = ("engine", "items", "postings", "queries", "p50 ms", "p95 ms", "max ms", "build s", "index s")
    rows = [
        (
            o["engine"],
            str(o["items"]),
            str(o["postings"]),
            str(o["measurements"]),
            f"{o['p50_ms']:.1f}",
            f"{o['p95_ms']:.1f}",
            f"{o['max_ms']:.1f}",
            f"{o['build_s']:.1f}",
            f"{o['index_s']:.1f}",
        )
        for o in outcomes
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in [header, *rows]]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


# ——— child: build and measure on one engine ———


def _child(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    facts = _build(args.items)
    build_s = time.perf_counter() - started

    from yichuang.catalog.search import search_items, search_rebuild_all

    started = time.perf_counter()
    items, postings = search_rebuild_all(batch_size=2000)
    index_s = time.perf_counter() - started
    if args.covering_index:
        with connection.cursor() as cursor:
            cursor.execute("CREATE INDEX bench_search_cover ON catalog_searchentry (term, item_id, weight)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    timings: dict[str, list[float]] = {}
    hits: dict[str, int] = {}
    for _label, raw_query, raw_kwargs in QUERIES:
        query = raw_query.format(**facts)
        kwargs = {k: (int(v.format(**facts)) if isinstance(v, str) else v) for k, v in raw_kwargs.items()}
        key = query + (f" [{','.join(f'{k}={v}' for k, v in kwargs.items())}]" if kwargs else "")
        search_items(query=query, **kwargs)  # warm-up: synonyms, catalog size, jieba, plans
        runs = timings.setdefault(key, [])
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            results = search_items(query=query, **kwargs)
            runs.append((time.perf_counter() - t0) * 1000)
        hits[key] = results.total
    everything = sorted(ms for runs in timings.values() for ms in runs)
    per_query_p95 = {key: _percentile(sorted(runs), 95) for key, runs in timings.items()}
    outcome = {
        "engine": connection.vendor + (" +cover" if args.covering_index else ""),
        "items": items,
        "postings": postings,
        "measurements": len(everything),
        "p50_ms": round(_percentile(everything, 50), 2),
        "p95_ms": round(_percentile(everything, 95), 2),
        "max_ms": round(everything[-1], 2),
        "build_s": round(build_s, 1),
        "index_s": round(index_s, 1),
        "slowest_p95_ms": sorted(per_query_p95.items(), key=lambda kv: -kv[1])[:5],
        "totals": hits,
    }
    print(json.dumps(outcome, ensure_ascii=False))
    return 0


def _percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return 0.0
    rank = max(1, round(pct / 100 * len(ordered) + 0.499))
    return ordered[min(rank, len(ordered)) - 1]


def _credit_code(serial: int) -> str:
    from stdnum.cn import uscc

    from yichuang.accounts.demo import organisation_code

    first17 = "12" + "150824" + organisation_code(f"7{serial:07d}")
    return first17 + uscc.calc_check_digit(first17)


def _base_items() -> list[tuple[str, str, str, str]]:
    """(department, name, item type, keywords): the county's own items, then the sample catalog."""
    from yichuang.catalog.search import search_synonyms

    synonyms = search_synonyms()
    by_word: dict[str, list[str]] = {}
    for phrase, words in synonyms.items():
        for word in words:
            by_word.setdefault(word, []).append(phrase)
    rows: list[tuple[str, str, str, str]] = list(LOCAL_ITEMS)
    if SAMPLE_CSV.exists():
        with SAMPLE_CSV.open(encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                name = record["name"].strip()[:150]
                department = "旗" + record["department"].strip().removeprefix("广安").removeprefix("区")
                said = sorted({p for word, phrases in by_word.items() if word in name for p in phrases})[:4]
                rows.append(
                    (department, name, TASK_TYPES.get(record["taskType"], "public_service"), " ".join(said))
                )
    else:  # a small stand-in so the bench still runs without the sample
        for number in range(300):
            rows.append(("旗政务服务局", f"政务服务事项{number:03d}号办理", "public_service", "办事"))
    return rows


def _build(count: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from yichuang.accounts.models import Department
    from yichuang.catalog.models import ItemVersion, ServiceItem

    base = _base_items()
    now = timezone.now()
    serial = 0
    with transaction.atomic():
        root = Department.add_root(name="乌拉特中旗人民政府", kind="government", division_code="150824000000")
        county: dict[str, Any] = {}
        for name in dict.fromkeys(row[0] for row in base):
            serial += 1
            county[name] = root.add_child(
                name=name, kind="agency", division_code="150824000000", credit_code=_credit_code(serial)
            )
            root.refresh_from_db()
        stations = []
        for township in TOWNSHIPS:
            serial += 1
            stations.append(
                root.add_child(
                    name=f"{township}便民服务中心",
                    short_name=township,
                    kind="township_station",
                    division_code="150824100000",
                    credit_code=_credit_code(serial),
                )
            )
            root.refresh_from_db()
    bodies: list[Any] = [None, *stations]  # None: the county department of the item itself
    combos = [(body, variant) for body in bodies for variant in VARIANTS]
    plan: list[tuple[Any, str, int, int]] = []
    for combo_index, (body, variant) in enumerate(combos):
        for base_index in range(len(base)):
            plan.append((body, variant, base_index, combo_index))
            if len(plan) >= count:
                break
        if len(plan) >= count:
            break
    if len(plan) < count:
        raise RuntimeError(f"only {len(plan)} distinct items can be made from the sample")

    batch = 5000
    for start in range(0, len(plan), batch):
        chunk = plan[start : start + batch]
        with transaction.atomic():
            items = []
            versions_data = []
            for body, variant, base_index, _combo in chunk:
                department_name, name, item_type, keywords = base[base_index]
                department = body or county[department_name]
                level = "5" if body is not None else "4"
                basic_code = f"{base_index:06d}{VARIANTS.index(variant):06d}"
                full_name = f"{name}{variant}"[:200]
                items.append(
                    ServiceItem(
                        kind="handling",
                        department=department,
                        level=level,
                        basic_code=basic_code,
                        name=full_name,
                        implementation_code=f"{department.credit_code}{level}{basic_code}",
                        status="active",
                    )
                )
                versions_data.append((full_name, item_type, keywords, department))
            ServiceItem.objects.bulk_create(items)
            versions = []
            for item, (full_name, item_type, keywords, department) in zip(items, versions_data, strict=True):
                promised = 1 + item.pk % 15
                versions.append(
                    ItemVersion(
                        item=item,
                        number=1,
                        change_kind="import",
                        published_at=now,
                        implementation_code=item.implementation_code,
                        name=full_name,
                        item_type=item_type,
                        legal_basis=LAWS[item.pk % len(LAWS)],
                        case_kind="1" if item.pk % 4 == 0 else "2",
                        acceptance_conditions=f"申请人符合{full_name}的法定条件，材料齐全、符合法定形式。",
                        legal_days=max(promised, 20),
                        promised_days=promised,
                        result_name=f"{full_name}决定书" if item_type == "licensing" else "",
                        keywords=keywords,
                        plain_summary=f"{department.name}办理{full_name}，可在{department}窗口或网上申请。",
                        handling_place=f"{department.name}综合窗口",
                    )
                )
            ItemVersion.objects.bulk_create(versions)
    items_table = connection.ops.quote_name(ServiceItem._meta.db_table)
    versions_table = connection.ops.quote_name(ItemVersion._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {items_table} SET current_version_id = "
            f"(SELECT v.id FROM {versions_table} v WHERE v.item_id = {items_table}.id)"
        )
    sample = [row[1] for row in base[len(LOCAL_ITEMS) : len(LOCAL_ITEMS) + 3]]
    while len(sample) < 3:
        sample.append(base[0][1])
    some_item = ServiceItem.objects.order_by("pk").values_list("implementation_code", "department_id")[7]
    return {
        "sample_name_0": sample[0],
        "sample_name_1": sample[1],
        "sample_name_2": sample[2],
        "implementation_code": some_item[0],
        "department_id": some_item[1],
    }


if __name__ == "__main__":
    sys.exit(main())
