"""Matching benchmark (点对点匹配): a city with 10,000 open demands and 10,000 resources.

    .venv/bin/python bench/matching.py [--demands 10000] [--resources 10000] [--samples 200] [--seed 7]

Builds the city in a throwaway SQLite database (a temporary directory, migrated from scratch): 6 districts,
36 subdistricts, 216 communities with 3 estates each, all with coordinates within ~15 km of one centre; demands
at estates and communities with resource kinds, head counts, costs and quantities; resources of every kind serving
a community, a subdistrict, a district or the city. Then it measures, with the application's own code
(`gongzhi.lists.matching`):

- ranking candidates for one demand (`candidates_for`, what the candidates page and API call), on SAMPLES random
  demands: p50 and p95 in milliseconds (target p95 ≤ 200 ms);
- a city-wide matching round (`propose(city)`: candidate pairs, then SciPy milp / HiGHS with the round's gap
  and time limit), in seconds (target ≤ 10 s);
- optimality: the round's total score divided by the optimum of the same candidate pairs solved exactly
  (gap 0, no time limit); with --every-pair SECONDS also against the optimum over every eligible pair (a demand's
  candidates not cut to its best few), which HiGHS may not prove in time: then its upper bound is used.

The very last line is: rank_p95_ms=N round_s=N optimality=N
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KIND_UNITS = {"venue": "people", "funds": "yuan", "service": "hours", "volunteer_hours": "hours",
              "equipment": "items"}
DEMAND_TITLES = ["高层二次供水改造", "楼道照明维修", "老年助餐点", "加装电梯", "停车难", "儿童课后托管", "适老化改造",
                 "小区绿化补种", "垃圾分类督导", "社区义诊", "法律咨询", "文化活动场地", "助浴服务", "防汛物资"]
RESOURCE_TITLES = {"venue": ["党群服务中心活动室", "单位会议室", "学校操场"], "funds": ["共建资金", "公益金"],
                   "service": ["法律服务", "义诊服务", "维修服务"], "volunteer_hours": ["志愿服务队"],
                   "equipment": ["防汛沙袋", "轮椅", "健身器材"]}


def _save(area: object) -> None:
    """Save an area and its materialized path (as core's actions do)."""
    area.save()  # type: ignore[attr-defined]
    parent = area.parent  # type: ignore[attr-defined]
    area.path = (parent.path if parent else "/") + f"{area.pk}/"  # type: ignore[attr-defined]
    area.save(update_fields=["path"])  # type: ignore[attr-defined]


def build_city(n_demands: int, n_resources: int, seed: int) -> object:
    from gongzhi.core.models import Area
    from gongzhi.lists.models import Demand, Resource

    rng = random.Random(seed)
    lat0, lon0 = 30.66, 104.06

    def make(name: str, level: str, parent: Area | None) -> Area:
        area = Area(name=name, level=level, parent=parent,
                    latitude=lat0 + rng.uniform(-0.13, 0.13), longitude=lon0 + rng.uniform(-0.15, 0.15))
        _save(area)
        return area

    city = make("基准市", "city", None)
    subdistricts: list[Area] = []
    communities: list[Area] = []
    estates: list[Area] = []
    districts = [make(f"第{d + 1}区", "district", city) for d in range(6)]
    for d, district in enumerate(districts):
        for s in range(6):
            subdistrict = make(f"{d + 1}-{s + 1}街道", "subdistrict", district)
            subdistricts.append(subdistrict)
            for c in range(6):
                community = make(f"{d + 1}-{s + 1}-{c + 1}社区", "community", subdistrict)
                communities.append(community)
                for e in range(3):
                    estate = Area(name=f"{community.name}{e + 1}号小区", level="estate", parent=community,
                                  latitude=(community.latitude or lat0) + rng.uniform(-0.006, 0.006),
                                  longitude=(community.longitude or lon0) + rng.uniform(-0.006, 0.006))
                    _save(estate)
                    estates.append(estate)
    kinds = list(KIND_UNITS)
    demands = []
    for i in range(n_demands):
        area = rng.choice(estates) if rng.random() < 0.6 else rng.choice(communities)
        wanted = rng.sample(kinds, rng.choice((1, 1, 2)))
        demands.append(Demand(
            title=f"{rng.choice(DEMAND_TITLES)}（{i}）", description="居民反映" + rng.choice(DEMAND_TITLES),
            area=area, resource_kinds=wanted, beneficiary_count=rng.randint(5, 120),
            cost_estimate=Decimal(rng.randint(2, 200) * 1000) if "funds" in wanted else None,
            need_quantity=rng.randint(1, 40), source="manual"))
    Demand.objects.bulk_create(demands, batch_size=2000)
    resources = []
    for i in range(n_resources):
        kind = rng.choice(kinds)
        roll = rng.random()
        area = (rng.choice(communities) if roll < 0.7 else rng.choice(subdistricts) if roll < 0.9
                else rng.choice(districts) if roll < 0.98 else city)
        unit = KIND_UNITS[kind]
        capacity = {"people": rng.randint(20, 300), "yuan": rng.randint(10, 2000) * 1000,
                    "hours": rng.randint(20, 600), "items": rng.randint(10, 300)}[unit]
        resources.append(Resource(
            kind=kind, title=f"{rng.choice(RESOURCE_TITLES[kind])}（{i}）", description="驻区单位提供",
            area=area, place=rng.choice(estates) if area.level == "community" else None,
            capacity_unit=unit, capacity=Decimal(capacity)))
    Resource.objects.bulk_create(resources, batch_size=2000)
    return city


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demands", type=int, default=10_000)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exact-limit", type=float, default=240.0,
                        help="seconds for the exact (gap 0) solve; if it stops there, optimality is a lower bound")
    parser.add_argument("--every-pair", type=float, default=0.0, metavar="SECONDS",
                        help="also solve with every eligible pair (not only each demand's best candidates) for up to "
                             "SECONDS, and compare the round with that optimum's upper bound (0: skip)")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="gongzhi-bench-matching-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["GONGZHI_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    import numpy as np

    from gongzhi.lib import matching as lib
    from gongzhi.lists import matching
    from gongzhi.lists.models import Demand

    started = time.perf_counter()
    city = build_city(args.demands, args.resources, args.seed)
    print(f"city built in {time.perf_counter() - started:.1f} s: {Demand.objects.count()} open demands, "
          f"{args.resources} resources")

    rng = random.Random(args.seed + 1)
    ids = list(Demand.objects.values_list("pk", flat=True))
    sample = [Demand.objects.select_related("area").get(pk=pk) for pk in rng.sample(ids, min(args.samples, len(ids)))]
    matching.candidates_for(sample[0])  # warm-up (jieba, imports)
    times = []
    found = 0
    for demand in sample:
        t0 = time.perf_counter()
        found += bool(matching.candidates_for(demand))
        times.append((time.perf_counter() - t0) * 1000)
    p50, p95 = float(np.percentile(times, 50)), float(np.percentile(times, 95))
    print(f"ranking one demand: p50={p50:.1f} ms p95={p95:.1f} ms over {len(times)} demands "
          f"({found} with candidates)")

    t0 = time.perf_counter()
    proposal = matching.propose(city)  # type: ignore[arg-type]
    round_s = time.perf_counter() - t0
    a = proposal.assignment
    print(f"city round: {round_s:.2f} s, {proposal.demands} demands × {proposal.resources} resources, "
          f"{proposal.candidate_pairs} candidate pairs, {len(proposal.pairs)} matched, solver {a.status} "
          f"in {a.seconds:.2f} s, total score {a.objective:.3f}")

    problem, rows, cols, scores, amounts = matching.round_problem(city)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    exact = lib.solve_assignment(rows, cols, scores, amounts, problem.r_remaining, gap=0.0,
                                 time_limit=args.exact_limit)
    # HiGHS's gap is |primal − dual| / |primal|: the optimum is at most objective × (1 + gap).
    bound = max(exact.objective, a.objective) * (1 + exact.details.get("mip_gap", 0.0)) \
        if exact.status != "optimal" else exact.objective
    print(f"exact solve (gap 0, limit {args.exact_limit:.0f} s): {time.perf_counter() - t0:.2f} s, status "
          f"{exact.status}, best {exact.objective:.3f}, upper bound on the optimum {bound:.3f}"
          + ("" if exact.status == "optimal" else " (optimality below is a lower bound)"))
    optimality = a.objective / bound if bound > 0 else 1.0
    if args.every_pair > 0:
        # The round keeps each demand's best ROUND_CANDIDATES pairs; here every eligible pair is given to the solver.
        kept = matching.ROUND_CANDIDATES
        matching.ROUND_CANDIDATES = 10**9
        problem, rows, cols, scores, amounts = matching.round_problem(city)  # type: ignore[arg-type]
        matching.ROUND_CANDIDATES = kept
        t0 = time.perf_counter()
        full = lib.solve_assignment(rows, cols, scores, amounts, problem.r_remaining, gap=0.0,
                                    time_limit=args.every_pair)
        full_bound = full.objective * (1 + full.details.get("mip_gap", 0.0)) if full.status != "optimal" \
            else full.objective
        full_bound = max(full_bound, a.objective)
        print(f"every eligible pair ({rows.size} pairs, limit {args.every_pair:.0f} s): {time.perf_counter() - t0:.1f} s, "
              f"status {full.status}, best {full.objective:.3f}, upper bound on the optimum {full_bound:.3f}; "
              f"round / that bound ≥ {a.objective / full_bound:.5f}")
    print(f"rank_p95_ms={p95:.1f} round_s={round_s:.2f} optimality={optimality:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
