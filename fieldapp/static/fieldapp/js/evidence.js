// placeholder: replaced by the i17-engine branch at merge
// The contract (ISSUE17.md): photoWarnings, distanceM, bearingDeg, compassZh. This stand-in is only good
// enough to build the screens against; i17-engine's evidence.js is the faithful port of media/checks.py.

const R = 6371008.8;
const rad = (d) => (d * Math.PI) / 180;

export function distanceM(a, b) {
  const dLat = rad(b.lat - a.lat), dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

export function bearingDeg(a, b) {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x = Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) - Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

export function compassZh(deg) {
  return ["北", "东北", "东", "东南", "南", "西南", "西", "西北"][Math.round(deg / 45) % 8];
}

export function photoWarnings({ fix, capturedAt, subject, span, limits }) {
  const out = [];
  if (!fix) out.push({ code: "no_gps", message: "照片与手机均无可用定位", value: null, details: null });
  if (fix && fix.accuracy_m === 0) out.push({ code: "mock_location", message: "手机定位精度恰为 0 米，疑似模拟定位", value: 0, details: null });
  if (fix && subject) {
    const d = distanceM(fix, subject);
    if (d > limits.subjectDistanceM) {
      out.push({ code: "far_from_subject", message: `拍摄位置距检查对象 ${d.toFixed(0)} 米`, value: Math.round(d * 10) / 10, details: null });
    }
  }
  if (capturedAt && span && span.from) {
    const to = span.to || span.from;
    const gap = capturedAt < span.from ? span.from - capturedAt : capturedAt > to ? capturedAt - to : 0;
    const hours = gap / 3600000;
    if (hours > limits.timeFlagHours) {
      out.push({ code: "time_far", message: `拍摄时间与检查时间相差 ${hours.toFixed(0)} 小时`, value: Math.round(hours * 10) / 10, details: null });
    }
  }
  return out;
}
