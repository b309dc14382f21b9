// Evidence checks on the phone, before the inspector leaves the site: a port of the server's photo flags
// (media/checks.py evidence_flags / time_flag) for what the phone knows — its own fix (WGS-84 from
// navigator.geolocation), the photo's time and the inspection's span — and the distance maths of
// geo/coords.py (haversine on the IUGG mean radius). Same codes, zh-Hans messages and thresholds as the
// server where they overlap (far_from_subject, no_gps, mock_location, time_far); the server adds what only
// it can see (the photo's EXIF, reuse of the same picture elsewhere).
//
//   photoWarnings({fix, capturedAt, subject, span, limits}) -> [{code, message, value, details}]
//     fix: {lon, lat, accuracy_m, captured_at: Date} or null; capturedAt: Date (when the photo was taken)
//     subject: {lon, lat} WGS-84 or null; span: {from: Date, to: Date|null} the inspection's device times
//     limits: {subjectDistanceM, timeFlagHours} (the server's PHOTO_SUBJECT_DISTANCE_M, PHOTO_TIME_FLAG_HOURS)
//   distanceM(a, b) metres; bearingDeg(a, b) 0–360 from north, clockwise; compassZh(deg) "东北" …

const EARTH_RADIUS_M = 6371008.8; // geo.coords.EARTH_RADIUS_M
const DEG = Math.PI / 180; // math.radians multiplies by pi / 180

/** Great-circle (haversine) distance in metres, as geo.coords.distance_m (both points WGS-84). */
export function distanceM(a, b) {
  const phi1 = a.lat * DEG;
  const phi2 = b.lat * DEG;
  const dphi = phi2 - phi1;
  const dlmb = (b.lon - a.lon) * DEG;
  const h = Math.sin(dphi / 2) ** 2 + Math.cos(phi1) * Math.cos(phi2) * Math.sin(dlmb / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1.0, Math.sqrt(h)));
}

/** Initial great-circle bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDeg(a, b) {
  const phi1 = a.lat * DEG;
  const phi2 = b.lat * DEG;
  const dlmb = (b.lon - a.lon) * DEG;
  const y = Math.sin(dlmb) * Math.cos(phi2);
  const x = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(dlmb);
  const deg = Math.atan2(y, x) / DEG;
  return ((deg % 360) + 360) % 360;
}

const COMPASS = ["北", "东北", "东", "东南", "南", "西南", "西", "西北"];

/** The eighth of the compass a bearing points to: 北 from 337.5° to 22.5° (exclusive), 东北 from 22.5°… */
export function compassZh(deg) {
  const d = ((deg % 360) + 360) % 360;
  return COMPASS[Math.floor((d + 22.5) / 45) % 8];
}

/** Python's f"{x:.{places}f}" for places 0 or 1 (x >= 0): correctly rounded, ties to even — toFixed ties up. */
function pyFixed(x, places) {
  const scale = places === 0 ? 1 : 10;
  const quarters = x * (places === 0 ? 2 : 4); // exact: a tie is an odd number of halves / quarters
  const tie = Number.isInteger(quarters) && quarters % 2 === 1 && (places === 0 || Number.isInteger(x * 20));
  if (!tie) return x.toFixed(places);
  const n = Math.floor(x * scale);
  const even = n % 2 === 0 ? n : n + 1;
  return places === 0 ? String(even) : (even / 10).toFixed(1);
}

/** Python's round(x, places) of a float (ties to even on the exact value). */
const pyRound = (x, places) => Number.parseFloat(pyFixed(x, places));

/** datetime.isoformat() of a moment in Asia/Shanghai (UTC+8 all year): "2026-12-01T15:00:00+08:00". */
function isoShanghai(date) {
  const t = new Date(date.getTime() + 8 * 3600 * 1000);
  const p = (n, w = 2) => String(n).padStart(w, "0");
  const ms = t.getUTCMilliseconds();
  const frac = ms ? `.${p(ms, 3)}000` : "";
  return (
    `${p(t.getUTCFullYear(), 4)}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())}` +
    `T${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}${frac}+08:00`
  );
}

/** The inspection's own span by the phone's clock (media.checks.device_window), or null. */
function deviceWindow(span) {
  if (!span) return null;
  const known = [span.from, span.to].filter((t) => t instanceof Date);
  if (!known.length) return null;
  const times = known.map((t) => t.getTime());
  return { start: new Date(Math.min(...times)), end: new Date(Math.max(...times)) };
}

/** media.checks.time_flag with the photo's time taken on the phone (the server may see its EXIF time too). */
function timeWarning(capturedAt, span, hours) {
  const ref = deviceWindow(span);
  if (!(capturedAt instanceof Date) || ref === null) return null;
  let gapMs;
  if (capturedAt < ref.start) gapMs = ref.start - capturedAt;
  else if (capturedAt > ref.end) gapMs = capturedAt - ref.end;
  else return null;
  const off = gapMs / 1000 / 3600;
  if (off <= hours) return null;
  return {
    code: "time_far",
    message: `拍摄时间与检查时间（手机记录）相差 ${pyFixed(off, 1)} 小时`,
    value: pyRound(off, 1),
    details: {
      reference: "inspection",
      taken_at: isoShanghai(capturedAt),
      from: isoShanghai(ref.start),
      to: isoShanghai(ref.end),
    },
  };
}

/** What the server will flag about this photo, known on site: [{code, message, value, details}] (details null
 * where there is nothing more to say, as the API writes the server's flags). */
export function photoWarnings({ fix, capturedAt, subject, span, limits }) {
  const subjectDistanceM = limits?.subjectDistanceM ?? 200;
  const timeFlagHours = limits?.timeFlagHours ?? 24;
  const warnings = [];
  const located = fix && Number.isFinite(fix.lon) && Number.isFinite(fix.lat);
  if (!located) warnings.push({ code: "no_gps", message: "照片与手机均无可用定位", value: null, details: null });
  if (located && fix.accuracy_m === 0) {
    warnings.push({ code: "mock_location", message: "手机定位精度恰为 0 米，疑似模拟定位", value: 0, details: null });
  }
  if (located && subject && Number.isFinite(subject.lon) && Number.isFinite(subject.lat)) {
    const d = distanceM(fix, subject);
    if (d > subjectDistanceM) {
      warnings.push({ code: "far_from_subject", message: `拍摄位置距检查对象 ${pyFixed(d, 0)} 米`, value: pyRound(d, 1), details: null });
    }
  }
  const late = timeWarning(capturedAt, span, timeFlagHours);
  if (late) warnings.push(late);
  return warnings;
}
