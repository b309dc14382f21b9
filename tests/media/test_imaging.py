"""Image validation, EXIF reading, derivatives and perceptual hashes (pure)."""

import io
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageFile
from PIL.TiffImagePlugin import IFDRational

from media import imaging
from tests.media.images import bad_files, heic, jpeg, png, scene, zone_plate

LIMITS = {"max_bytes": 20 * 1024 * 1024, "max_pixels": 50_000_000}
CST = timezone(timedelta(hours=8))


@pytest.mark.parametrize("name", list(bad_files()))
def test_bad_files_are_rejected_with_a_stable_code(name: str) -> None:
    data, status, code = bad_files()[name]
    with pytest.raises(imaging.ImageRejected) as exc:
        imaging.inspect(data, **LIMITS)
    assert (exc.value.status, exc.value.code) == (status, code)


def test_size_limit_is_413() -> None:
    with pytest.raises(imaging.ImageRejected) as exc:
        imaging.inspect(jpeg(), max_bytes=100, max_pixels=10**8)
    assert exc.value.status == 413


@pytest.mark.parametrize(
    ("lat", "lon"), [(31.9011, 121.1722), (-33.8688, 151.2093), (40.7128, -74.0060), (-22.9068, -43.1729)]
)
def test_gps_hemispheres_and_dms(lat: float, lon: float) -> None:
    facts = imaging.inspect(jpeg(lat=lat, lon=lon), **LIMITS).exif
    assert facts.gps_status == "ok"
    assert facts.gps.lat == pytest.approx(lat, abs=1e-5) and facts.gps.lon == pytest.approx(lon, abs=1e-5)


def test_dms_rationals_exactly() -> None:
    gps = {
        1: "N",
        2: (IFDRational(31), IFDRational(54), IFDRational(3600, 100)),
        3: "E",
        4: (IFDRational(121), IFDRational(10), IFDRational(1980, 100)),
        5: b"\x00",
        6: IFDRational(125, 10),
        16: "T",
        17: IFDRational(2705, 10),
    }
    fix = imaging.inspect(jpeg(gps=gps), **LIMITS).exif.gps
    assert fix.lat == pytest.approx(31 + 54 / 60 + 36 / 3600)
    assert fix.lon == pytest.approx(121 + 10 / 60 + 19.8 / 3600)
    assert (fix.altitude_m, fix.direction_deg) == (12.5, 270.5)


@pytest.mark.parametrize(
    "gps",
    [
        {
            1: "N",
            2: (IFDRational(999), IFDRational(0), IFDRational(0)),
            3: "E",
            4: (IFDRational(121), IFDRational(0), IFDRational(0)),
        },
        {
            1: "N",
            2: (IFDRational(1, 0), IFDRational(0), IFDRational(0)),
            3: "E",
            4: (IFDRational(121), IFDRational(0), IFDRational(0)),
        },
        {
            2: (IFDRational(31), IFDRational(0), IFDRational(0)),
            3: "E",
            4: (IFDRational(121), IFDRational(0), IFDRational(0)),
        },
        {
            1: "X",
            2: (IFDRational(31), IFDRational(0), IFDRational(0)),
            3: "E",
            4: (IFDRational(121), IFDRational(0), IFDRational(0)),
        },
        {
            1: "N",
            2: (IFDRational(31), IFDRational(75), IFDRational(0)),
            3: "E",
            4: (IFDRational(121), IFDRational(0), IFDRational(0)),
        },
    ],
    ids=["latitude_999", "zero_denominator", "missing_ref", "bad_ref", "minutes_75"],
)
def test_broken_gps_never_crashes_and_is_no_usable_gps(gps) -> None:  # type: ignore[no-untyped-def]
    facts = imaging.inspect(jpeg(gps=gps), **LIMITS)
    assert facts.exif.gps is None and facts.exif.gps_status == "invalid"


def test_capture_time_camera_and_no_exif() -> None:
    facts = imaging.inspect(jpeg(taken=datetime(2022, 9, 20, 10, 11, 12)), **LIMITS, local_tz=CST).exif
    assert facts.taken_at == datetime(2022, 9, 20, 10, 11, 12, tzinfo=CST)
    assert (facts.make, facts.model) == ("HUAWEI", "TEST-AL00")
    plain = imaging.inspect(png(), **LIMITS)
    assert plain.exif.gps_status == "missing" and plain.content_type == "image/png"


def test_heic_is_accepted() -> None:
    facts = imaging.inspect(heic(), **LIMITS)
    assert (facts.content_type, facts.extension) == ("image/heic", "heic")
    d = imaging.derivatives(heic())
    assert Image.open(io.BytesIO(d.phone_jpeg)).format == "JPEG"


def test_derivatives_sizes_and_orientation() -> None:
    big = scene(5, (4000, 3000))
    d = imaging.derivatives(jpeg(big, orientation=6), phone_edge=1024, list_edge=256)
    phone = Image.open(io.BytesIO(d.phone_jpeg))
    small = Image.open(io.BytesIO(d.list_jpeg))
    # orientation 6 = rotate 90°: a landscape original becomes a portrait derivative
    assert phone.size == (768, 1024) and small.size == (192, 256)
    assert len(d.phash) == 16


def test_reencoded_and_resized_copies_match_different_scenes_do_not() -> None:
    original = imaging.derivatives(jpeg(scene(11), quality=92)).phash
    reencoded = imaging.derivatives(jpeg(scene(11), quality=45)).phash
    resized = imaging.derivatives(jpeg(scene(11).resize((320, 240)), quality=70)).phash
    assert imaging.hamming(original, reencoded) <= 8
    assert imaging.hamming(original, resized) <= 8
    others = [imaging.derivatives(jpeg(scene(s))).phash for s in range(100, 120)]
    assert min(imaging.hamming(original, o) for o in others) > 8


def test_a_phone_photo_with_an_exif_preview_is_accepted_whole() -> None:
    """The preview is a JPEG of its own inside the header: the photo's truncation check must look past it
    (``truncated_phone_jpeg`` in ``bad_files`` is this file cut in half)."""
    data = jpeg(scene(4), exif_thumbnail=True)
    with Image.open(io.BytesIO(data)) as img:
        preview = img.getexif().get_ifd(ExifTags.IFD.IFD1)
    assert preview[0x0202] > 0 and data.find(b"\xff\xd9") < len(data) // 2
    facts = imaging.inspect(data, **LIMITS)
    assert (facts.width, facts.height, facts.exif.make) == (640, 480, "HUAWEI")


_PHONE = jpeg(scene(4), exif_thumbnail=True)


@given(cut=st.integers(min_value=0, max_value=len(_PHONE) - 1), trailer=st.binary(max_size=64))
def test_a_jpeg_is_complete_only_up_to_its_last_byte(cut: int, trailer: bytes) -> None:
    """Cut anywhere before its end-of-image marker is complete, a phone photo is incomplete; whole, it is
    complete, even with a trailer (some phones append data after the image)."""
    assert not imaging.jpeg_complete(_PHONE[:cut])
    assert imaging.jpeg_complete(_PHONE + trailer)


def test_validating_a_jpeg_never_decodes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Upload-time validation reads headers only: decoding a 12 MP photo there would double the work the
    thumbnail task does anyway (its one decode is the photo's only one)."""
    decoded: list[str] = []
    load = ImageFile.ImageFile.load

    def counting_load(self: ImageFile.ImageFile) -> object:
        decoded.append(self.format or "")
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    imaging.inspect(jpeg(scene(4), exif_thumbnail=True, orientation=6), **LIMITS)
    assert decoded == []
    imaging.inspect(png(), **LIMITS)  # other formats are decoded: verify() alone misses truncation
    assert "PNG" in decoded


def _psnr(a: Image.Image, b: Image.Image) -> float:
    import math

    diff = [(x - y) ** 2 for x, y in zip(a.tobytes(), b.tobytes(), strict=True)]
    return 10 * math.log10(255**2 / (sum(diff) / len(diff)))


def test_derivatives_look_like_a_careful_resize_of_the_original() -> None:
    """Both sizes stay close to a Lanczos resize of the fully decoded original (the slow, careful way),
    although they are made from a draft-mode decode with cheaper filters. On this zone plate, at 1024 px:
    bicubic 35.6 dB, Hamming (what the pipeline uses) 30.3, bilinear 27.0, box 24.9, nearest 24.5; at
    256 px the pipeline's 28.5 against a direct bicubic's 29.8 and a bilinear's 24.2."""
    original = zone_plate((2000, 1500))
    d = imaging.derivatives(jpeg(original, quality=95), phone_edge=1024, list_edge=256)
    for data, size, floor in ((d.phone_jpeg, (1024, 768), 29), (d.list_jpeg, (256, 192), 27)):
        reference = original.resize(size, Image.Resampling.LANCZOS)
        assert _psnr(Image.open(io.BytesIO(data)).convert("RGB"), reference) > floor, size


def _multi_picture(photo: bytes) -> bytes:
    """A multi-picture JPEG (MPF: Android's Ultra HDR gain map, some dual cameras) of ``photo`` and a second,
    smaller picture, as Pillow writes one; Pillow reads it back as "MPO"."""
    first = Image.open(io.BytesIO(photo))
    buf = io.BytesIO()
    first.save(buf, "MPO", save_all=True, append_images=[scene(2, (400, 300))], exif=first.info["exif"])
    return buf.getvalue()


def test_a_multi_picture_jpeg_is_a_jpeg_its_first_picture_the_photo() -> None:
    data = _multi_picture(jpeg(scene(7, (1600, 1200)), lat=31.9, lon=121.17, orientation=6))
    assert Image.open(io.BytesIO(data)).format == "MPO"
    facts = imaging.inspect(data, **LIMITS)
    assert (facts.content_type, facts.extension, facts.width) == ("image/jpeg", "jpg", 1600)
    assert facts.exif.gps_status != "missing"
    d = imaging.derivatives(data, phone_edge=1024, list_edge=256)
    assert Image.open(io.BytesIO(d.phone_jpeg)).size == (768, 1024)  # the first picture, upright
    plain = imaging.derivatives(jpeg(scene(7, (1600, 1200)), orientation=6))
    assert imaging.hamming(d.phash, plain.phash) <= 8
    with pytest.raises(imaging.ImageRejected) as cut:
        imaging.inspect(data[: len(data) // 2], **LIMITS)
    assert cut.value.code == "invalid_image"
