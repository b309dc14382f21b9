"""The pure evidence checks: when a photo was taken, and where else it already serves as evidence."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from media.checks import (
    OUTSIDE_SCOPE,
    REUSE_CODES,
    EvidenceUse,
    TimeReference,
    device_window,
    evidence_flags,
    flags_for_viewer,
    later_likenesses,
    reuse_flags,
    time_flag,
)

T0 = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


# --- when -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "submitted", "taken", "captured", "expected"),
    [
        # the phone's start only: as before, within a day of it
        (T0, None, T0 + 23 * H, None, None),
        (T0, None, T0 - 30 * H, None, ("inspection", 30.0)),
        # an inspection spread over three days is one span from its start to its submission
        (T0, T0 + 72 * H, T0 + 50 * H, None, None),
        (T0, T0 + 72 * H, T0 + 100 * H, None, ("inspection", 28.0)),
        # no start sent (offline client): the submission alone
        (None, T0, T0 - 20 * H, None, None),
        (None, T0, T0 - 720 * H, None, ("inspection", 720.0)),
        # no device time at all: EXIF against the phone's own capture stamp, else nothing to compare with
        (None, None, T0 - 720 * H, T0, ("captured_at", 720.0)),
        (None, None, T0 - 720 * H, None, None),
        (None, None, None, T0, None),
        # no EXIF time: the phone's capture stamp is the capture time
        (T0, None, None, T0 + 48 * H, ("inspection", 48.0)),
        (T0, None, None, None, None),
        # the device span wins over the capture stamp when both exist
        (T0, None, T0 + H, T0 + 500 * H, None),
    ],
)
def test_time_far_compares_the_phones_own_times(started, submitted, taken, captured, expected) -> None:  # type: ignore[no-untyped-def]
    flag = time_flag(
        taken_at=taken, captured_at=captured, reference=device_window(started, submitted), hours=24
    )
    got = (flag.details["reference"], flag.value) if flag and flag.details else None
    assert got == expected


def test_a_repairs_reference_can_be_its_upload() -> None:
    flag = time_flag(
        taken_at=T0,
        captured_at=None,
        reference=TimeReference(T0 + 50 * H, T0 + 50 * H, "uploaded_at"),
        hours=24,
    )
    assert flag is not None and flag.message == "拍摄时间与上传时间相差 50.0 小时"


moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


@given(start=moments, span=st.integers(0, 24 * 30), offset=st.integers(-24 * 60, 24 * 90))
def test_time_far_is_exactly_the_distance_outside_the_span(start, span, offset) -> None:  # type: ignore[no-untyped-def]
    end = start + span * H
    taken = start + offset * H
    flag = time_flag(taken_at=taken, captured_at=None, reference=device_window(start, end), hours=24)
    outside = max(0, -offset, offset - span)
    assert (flag is not None) == (outside > 24)
    if flag is not None:
        assert flag.value == outside and flag.code == "time_far"
    # the order the phone's two times come in does not matter
    swapped = time_flag(taken_at=taken, captured_at=None, reference=device_window(end, start), hours=24)
    assert swapped == flag


def test_evidence_flags_without_any_time_reference_raise_no_time_flag() -> None:
    flags = evidence_flags(
        exif_gps=None, exif_gps_status="missing", exif_taken_at=T0 - 1000 * H, phone=None,
        phone_accuracy_m=None, subject=None,
    )  # fmt: skip
    assert [f.code for f in flags] == ["no_gps"]
    assert flags[0].as_dict() == {"code": "no_gps", "message": "照片与手机均无可用定位", "value": None}


# --- reuse ----------------------------------------------------------------------------------------------

A, B = ("sewage_facility", 1), ("sewage_facility", 2)
PHASH = "c3a5c3a5c3a5c3a5"


def use(link: int, owner: int, subject=A, sha: str = "s1", phash: str = PHASH, item: str = "op.running",  # type: ignore[no-untyped-def]
        kind: str = "inspection", at: datetime | None = T0) -> EvidenceUse:  # fmt: skip
    return EvidenceUse(kind, link, owner, subject, sha, phash, f"设施{subject[1]}", item, f"uuid-{owner}",
                       f"photo-{link}", at)  # fmt: skip


def flip(phash: str, bits: int) -> str:
    return f"{int(phash, 16) ^ ((1 << bits) - 1):016x}"


@pytest.mark.parametrize(
    ("other", "code", "identical", "distance"),
    [
        (use(2, 10, item="record.site-photo"), "reused_other_item", True, 0),  # another item, same bytes
        (use(2, 10), "reused_other_item", True, 0),  # the same item under a new photo_uuid
        (use(2, 11), "reused_same_subject", True, 0),  # last quarter's inspection of the same facility
        (use(2, 7, kind="rectification", item=""), "reused_same_subject", True, 0),  # its repair
        (use(2, 12, subject=B), "duplicate_photo", True, 0),  # another facility
        (use(2, 11, sha="s2", phash=flip(PHASH, 3)), "reused_same_subject", False, 3),  # re-encoded
        (use(2, 11, sha="s2", phash=PHASH), "reused_same_subject", False, 0),  # distance 0, other bytes
        (use(2, 11, sha="s2", phash=flip(PHASH, 9)), None, None, None),  # too different
        (use(2, 11, sha="s2", phash=""), None, None, None),  # not hashed yet: only bytes can match
        (use(1, 10), None, None, None),  # the attachment itself (an idempotent retry)
    ],
)
def test_reuse_scope_and_likeness(other, code, identical, distance) -> None:  # type: ignore[no-untyped-def]
    mine = use(1, 10, at=T0 + H)
    flags = reuse_flags(mine, [other], max_distance=8)
    if code is None:
        assert flags == []
        return
    [flag] = flags
    assert (flag.code, flag.details["identical"], flag.details["distance"], flag.value) == (  # type: ignore[index]
        code, identical, distance, float(distance),
    )  # fmt: skip
    assert ("同一张照片" in flag.message) == identical
    if not identical:
        assert f"高度相似（汉明距离 {distance}）" in flag.message


def test_reuse_details_name_what_it_matches() -> None:
    mine = use(0, 10, at=None)  # being uploaded: not saved yet
    [same_item, last_time, repair, other] = [
        reuse_flags(mine, [o], max_distance=8)[0].as_dict()
        for o in (
            use(2, 10, item="op.running"),
            use(3, 11, item="record.site-photo"),
            use(4, 7, kind="rectification", item=""),
            use(5, 12, subject=B),
        )
    ]
    assert same_item["message"] == "同一张照片已用于本次检查的同一检查项「op.running」"
    assert (
        last_time["message"] == "同一张照片已用于该对象2024-06-03的另一次检查（检查项「record.site-photo」）"
    )
    assert last_time["details"] == {
        "identical": True, "distance": 0, "sha256": "s1", "uploaded_at": T0.isoformat(), "kind": "inspection",
        "inspection": "uuid-11", "photo_uuid": "photo-3", "item_key": "record.site-photo",
    }  # fmt: skip
    assert repair["message"] == "同一张照片已用于该对象2024-06-03的整改"
    assert repair["details"]["rectification_id"] == 7 and "inspection" not in repair["details"]
    # another subject's records may be outside the viewer's scope: the subject is named, not its records
    assert other["message"] == "同一张照片已用于其他检查对象「设施2」"
    assert other["details"] == {
        "identical": True, "distance": 0, "sha256": "s1", "uploaded_at": T0.isoformat(),
        "subject_kind": "sewage_facility", "subject_id": 2, "subject_name": "设施2",
    }  # fmt: skip


def test_one_flag_per_item_occasion_and_subject_closest_first_and_capped() -> None:
    mine = use(1, 10, at=T0 + 100 * H)
    others = [
        use(2, 10, sha="s2", phash=flip(PHASH, 4)),
        use(3, 10),  # the same item: the same bytes beat a near copy
        *(use(10 + i, 100 + i, sha=f"o{i}", phash=flip(PHASH, i % 8), at=T0 + i * H) for i in range(8)),
        use(30, 200, subject=B, sha="s3", phash=flip(PHASH, 5)),
        use(31, 201, subject=B, sha="s4", phash=flip(PHASH, 2)),  # B again, closer: one flag for B
    ]
    flags = reuse_flags(mine, others, max_distance=8, per_code=5)
    assert [f.code for f in flags] == ["reused_other_item"] + ["reused_same_subject"] * 5 + [
        "duplicate_photo"
    ]
    assert flags[0].details["identical"] is True  # type: ignore[index]
    assert [f.value for f in flags[1:6]] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert flags[6].value == 2.0


def test_the_copy_is_flagged_never_the_original() -> None:
    original, copy = use(1, 10, at=T0), use(2, 11, at=T0 + H)
    assert reuse_flags(original, [copy], max_distance=8) == []
    assert [f.code for f in reuse_flags(copy, [original], max_distance=8)] == ["reused_same_subject"]
    # a near copy whose own check ran before the original had a hash is looked at again; the same bytes
    # matched at upload already, and what came before the original is not its copy
    near_copy = use(3, 12, sha="s2", phash=flip(PHASH, 2), at=T0 + 2 * H)
    older = use(4, 13, sha="s3", phash=flip(PHASH, 1), at=T0 - H)
    assert later_likenesses(original, [copy, near_copy, older, original], max_distance=8) == [near_copy]


uses = st.builds(
    EvidenceUse,
    kind=st.sampled_from(["inspection", "rectification"]),
    link_id=st.integers(0, 6),
    owner_id=st.integers(1, 3),
    subject=st.sampled_from([A, B]),
    sha256=st.sampled_from(["s1", "s2", "s3"]),
    phash=st.sampled_from(["", PHASH, flip(PHASH, 2), flip(PHASH, 7), flip(PHASH, 20)]),
    item_key=st.sampled_from(["", "op.running", "record.site-photo"]),
    uploaded_at=st.one_of(st.none(), moments),
)


@given(mine=uses, others=st.lists(uses, max_size=12))
def test_reuse_properties(mine, others) -> None:  # type: ignore[no-untyped-def]
    flags = reuse_flags(mine, others, max_distance=8)
    assert all(f.code in REUSE_CODES for f in flags)
    for f in flags:
        d = f.details or {}
        # only the same bytes are "the same photo"; a likeness always says how close it is
        assert ("同一张照片" in f.message) == d["identical"] == (d["sha256"] == mine.sha256)
        assert d["identical"] or f"汉明距离 {d['distance']}" in f.message
        assert 0 <= d["distance"] <= 8
    before = [o for o in others if o.link != mine.link and o.came_before(mine)]
    assert reuse_flags(mine, before, max_distance=8) == flags  # never itself, never what came after it
    same_bytes = [o for o in before if o.sha256 == mine.sha256]
    assert bool(same_bytes) <= bool(flags)  # the same bytes attached before are always flagged
    for o in others:  # of two attachments, at most one is the copy of the other
        assert not (o.came_before(mine) and mine.came_before(o))


# --- what a viewer reads ---------------------------------------------------------------------------------


def test_another_subject_is_named_only_to_those_who_may_see_it() -> None:
    mine = use(9, 20, subject=A, at=T0 + H)
    near = use(2, 12, subject=B, sha="s2", phash=flip(PHASH, 3))
    flags = [f.as_dict() for f in reuse_flags(mine, [use(1, 11, subject=B), near], max_distance=8)]
    assert [f["code"] for f in flags] == ["duplicate_photo"]
    assert flags_for_viewer(flags, {B}) == flags  # may see B: as stored
    (hidden,) = flags_for_viewer(flags, {A})
    assert hidden == {
        "code": "duplicate_photo",
        "message": f"同一张照片已用于{OUTSIDE_SCOPE}",
        "value": 0.0,
        "details": {"identical": True, "distance": 0, "uploaded_at": T0.isoformat(),
                    "subject_kind": "sewage_facility", "outside_scope": True},
    }  # fmt: skip
    (alike,) = flags_for_viewer([f.as_dict() for f in reuse_flags(mine, [near], max_distance=8)], set())
    assert alike["message"] == f"与{OUTSIDE_SCOPE}的照片高度相似（汉明距离 3）"
    assert "s2" not in str(alike) and f"设施{B[1]}" not in str(alike)
    # older flags without details (subject unknown) are read the same way; other flags pass untouched
    legacy = {"code": "duplicate_photo", "message": "同一张照片已用于其他检查对象「四甲镇设施」", "value": 0}
    other = {"code": "no_gps", "message": "照片无定位", "value": None}
    assert [f["message"] for f in flags_for_viewer([legacy, other], {B})] == [
        f"同一张照片已用于{OUTSIDE_SCOPE}",
        "照片无定位",
    ]


@given(mine=uses, others=st.lists(uses, max_size=12), may_see=st.sets(st.sampled_from([A, B])))
def test_what_a_viewer_reads_never_names_a_subject_they_may_not_see(mine, others, may_see) -> None:  # type: ignore[no-untyped-def]
    stored = [f.as_dict() for f in reuse_flags(mine, others, max_distance=8)]
    read = flags_for_viewer(stored, may_see)
    assert [f["code"] for f in read] == [f["code"] for f in stored]
    for before, after in zip(stored, read, strict=True):
        d = before["details"]
        if before["code"] != "duplicate_photo" or (d["subject_kind"], d["subject_id"]) in may_see:
            assert after == before
        else:
            assert OUTSIDE_SCOPE in after["message"] and after["details"]["outside_scope"] is True
            assert not {"subject_id", "subject_name", "sha256"} & set(after["details"])
            assert ("同一张照片" in after["message"]) == d["identical"]
