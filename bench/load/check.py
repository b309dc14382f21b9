"""The load test's shell side that needs the service: the Celery queue sampled over the run, then the
drain, the database checks and the summary table against the goals.

    python bench/load/check.py drain RUN      # before the load: wait until the seeding's tasks are done
    python bench/load/check.py sample RUN     # every 5 s until killed: RUN/queue.csv
    python bench/load/check.py report RUN     # after Locust: wait for the drain, check, summarise

``report`` reads Locust's ``RUN/locust_stats.csv`` and ``RUN/ended`` (the end of the load, epoch seconds),
writes ``RUN/summary.md`` and exits 1 when a goal failed.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

QUEUES = ("celery",)  # the only queue: no task is routed elsewhere (backend/celery.py, settings)
P95_JSON_MS = 300
P95_PHOTO_MS = 1500
DRAIN_S = 60
DRAIN_WAIT_S = int(os.environ.get("LOAD_DRAIN_WAIT", "600"))


def backlog() -> dict[str, int]:
    """What is still to be done: messages waiting in the queue, taken but not acknowledged (late
    acknowledgement: Redis keeps them in ``unacked``), outbox rows not yet handed to the broker."""
    import redis
    from django.conf import settings

    from kernel.outbox.models import OutboxMessage

    r = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    out = {q: int(r.llen(q)) for q in QUEUES}
    out["unacked"] = int(r.hlen("unacked"))
    out["outbox"] = OutboxMessage.objects.filter(dispatched_at__isnull=True).count()
    return out


def sample(run: Path) -> None:
    path = run / "queue.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t", *QUEUES, "unacked", "outbox"])
        start = time.time()
        while True:
            b = backlog()
            w.writerow([round(time.time() - start), *(b[k] for k in (*QUEUES, "unacked", "outbox"))])
            f.flush()
            time.sleep(5)


def wait_drained(ended: float) -> tuple[float | None, list[dict[str, int]]]:
    """Seconds after the end of the load until nothing was left (None: not within the wait)."""
    seen = []
    while True:
        b = backlog()
        seen.append(b)
        if not any(b.values()):
            return max(0.0, time.time() - ended), seen
        if time.time() - ended > DRAIN_WAIT_S:
            return None, seen
        time.sleep(1)


def database_checks(seed: dict, stats: dict[str, dict[str, str]]) -> list[tuple[str, bool, str]]:
    """No duplicate inspection, photo or finding; nothing acknowledged lost; every approval in the
    draft scoreboard (the stored draft, recomputed by the worker after each review, equals a fresh
    recomputation from the database now)."""
    from django.db.models import Count, Max

    from checklists.models import Finding, Inspection, InspectionPhoto, Rectification, RectificationPhoto
    from media.models import Photo
    from scoring.assessment.models import Scoreboard
    from scoring.assessment.services import assessment_recompute

    def ok_count(name: str) -> int:
        s = stats.get(name)
        return int(s["Request Count"]) - int(s["Failure Count"]) if s else 0

    load = Inspection.objects.filter(inspector__username__startswith="load-phone-")
    results = []
    dup_inspections = Inspection.objects.values("client_uuid").annotate(n=Count("id")).filter(n__gt=1).count()
    created = load.count()
    expected = ok_count("PUT /inspections/{uuid} (new draft)")
    results.append(
        (
            "inspections: no duplicate client UUID, every acknowledged create stored",
            dup_inspections == 0 and created >= expected,
            f"{dup_inspections} duplicate UUIDs; {created} in the database, {expected} creates answered 201"
            + _cut(created - expected),
        )
    )
    dup_links = (
        InspectionPhoto.objects.values("inspection_id", "photo__sha256")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    dup_photos = Photo.objects.values("sha256").annotate(n=Count("id")).filter(n__gt=1).count()
    photos = InspectionPhoto.objects.filter(inspection__in=load).count()
    repair_photos = RectificationPhoto.objects.filter(uploaded_by__username__startswith="load-phone-").count()
    expected_photos = ok_count("POST /inspections/{uuid}/photos")
    expected_repairs = ok_count("POST /rectifications/{id}/photos")
    results.append(
        (
            "photos: no duplicate SHA-256 per inspection or in the store, every acknowledged upload stored",
            dup_links == 0
            and dup_photos == 0
            and photos >= expected_photos
            and repair_photos >= expected_repairs,
            f"{dup_links} repeated per inspection, {dup_photos} repeated in the store; inspection photos "
            f"{photos} stored / {expected_photos} answered 201, repair photos {repair_photos} / "
            f"{expected_repairs}" + _cut(photos + repair_photos - expected_photos - expected_repairs),
        )
    )
    dup_findings = (
        Finding.objects.values("inspection_id", "revision", "item_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    dup_rects = Rectification.objects.values("finding_id").annotate(n=Count("id")).filter(n__gt=1).count()
    findings = Finding.objects.filter(inspection__in=load).count()
    results.append(
        (
            "findings: none twice for an item of a revision, one rectification each",
            dup_findings == 0 and dup_rects == 0,
            f"{dup_findings} repeated findings, {dup_rects} repeated rectifications; {findings} findings of "
            f"the run's inspections",
        )
    )
    scheme = seed["scheme_key"]
    approved = Inspection.objects.filter(
        status="approved", period=seed["year"], template__key__in=("safety-town", "fire-town")
    )
    last_review = approved.aggregate(m=Max("reviewed_at"))["m"]
    draft = Scoreboard.objects.filter(scheme_key=scheme, status="draft").first()
    fresh = assessment_recompute(scheme_key=scheme)  # what the database says now
    same = draft is not None and draft.content_hash == fresh.content_hash
    after = draft is not None and last_review is not None and draft.computed_at >= last_review
    run_approved = approved.filter(inspector__username__startswith="load-phone-").count()
    results.append(
        (
            "scoreboard: every approval reflected (worker's draft = fresh recomputation)",
            same and after,
            f"{run_approved} of the run's inspections approved ({approved.count()} of the year in all); "
            f"draft computed {'after' if after else 'BEFORE'} the last approval; content hash "
            f"{'equal' if same else 'DIFFERENT'} ({draft.content_hash[:12] if draft else '-'} / "
            f"{fresh.content_hash[:12]})",
        )
    )
    return results


def _cut(n: int) -> str:
    """Rows stored beyond the acknowledged requests: requests Locust cut off at the end of the run (the
    server finished them, the client never read the answer) — more would be a duplicate, fewer a loss."""
    return f" (+{n} cut off by the end of the run)" if n > 0 else ""


def _is_photo(name: str) -> bool:
    return "/photos" in name and name.startswith("POST")


def report(run: Path) -> int:
    ended = float((run / "ended").read_text())
    drained_after, _ = wait_drained(ended)
    seed = json.loads((run / "seed.json").read_text(encoding="utf-8"))
    with (run / "locust_stats.csv").open(newline="") as f:
        stats = {row["Name"]: row for row in csv.DictReader(f)}
    lines = [
        "| endpoint | requests | p50 ms | p95 ms | p99 ms | errors | goal p95 |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    verdicts = []
    total = stats.pop("Aggregated", None)
    for name, s in sorted(stats.items(), key=lambda kv: -int(kv[1]["Request Count"])):
        goal = P95_PHOTO_MS if _is_photo(name) else P95_JSON_MS
        p95 = float(s["95%"] or 0)
        ok = p95 < goal
        verdicts.append(ok)
        lines.append(
            f"| `{name}` | {s['Request Count']} | {s['50%']} | {s['95%']} | {s['99%']} "
            f"| {s['Failure Count']} | < {goal} {'PASS' if ok else 'FAIL'} |"
        )
    if total:
        lines.append(
            f"| **all** | {total['Request Count']} | {total['50%']} | {total['95%']} | {total['99%']} "
            f"| {total['Failure Count']} | |"
        )
    errors = int(total["Failure Count"]) if total else 0
    rate = float(total["Requests/s"]) if total else 0.0
    checks = database_checks(seed, stats)
    with (run / "queue.csv").open(newline="") as f:
        queue = list(csv.DictReader(f))
    peak = max((sum(int(r[k]) for k in (*QUEUES, "unacked", "outbox")) for r in queue), default=0)
    goals = [
        ("0 errors", errors == 0, f"{errors} failed requests"),
        ("p95 < 300 ms JSON, < 1.5 s photo uploads (every endpoint)", all(verdicts), ""),
        (
            f"queue drained within {DRAIN_S} s of the end",
            drained_after is not None and drained_after <= DRAIN_S,
            "not drained"
            if drained_after is None
            else f"{drained_after:.0f} s after the end; peak backlog {peak}",
        ),
        *checks,
    ]
    load1, load5, load15 = os.getloadavg()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    out = [
        f"load test {run.name}: {rate:.1f} requests/s sustained; machine: {os.cpu_count()} cores, "
        f"{mem:.0f} GiB RAM, load average now {load1:.1f} / {load5:.1f} / {load15:.1f}",
        "",
        *lines,
        "",
        "Celery backlog over the run (queue + unacked + outbox, every 5 s): "
        + " ".join(str(sum(int(r[k]) for k in (*QUEUES, "unacked", "outbox"))) for r in queue[::6]),
        "",
        *(
            f"- {'PASS' if ok else 'FAIL'}  {goal}{'  — ' + detail if detail else ''}"
            for goal, ok, detail in goals
        ),
    ]
    text = "\n".join(out)
    (run / "summary.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if all(ok for _, ok, _ in goals) else 1


def main() -> None:
    import django

    django.setup()
    cmd, run = sys.argv[1], Path(sys.argv[2])
    if cmd == "sample":
        sample(run)
    elif cmd == "drain":  # before the load: what seeding queued (the demo's photos, bulletins) is done
        drained, seen = wait_drained(time.time())
        print(f">>> 开始前的 Celery 积压 {sum(seen[0].values())} 项，{drained or 0:.0f} 秒内清空")
        if drained is None:
            sys.exit("开始前的 Celery 积压没有清空 → FAIL")
    else:
        sys.exit(report(run))


if __name__ == "__main__":
    main()
