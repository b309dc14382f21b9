"""The phone's engine (fieldapp/static/fieldapp/js/engine.js, evidence.js) against the server's, in Chromium.

Every template of checklists/templates/ and hand-made corner templates (caps, bonus / penalty caps, an
all-不适用 section, repeating decimals, a rounding tie of the 28-digit Decimal context) are scored by both
for several hundred seeded answer sets each — every kind, 不适用, unanswered, boundary values, caps reached,
vetoes and a share of answers the server refuses. The answers the server scores are the JSON the page
itself would PUT (``JSON.stringify`` in the browser), so numbers reach it exactly as they would. One
``evaluate`` per batch keeps the test to seconds.
"""

from __future__ import annotations

import json
import random
import uuid
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from checklists.services.inspection_shared import to_domain_answers
from checklists.services.inspection_submit import score_json
from checklists.services.templates import templates_sync
from checklists.templates import load_directory, parse, spec_from_document
from geo.coords import LonLat, distance_m
from kernel.kit import decimal_text
from media.checks import Thresholds, device_window, evidence_flags
from scoring.engine.checklist import (
    Answer,
    AnswerError,
    ItemSpec,
    TemplateSpec,
    missing_answers,
    round_half_up,
    score,
    validate_answer,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # the bare shell of main links no icon yet (i17-app's manifest and icons will): not this test's concern
    pytest.mark.allow_console_errors("/favicon.ico"),
]

ENGINE_JS = """
async ({doc, cases}) => {
  const m = await import("/static/fieldapp/js/engine.js");
  const document = JSON.parse(doc);
  const items = Object.fromEntries(document.sections.flatMap((s) => s.items.map((i) => [i.key, i])));
  const run = (f) => {
    try { return {ok: f()}; } catch (e) { return {error: [e.key ?? null, e.message, e.name]}; }
  };
  return JSON.parse(cases).map(({answers, photos}) => ({
    wire: JSON.stringify(answers),
    score: run(() => m.scoreInspection(document, answers, photos, {strict: true})),
    missing: run(() => m.missingAnswers(document, answers, photos, {strict: true})),
    lenient: run(() => [
      m.scoreInspection(document, answers, photos), m.missingAnswers(document, answers, photos)]),
    errors: Object.fromEntries(Object.keys(answers).filter((k) => k in items)
      .map((k) => [k, m.answerError(items[k], answers[k])])),
  }));
}
"""


def _run(f: Callable[[], Any]) -> dict[str, Any]:
    try:
        return {"ok": f()}
    except AnswerError as exc:
        return {"error": [exc.key, exc.message, "AnswerError"]}


def server_side(spec: TemplateSpec, wire: str, photos: dict[str, int]) -> dict[str, Any]:
    """What the server makes of the answers the page would PUT: the score, the submit check, each answer."""
    stored = json.loads(wire)
    answers = to_domain_answers(stored, photos)
    items = spec.items()

    def error(item: ItemSpec, raw: dict[str, Any]) -> str | None:
        try:
            validate_answer(item, Answer(value=raw.get("value"), na=bool(raw.get("na"))))
        except AnswerError as exc:
            return exc.message
        return None

    errors = {k: error(items[k], raw) for k, raw in stored.items() if k in items}
    # what the phone shows while an answer is refused: the score of the answers the server accepts
    accepted = to_domain_answers(
        {k: (raw if errors[k] is None else {}) for k, raw in stored.items() if k in items}, photos
    )
    return {
        "wire": wire,
        "score": _run(lambda: score_json(score(spec, answers))),
        "missing": _run(lambda: missing_answers(spec, answers)),
        "lenient": _run(lambda: [score_json(score(spec, accepted)), missing_answers(spec, accepted)]),
        "errors": errors,
    }


def compare(page: Any, document: dict[str, Any], cases: list[dict[str, Any]]) -> dict[str, int]:
    """Run ``cases`` through both engines; fail on the first differences, each shown whole."""
    page.goto("/m/")
    phone: list[dict[str, Any]] = []
    for i in range(0, len(cases), 250):
        batch = json.dumps(cases[i : i + 250], ensure_ascii=False)
        phone += page.evaluate(ENGINE_JS, {"doc": json.dumps(document, ensure_ascii=False), "cases": batch})
    assert len(phone) == len(cases)
    spec = spec_from_document(json.loads(json.dumps(document)))  # as stored and sent by the catalogue
    differences = []
    tally = {"scored": 0, "refused": 0, "incomplete": 0, "complete": 0, "vetoed": 0, "capped": 0}
    for case, mine in zip(cases, phone, strict=True):
        theirs = server_side(spec, mine["wire"], case["photos"])
        if mine != theirs:
            differences.append((case, mine, theirs))
        if "ok" in theirs["score"]:
            tally["scored"] += 1
            tally["vetoed"] += theirs["score"]["ok"]["vetoed"]
            tally["capped"] += any(s["capped"] for s in theirs["score"]["ok"]["sections"])
        else:
            tally["refused"] += 1
        tally["incomplete"] += bool(theirs["missing"].get("ok"))
        tally["complete"] += theirs["missing"].get("ok") == {}
    if differences:
        shown = "\n\n".join(
            f"answers {json.dumps(c, ensure_ascii=False)}\nphone  {json.dumps(m, ensure_ascii=False)}\n"
            f"server {json.dumps(t, ensure_ascii=False)}"
            for c, m, t in differences[:3]
        )
        pytest.fail(f"{len(differences)} of {len(cases)} answer sets differ, e.g.:\n{shown}")
    print(f"{document['key']}: {tally}")  # what the sets reached, shown with -s
    return tally


# --- seeded answer sets ------------------------------------------------------------------------------------


def _number(rng: random.Random, x: Decimal) -> Any:
    """``x`` as a phone may send it: a JSON int, a float (non-integral: JS has no 3.0) or a string."""
    form = rng.random()
    if form < 0.2:
        return f"{x}" if rng.random() < 0.5 else f"{x:.2f}"
    if x == x.to_integral_value():
        return int(x)
    return float(x)


def _upto(rng: random.Random, top: Decimal) -> Decimal:
    places = rng.choice([0, 0, 1, 2])
    step = Decimal(1).scaleb(-places)
    n = int(top / step) if top > 0 else 0
    return rng.randint(0, max(n, 0)) * step


def valid_value(rng: random.Random, raw: dict[str, Any]) -> Any:
    kind, points = raw["kind"], Decimal(str(raw.get("points", 0)))
    per = Decimal(str(raw.get("per", 0)))
    if kind in {"check", "veto"}:
        return rng.random() < 0.75 if kind == "check" else rng.random() < 0.15
    if kind in {"deduct", "bonus", "penalty"} and per > 0:
        most = int(points / per) + 2
        return rng.choice([0, 0, 1, rng.randint(0, most), most, most - 2])
    if kind in {"score", "deduct", "bonus", "penalty"}:
        return _number(rng, rng.choice([Decimal(0), points, points / 2, _upto(rng, points)]))
    if kind == "measure":
        limits = [Decimal(str(raw[k])) for k in ("min_ok", "max_ok") if raw.get(k) is not None]
        at = rng.choice(limits)
        x = rng.choice([at, at + Decimal("0.01"), max(at - Decimal("0.01"), Decimal(0)), _upto(rng, at * 2)])
        return "１２" if rng.random() < 0.03 else _number(rng, x)
    capture = raw.get("capture")
    return {
        "text": lambda: rng.choice(["", "正常", "设备运行记录齐全" * 10]),
        "number": lambda: rng.choice([3, 2.5, "1e3", "-4", "0.10", 1e-05, 1.5e17, 10**21]),
        "choice": lambda: rng.choice([str(c) for c in raw.get("choices") or ["?"]]),
        "date": lambda: rng.choice(
            ["2026-12-01", "20261201", "2026-W49-2", "2026W492", "2026-W49", "2020-W53"]
        ),
        "geopoint": lambda: rng.choice(
            [
                {"lon": 121.17, "lat": 31.9},
                {"lon": "121.1", "lat": 31, "datum": "gcj02"},
                {"lon": -180, "lat": 90},
            ]
        ),
        "photo": lambda: True,
    }[capture]()


def invalid_value(rng: random.Random, raw: dict[str, Any]) -> Any:
    kind, points = raw["kind"], Decimal(str(raw.get("points", 0)))
    if kind in {"check", "veto"}:
        return rng.choice(["yes", 1, 0, "true", [], {}])
    if kind in {"deduct", "bonus", "penalty"} and Decimal(str(raw.get("per", 0))) > 0:
        return rng.choice([1.5, -1, True, "2", None])
    if kind in {"score", "deduct", "bonus", "penalty"}:
        return rng.choice(
            [
                float(points) + 0.5,
                -0.5,
                "abc",
                True,
                "NaN",
                "Infinity",
                "1e999",
                [],
                "-0",
                "1e-999999999",
                "0E-25",
                "1" * 29,
                "1e16",
                "9999999999999999",
            ]
        )
    if kind == "measure":
        return rng.choice([-0.1, "x", "inf", [], "1 2", " 7.5 ", "7_5", "٣", "1e-21", "1E+16", 1e300])
    capture = raw.get("capture")
    return {
        "text": lambda: rng.choice([5, "长" * 2001, False]),
        "number": lambda: rng.choice(["abc", True, "sNaN", {}]),
        "choice": lambda: rng.choice(["不存在", 1, None]),
        "date": lambda: rng.choice(
            ["2026-02-30", "2026/12/01", "2024W53", 20261201, "0000-01-01", "2026-1-01"]
        ),
        "geopoint": lambda: rng.choice(
            [
                {"lon": 200, "lat": 0},
                {"lon": 1},
                {"lon": 1, "lat": 2, "datum": "utm"},
                [1, 2],
                {"lon": "x", "lat": 1},
            ]
        ),
        "photo": lambda: rng.choice(["x", False, 1]),
    }[capture]()


def answer_sets(document: dict[str, Any], seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    items = [i for s in document["sections"] for i in s["items"]]
    cases = []
    for _ in range(n):
        mode = rng.random()  # some sets nearly complete, some nearly empty, most between
        fill = 1.0 if mode < 0.3 else (0.15 if mode < 0.4 else 0.75)
        answers: dict[str, Any] = {}
        photos: dict[str, int] = {}
        for raw in items:
            key = raw["key"]
            if raw.get("photos", "none") != "none" or raw.get("capture") == "photo":
                photos[key] = 3 if fill == 1.0 else rng.choice([0, 0, 1, 1, 2, 3])
                if photos[key] == 0 and rng.random() < 0.5:
                    del photos[key]
            r = rng.random()
            if r > fill:
                continue
            if raw.get("allow_na") and rng.random() < 0.3:
                answers[key] = {"value": None, "na": True}
            elif rng.random() < 0.05:
                answers[key] = {"value": None, "comment": "稍后补充"}
            else:
                answers[key] = {"value": valid_value(rng, raw)}
        if rng.random() < 0.15:
            raw = rng.choice(items)
            answers[raw["key"]] = (
                {"value": None, "na": True}
                if not raw.get("allow_na") and rng.random() < 0.2
                else {"value": invalid_value(rng, raw)}
            )
        if rng.random() < 0.02:
            answers["no.such-item"] = {"value": True}
        cases.append({"answers": answers, "photos": photos})
    return cases


TEMPLATES = {t.spec.key: t.document for t in load_directory()}


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_the_phone_scores_every_template_as_the_server_does(page, key):
    tally = compare(page, TEMPLATES[key], answer_sets(TEMPLATES[key], seed=zlib.crc32(key.encode()), n=400))
    # the seeded sets reach what they are meant to: scores, refusals, incomplete submits, vetoes
    assert tally["scored"] > 250 and tally["refused"] > 20
    assert tally["incomplete"] > 100 and tally["complete"] > 20
    kinds = {i["kind"] for s in TEMPLATES[key]["sections"] for i in s["items"]}
    assert tally["vetoed"] > 0 or "veto" not in kinds


# --- hand-made corners -----------------------------------------------------------------------------------

CORNERS = {
    "key": "corners",
    "version": 1,
    "title": "边界",
    "domain": "safety",
    "subject_kind": "town",
    "bonus_cap": 3,
    "penalty_cap": 4,
    "sections": [
        {"key": "capped", "title": "封顶", "cap": 10, "items": [
            {"key": "c.a", "kind": "check", "title": "a", "points": 6, "photos": "on_fail", "min_photos": 2},
            {"key": "c.b", "kind": "score", "title": "b", "points": 2.5, "allow_na": True},
            {"key": "c.c", "kind": "deduct", "title": "c", "points": 5, "per": 0.3},
            {"key": "c.d", "kind": "measure", "title": "d", "points": "1.25", "min_ok": 6, "max_ok": "8.50",
             "unit": "mg/L"},
        ]},
        {"key": "all-na", "title": "全部不适用", "cap": 4, "items": [
            {"key": "n.a", "kind": "check", "title": "a", "points": 3, "allow_na": True},
            {"key": "n.b", "kind": "deduct", "title": "b", "points": 7, "allow_na": True},
        ]},
        {"key": "thirds", "title": "循环小数", "items": [
            {"key": "t.a", "kind": "check", "title": "a", "points": 3},
            {"key": "t.b", "kind": "check", "title": "b", "points": 7, "required": False},
            {"key": "t.c", "kind": "measure", "title": "c", "max_ok": 60, "unit": "人"},
            {"key": "t.d", "kind": "info", "title": "d", "capture": "choice",
             "choices": ["一", 2, 2.5, True]},
            {"key": "t.e", "kind": "info", "title": "e", "capture": "photo", "min_photos": 3},
            {"key": "t.f", "kind": "info", "title": "f", "capture": "date", "required": False},
        ]},
        {"key": "extra", "title": "加减分", "items": [
            {"key": "x.bonus", "kind": "bonus", "title": "加分", "points": 2, "per": 1},
            {"key": "x.bonus2", "kind": "bonus", "title": "加分2", "points": 5, "per": 0.5},
            {"key": "x.tiny", "kind": "bonus", "title": "小数加分", "points": 1},
            {"key": "x.pen", "kind": "penalty", "title": "扣分", "points": 3, "per": 2},
            {"key": "x.pen2", "kind": "penalty", "title": "扣分2", "points": 2},
            {"key": "x.veto", "kind": "veto", "title": "否决", "photos": "required"},
        ]},
    ],
}  # fmt: skip

# Cases the seeded sets would rarely meet: a bonus of 5E-26 on a full score makes 100 + 5E-26 a tie at the
# 28th digit (half-even keeps 100.0000…0, half-up would not), which the penalty then brings below the clamp.
ALL_OK = {"c.a": {"value": True}, "c.b": {"value": 2.5}, "c.c": {"value": 0}, "c.d": {"value": 7},
          "n.a": {"value": True}, "n.b": {"value": 0}, "t.a": {"value": True}, "t.b": {"value": True},
          "t.c": {"value": 3}, "x.veto": {"value": False}}  # fmt: skip
CORNER_CASES = [
    {"answers": ALL_OK | {"x.tiny": {"value": "0.00000000000000000000000005"}, "x.pen2": {"value": 1}}},
    {"answers": ALL_OK | {"x.tiny": {"value": "0.00000000000000000000000015"}, "x.pen2": {"value": 2}}},
    {"answers": ALL_OK | {"n.a": {"na": True}, "n.b": {"na": True}, "c.b": {"na": True}}},
    {"answers": ALL_OK | {"t.a": {"value": False}, "x.bonus": {"value": 9}, "x.bonus2": {"value": 9}}},
    {"answers": ALL_OK | {"x.pen": {"value": 5}, "x.pen2": {"value": 2}, "x.veto": {"value": True}}},
    {"answers": {k: {"na": True} for k in ("c.b", "n.a", "n.b")}, "photos": {"x.veto": 1, "t.e": 3}},
    {"answers": ALL_OK | {"c.a": {"value": False}, "c.c": {"value": 17}}, "photos": {"c.a": 1}},
    {"answers": ALL_OK | {"c.d": {"value": "8.50"}, "c.b": {"value": "-0"}}},
]  # fmt: skip
for case in CORNER_CASES:
    case.setdefault("photos", {})


def test_the_phone_scores_the_corners_as_the_server_does(page):
    parse(CORNERS)  # a valid template: what the catalogue could send
    tally = compare(page, CORNERS, CORNER_CASES + answer_sets(CORNERS, seed=1717, n=600))
    assert tally["capped"] > 100 and tally["vetoed"] > 10 and tally["complete"] > 20


def test_the_phone_rounds_for_display_as_the_server_does(page):
    """``roundHalfUp`` is the server's ``round_half_up``: a score's unrounded percent shown to 2 places."""
    rng = random.Random(4)
    values = [
        "2.345",
        "-2.345",
        "0.005",
        "-0.001",
        "99.995",
        "99.9949999",
        "100",
        "1E+2",
        "66.66666666666666666666666667",
    ]
    values += [str(Decimal(rng.randint(0, 10**6)) / Decimal(rng.randint(1, 10**4))) for _ in range(300)]
    values += [f"{rng.randint(0, 9999)}.{rng.randint(0, 999):03d}5" for _ in range(100)]  # ties
    page.goto("/m/")
    got = page.evaluate(
        """async (values) => {
          const m = await import("/static/fieldapp/js/engine.js");
          return values.map((v) => [0, 1, 2, 4].map((p) => m.roundHalfUp(v, p)));
        }""",
        values,
    )
    want = [[decimal_text(round_half_up(Decimal(v), p)) for p in (0, 1, 2, 4)] for v in values]
    assert got == want


# --- evidence -------------------------------------------------------------------------------------------

EVIDENCE_JS = """
async (cases) => {
  const m = await import("/static/fieldapp/js/evidence.js");
  const at = (t) => (t === null ? null : new Date(t));
  return cases.map((c) => ({
    distance: m.distanceM(c.a, c.b),
    warnings: m.photoWarnings({
      fix: c.fix && {...c.fix, captured_at: at(c.fix.captured_at)},
      capturedAt: at(c.captured_at),
      subject: c.subject,
      span: c.span && {from: at(c.span.from), to: at(c.span.to)},
      limits: {subjectDistanceM: c.limit_m, timeFlagHours: c.limit_h},
    }),
  }));
}
"""
SHANGHAI = ZoneInfo("Asia/Shanghai")
# What the phone can know of the server's flags: it has no EXIF (no_exif_gps, exif_phone_mismatch are the
# server's alone).
OVERLAP = {"no_gps", "mock_location", "far_from_subject", "time_far"}


def evidence_cases(n: int) -> list[dict[str, Any]]:
    rng = random.Random(1755)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    cases = []
    for _ in range(n):
        subject = {"lon": round(rng.uniform(121.05, 121.45), 6), "lat": round(rng.uniform(31.75, 32.1), 6)}
        near = rng.choice([0.0005, 0.002, 0.01, 0.05, 0.3])
        fix = {
            "lon": subject["lon"] + rng.uniform(-near, near),
            "lat": subject["lat"] + rng.uniform(-near, near),
            "accuracy_m": rng.choice([0, 5.5, 12, 30, None]),
        }
        began = start + timedelta(minutes=rng.randint(0, 600), milliseconds=rng.choice([0, 250, 999]))
        ended = rng.choice([None, began + timedelta(milliseconds=rng.randint(0, 5 * 3600_000))])  # phones: ms
        taken = began + timedelta(hours=rng.choice([-30, -24.05, -23.9, 0.5, 24, 25, 24.25, 60, 200]))
        limit_h = rng.choice([24.0, 24, 1.5])
        cases.append({
            "a": fix, "b": subject,
            "fix": None if rng.random() < 0.1 else fix | {"captured_at": taken.isoformat()},
            "subject": None if rng.random() < 0.05 else subject,
            "captured_at": None if rng.random() < 0.05 else taken.isoformat(),
            "span": None if rng.random() < 0.05 else {
                "from": began.isoformat(), "to": ended.isoformat() if ended else None},
            "limit_m": rng.choice([200.0, 200, 50, 1000]), "limit_h": limit_h,
        })  # fmt: skip
    return cases


def evidence_server(case: dict[str, Any]) -> dict[str, Any]:
    fix, subject, a, b = case["fix"], case["subject"], case["a"], case["b"]
    moment = lambda t: datetime.fromisoformat(t) if t else None  # noqa: E731
    span = case["span"]
    flags = evidence_flags(
        exif_gps=None,
        exif_gps_status="missing",
        exif_taken_at=None,
        phone=LonLat(fix["lon"], fix["lat"]) if fix else None,
        phone_accuracy_m=fix["accuracy_m"] if fix else None,
        subject=LonLat(subject["lon"], subject["lat"]) if subject else None,
        captured_at=moment(case["captured_at"]),
        reference=device_window(moment(span["from"]), moment(span["to"])) if span else None,
        thresholds=Thresholds(subject_distance_m=case["limit_m"], time_hours=case["limit_h"]),
    )
    return {
        "distance": distance_m(LonLat(a["lon"], a["lat"]), LonLat(b["lon"], b["lat"])),
        # as the API writes them: details null where the flag has none
        "warnings": [{"details": None} | f.as_dict() for f in flags if f.code in OVERLAP],
    }


def test_the_phone_flags_photos_as_the_server_does(page):
    cases = evidence_cases(600)
    page.goto("/m/")
    phone = page.evaluate(EVIDENCE_JS, cases)
    codes: set[str] = set()
    for case, mine in zip(cases, phone, strict=True):
        theirs = evidence_server(case)
        assert mine["distance"] == pytest.approx(theirs["distance"], rel=1e-12, abs=1e-9), case
        assert mine["warnings"] == theirs["warnings"], case
        codes |= {w["code"] for w in theirs["warnings"]}
    assert codes == OVERLAP  # every shared flag met, each both ways across its threshold


def test_bearing_and_compass(page):
    page.goto("/m/")
    got = page.evaluate(
        """async () => {
          const m = await import("/static/fieldapp/js/evidence.js");
          const o = {lon: 121.2, lat: 31.9};
          const to = (dlon, dlat) => m.bearingDeg(o, {lon: o.lon + dlon, lat: o.lat + dlat});
          return {n: to(0, 0.01), e: to(0.01, 0), s: to(0, -0.01), w: to(-0.01, 0), ne: to(0.01, 0.0085),
                  names: [0, 22.4, 22.5, 45, 90, 135, 180, 225, 270, 315, 337.4, 337.5, 359.9, -45, 720]
                    .map(m.compassZh)};
        }"""
    )
    assert got["n"] == pytest.approx(0) and got["s"] == pytest.approx(180)
    assert got["e"] == pytest.approx(90, abs=0.01) and got["w"] == pytest.approx(270, abs=0.01)
    assert 40 < got["ne"] < 50  # 0.01° of longitude is shorter than 0.0085° of latitude here
    assert got["names"] == [
        "北", "北", "东北", "东北", "东", "东南", "南", "西南", "西", "西北", "西北", "北", "北", "西北", "北"
    ]  # fmt: skip


# --- through the API ----------------------------------------------------------------------------------------

API_JS = """
async ({document, answers, photos}) => {
  const m = await import("/static/fieldapp/js/engine.js");
  const score = m.scoreInspection(document, answers, photos);
  return {score, missing: m.missingAnswers(document, answers, photos)};
}
"""


def test_the_phone_scores_as_the_api_answers(page, world):
    """The catalogue's document and the phone's answers, as the API takes and gives them: the phone knows what
    submit will refuse, and its score is the one the submitted inspection carries."""
    from tests.checklists.conftest import Phone, draft, sewage_answers
    from tests.conftest import make_user

    templates_sync()
    phone = Phone(make_user("inspector", world.town_a, username="jiancha_e"))
    catalogue = phone.get("/api/v1/catalogue").json()
    document = next(t["document"] for t in catalogue["templates"] if t["key"] == "sewage-facility-audit")
    answers = sewage_answers() | {
        "op.damage": {"value": False, "comment": "格栅破损"},
        "effluent.cod": {"value": 75.5},
        "ledger.meter": {"value": None, "na": True},
    }
    cu = str(uuid.uuid4())
    assert phone.put(cu, draft(world, answers)).status_code == 201
    page.goto("/m/")
    photos: dict[str, int] = {}
    for step in range(10):
        mine = page.evaluate(API_JS, {"document": document, "answers": answers, "photos": photos})
        if not mine["missing"]:
            break
        refused = phone.submit(cu)
        assert refused.status_code == 422 and refused.json()["code"] == "incomplete"
        fields = refused.json()["details"]["fields"]
        assert fields == {f"answers.{k}": [v] for k, v in mine["missing"].items()}
        for key in mine["missing"]:  # one more photo each for what the phone says is missing
            assert phone.photo(cu, key, seed=step * 100 + len(photos)).status_code == 201
            photos[key] = photos.get(key, 0) + 1
    assert step > 0 and not mine["missing"]
    assert phone.submit(cu).status_code == 200
    submitted = phone.get(f"/api/v1/inspections/{cu}").json()
    assert submitted["score"] == mine["score"]
    assert submitted["score"]["items"][1]["failed"] and mine["score"]["percent"] != "100"
