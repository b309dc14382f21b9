// The checklist scoring engine on the phone: a faithful port of the server's pure engine
// (scoring/engine/checklist/: kinds, scoring, missing_answers, validate_answer) and of its JSON form
// (checklists.services.inspection_submit.score_json), so that the running score, the submit checks and the
// answer errors the inspector sees offline are the ones the server will compute.
//
// The contract (ISSUE17.md, README "Scoring on the device"):
//   scoreInspection(document, answers, photoCounts, {strict}) -> score_json(score(spec, answers))
//   missingAnswers(document, answers, photoCounts, {strict})  -> {item_key: message}
//   answerError(item, answer)                                 -> null or the server's validate_answer message
//   roundHalfUp(decimalText, places = 2)                      -> the server's round_half_up, as text (display)
// An answer the server refuses counts as unanswered, unless {strict: true}: then they throw AnswerError.
// `document` is the template as the catalogue sends it (TemplateOut.document), `answers` exactly the PUT
// body's `answers` ({item_key: {value, na, comment}}), `photoCounts` {item_key: photos attached}.
//
// Numbers: the server computes with Python's Decimal in its default context (28 significant digits,
// ROUND_HALF_EVEN) and writes Decimals as text keeping their places ("2.50", "100", and an unrounded
// percent such as "66.66666666666666666666666667"). A small exact decimal type below (BigInt coefficient,
// integer exponent) reproduces that arithmetic digit for digit: no binary float is ever used for points.
// Values are read as the server reads the JSON the phone sends: a JS number is an int when its JSON text has
// no "." or exponent, else a float read through its shortest repr, as Python does.

const PREC = 28;
const MAX_DIGITS = 28;
const MAX_ADJUSTED = 15;
const MIN_EXPONENT = -20;
const TEN = 10n;

// --- exact decimals (the subset of Python's decimal module the engine uses) ---------------------------

/** A finite decimal: (-1)^s × c × 10^e, as Python's Decimal (it keeps its exponent: 2.50 ≠ 2.5 in text). */
class Dec {
  constructor(s, c, e) {
    this.s = s; // 0 or 1 (a zero keeps its sign, as -0 does in Python)
    this.c = c; // BigInt >= 0
    this.e = e; // Number (integer)
  }

  isZero() {
    return this.c === 0n;
  }
}

const pow10 = (n) => TEN ** BigInt(n);
const ndigits = (c) => (c === 0n ? 1 : c.toString().length);
const decInt = (n) => new Dec(n < 0n ? 1 : 0, n < 0n ? -n : n, 0);
const ZERO = decInt(0n);
const HUNDRED = decInt(100n);

/** Round to PREC significant digits, half-even (Decimal._fix in the default context, without the limits
 * of Emax / Emin, which no score comes near). */
function fix(d) {
  const n = ndigits(d.c);
  if (n <= PREC) return d;
  const drop = n - PREC;
  const div = pow10(drop);
  let q = d.c / div;
  const r = d.c % div;
  const half = div / 2n;
  if (r > half || (r === half && q % 2n === 1n)) q += 1n;
  let e = d.e + drop;
  if (ndigits(q) > PREC) {
    q /= TEN;
    e += 1;
  }
  return new Dec(d.s, q, e);
}

function neg(d) {
  return new Dec(d.s ? 0 : 1, d.c, d.e);
}

/** Python's Decimal.__add__ (with _normalize, so that 1E+10 + 1E-10 stays cheap). */
function add(a, b) {
  let exp = Math.min(a.e, b.e);
  if (a.isZero() && b.isZero()) return fix(new Dec(Math.min(a.s, b.s), 0n, exp));
  if (a.isZero()) {
    exp = Math.max(exp, b.e - PREC - 1);
    return fix(new Dec(b.s, b.c * pow10(b.e - exp), exp));
  }
  if (b.isZero()) {
    exp = Math.max(exp, a.e - PREC - 1);
    return fix(new Dec(a.s, a.c * pow10(a.e - exp), exp));
  }
  let op1 = { s: a.s, c: a.c, e: a.e };
  let op2 = { s: b.s, c: b.c, e: b.e };
  // _normalize: bring both to one exponent, replacing a negligible operand by a single unit below
  const [tmp, other] = op1.e < op2.e ? [op2, op1] : [op1, op2];
  const lim = tmp.e + Math.min(-1, ndigits(tmp.c) - PREC - 2);
  if (ndigits(other.c) + other.e - 1 < lim) {
    other.c = 1n;
    other.e = lim;
  }
  tmp.c *= pow10(tmp.e - other.e);
  tmp.e = other.e;
  let sign;
  if (op1.s !== op2.s) {
    if (op1.c === op2.c) return fix(new Dec(0, 0n, exp));
    if (op1.c < op2.c) [op1, op2] = [op2, op1];
    sign = op1.s; // the larger magnitude's sign
    return fix(new Dec(sign, op1.c - op2.c, op1.e));
  }
  sign = op1.s;
  return fix(new Dec(sign, op1.c + op2.c, op1.e));
}

function sub(a, b) {
  return add(a, neg(b));
}

function mul(a, b) {
  return fix(new Dec(a.s ^ b.s, a.c * b.c, a.e + b.e));
}

/** Python's Decimal.__truediv__ (b non-zero): exact when it can be, at the ideal exponent; else 28 digits. */
function div(a, b) {
  const sign = a.s ^ b.s;
  if (a.isZero()) return fix(new Dec(sign, 0n, a.e - b.e));
  const shift = ndigits(b.c) - ndigits(a.c) + PREC + 1;
  let exp = a.e - b.e - shift;
  let coeff, rem;
  if (shift >= 0) {
    const n = a.c * pow10(shift);
    coeff = n / b.c;
    rem = n % b.c;
  } else {
    const m = b.c * pow10(-shift);
    coeff = a.c / m;
    rem = a.c % m;
  }
  if (rem !== 0n) {
    if (coeff % 5n === 0n) coeff += 1n;
  } else {
    const ideal = a.e - b.e;
    while (exp < ideal && coeff % TEN === 0n) {
      coeff /= TEN;
      exp += 1;
    }
  }
  return fix(new Dec(sign, coeff, exp));
}

/** -1, 0, 1 (exact; 0 == -0). */
function cmp(a, b) {
  if (a.isZero() && b.isZero()) return 0;
  if (a.isZero()) return b.s ? 1 : -1;
  if (b.isZero()) return a.s ? -1 : 1;
  if (a.s !== b.s) return a.s ? -1 : 1;
  const flip = a.s ? -1 : 1;
  const adjA = a.e + ndigits(a.c) - 1;
  const adjB = b.e + ndigits(b.c) - 1;
  if (adjA !== adjB) return adjA < adjB ? -flip : flip;
  const e = Math.min(a.e, b.e);
  const ca = a.c * pow10(a.e - e);
  const cb = b.c * pow10(b.e - e);
  return ca === cb ? 0 : ca < cb ? -flip : flip;
}

const lt = (a, b) => cmp(a, b) < 0;
const gt = (a, b) => cmp(a, b) > 0;
// Python's min(a, b) / max(a, b): the first argument unless the second is strictly smaller / larger.
const pyMin = (a, b) => (lt(b, a) ? b : a);
const pyMax = (a, b) => (gt(b, a) ? b : a);

/** str(Decimal): scientific notation when the exponent is positive or the number very small. */
function decStr(d) {
  const digits = d.c.toString();
  const left = d.e + digits.length;
  const dot = d.e <= 0 && left > -6 ? left : 1;
  let intpart, frac;
  if (dot <= 0) {
    intpart = "0";
    frac = "." + "0".repeat(-dot) + digits;
  } else if (dot >= digits.length) {
    intpart = digits + "0".repeat(dot - digits.length);
    frac = "";
  } else {
    intpart = digits.slice(0, dot);
    frac = "." + digits.slice(dot);
  }
  const expo = left === dot ? "" : "E" + (left - dot >= 0 ? "+" : "-") + Math.abs(left - dot);
  return (d.s ? "-" : "") + intpart + frac + expo;
}

/** format(Decimal, "f") (kernel.kit.decimal_text): positional, places kept. */
function decText(d) {
  const digits = d.c.toString();
  let body;
  if (d.e >= 0) body = digits + "0".repeat(d.e);
  else if (digits.length > -d.e) body = digits.slice(0, digits.length + d.e) + "." + digits.slice(digits.length + d.e);
  else body = "0." + "0".repeat(-d.e - digits.length) + digits;
  return (d.s ? "-" : "") + body;
}

/** score_json's number: whole points without decimals ("100", not "100.00"), else as it is. */
function points(d) {
  if (d.e < 0) {
    const m = pow10(-d.e);
    if (d.c % m === 0n) return decText(new Dec(d.s, d.c / m, 0));
  }
  return decText(d);
}

// --- reading values as Python reads the JSON ----------------------------------------------------------

// str.isspace() in Python (what Decimal() strips from both ends of a string)
const PY_SPACE = /^[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
const ND = /\p{Nd}/u;

/** Decimal(str): a Dec, "nonfinite" (Infinity, NaN…), or null when Python refuses the text. */
function parseDecimalText(text) {
  const cps = [...text];
  let a = 0;
  let b = cps.length;
  while (a < b && PY_SPACE.test(cps[a])) a += 1;
  while (b > a && PY_SPACE.test(cps[b - 1])) b -= 1;
  let ascii = "";
  for (let i = a; i < b; i += 1) {
    const ch = cps[i];
    if (ch === "_") continue;
    if (ch.codePointAt(0) < 128) ascii += ch;
    else if (ND.test(ch)) ascii += String(digitValue(ch));
    else return null;
  }
  const m = /^([+-])?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/.exec(ascii);
  if (m) {
    const intDigits = m[2] ?? "";
    const fracDigits = m[3] ?? m[4] ?? "";
    const exp = Number(m[5] ?? "0") - fracDigits.length;
    return new Dec(m[1] === "-" ? 1 : 0, BigInt(intDigits + fracDigits), exp);
  }
  if (/^[+-]?(inf|infinity|nan\d*|snan\d*)$/i.test(ascii)) return "nonfinite";
  return null;
}

/** The value of a Unicode decimal digit: Unicode encodes them in runs 0…9 (some runs adjacent, as the
 * mathematical digits), so it is the distance from the start of the run, modulo 10. */
function digitValue(ch) {
  const cp = ch.codePointAt(0);
  let start = cp;
  while (start > 0 && cp - start < 60 && ND.test(String.fromCodePoint(start - 1))) start -= 1;
  return (cp - start) % 10;
}

/** What Python holds for a JSON value the phone sends: {t: "int", n: BigInt} for a number written without
 * "." or exponent, {t: "float", d: Dec} (Decimal(repr(float))) for the others, {t: "str"}, {t: "bool"},
 * {t: "none"} (null, and a number JSON cannot carry), {t: "other"} (arrays, objects). */
function pyValue(v) {
  if (v === null || v === undefined) return { t: "none" };
  if (typeof v === "boolean") return { t: "bool", b: v };
  if (typeof v === "string") return { t: "str", s: v };
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return { t: "none" };
    const text = String(v);
    if (!/[.eE]/.test(text)) return { t: "int", n: BigInt(text) };
    return { t: "float", d: floatDecimal(v) };
  }
  if (typeof v === "bigint") return { t: "int", n: v };
  return { t: "other" };
}

/** Decimal(str(f)) for a float f: Python's repr has the same shortest digits as JS, written positionally
 * with at least one decimal ("100.0") between 1e-4 and 1e16, else in scientific notation. */
function floatDecimal(f) {
  const [mant, ex] = Math.abs(f).toExponential().split("e");
  const digits = mant.replace(".", "");
  const exp10 = Number(ex);
  const sign = f < 0 || Object.is(f, -0) ? 1 : 0;
  if (exp10 < -4 || exp10 >= 16) return new Dec(sign, BigInt(digits), exp10 - (digits.length - 1));
  const natural = digits.length - 1 - exp10; // decimals the digits need
  const places = Math.max(1, natural);
  return new Dec(sign, BigInt(digits) * pow10(places - natural), -places);
}

function pyTruthy(v) {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (typeof v === "number" && !Number.isFinite(v)) return false; // JSON null on the wire
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** str(x) of a JSON value as Python prints it (units, choices of a template). */
function pyStr(v) {
  const p = pyValue(v);
  switch (p.t) {
    case "none":
      return "None";
    case "bool":
      return p.b ? "True" : "False";
    case "int":
      return p.n.toString();
    case "float":
      return pyFloatRepr(v);
    case "str":
      return p.s;
    default:
      return JSON.stringify(v);
  }
}

function pyFloatRepr(f) {
  const [mant, ex] = f.toExponential().split("e");
  const exp10 = Number(ex);
  if (exp10 < -4 || exp10 >= 16) return `${mant}e${exp10 < 0 ? "-" : "+"}${String(Math.abs(exp10)).padStart(2, "0")}`;
  const text = String(f);
  return text.includes(".") ? text : `${text}.0`;
}

// --- the engine's model (model.py, values.py, fields.py, authoring.py) ---------------------------------

/** An answer that cannot be scored (the server's AnswerError): `key` names the item. */
export class AnswerError extends Error {
  constructor(key, message) {
    super(message);
    this.name = "AnswerError";
    this.key = key;
  }
}

function asDecimal(key, value, what = "数值") {
  const p = pyValue(value);
  let d;
  if (p.t === "int") d = decInt(p.n);
  else if (p.t === "float") d = p.d;
  else if (p.t === "str") d = parseDecimalText(p.s);
  else throw new AnswerError(key, `应为${what}`);
  if (d === null) throw new AnswerError(key, `应为${what}`);
  if (d === "nonfinite") throw new AnswerError(key, `应为有限${what}`);
  // values.py's bounds: 28 significant digits, |value| < 10^16, nothing finer than 10^-20.
  if (ndigits(d.c) > MAX_DIGITS || d.e + ndigits(d.c) - 1 > MAX_ADJUSTED || d.e < MIN_EXPONENT) {
    throw new AnswerError(key, `${what}超出允许范围（有效数字不超过 28 位，绝对值小于 10¹⁶，精度不细于 10⁻²⁰）`);
  }
  return d;
}

function asCount(key, value) {
  const p = pyValue(value);
  if (p.t !== "int") throw new AnswerError(key, "应为非负整数（发现次数）");
  if (p.n < 0n) throw new AnswerError(key, "次数不能为负数");
  return p.n;
}

function asBool(key, value) {
  if (typeof value !== "boolean") throw new AnswerError(key, "应为 true 或 false");
  return value;
}

/** read_decimal of a template field: a Dec or null (a stored template was validated when published). */
function readDecimal(v) {
  if (v === null || v === undefined) return null;
  const p = pyValue(v);
  if (p.t === "int") return decInt(p.n);
  if (p.t === "float") return p.d;
  if (p.t === "str") {
    const d = parseDecimalText(p.s);
    return d instanceof Dec ? d : null;
  }
  return null;
}

const readAmount = (raw, name) => {
  const d = readDecimal(name in raw ? raw[name] : 0);
  return d === null || d.isZero() ? ZERO : d; // `read_decimal(...) or Decimal(0)`
};

function pyInt(v, fallback) {
  if (v === undefined) return fallback;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return Math.trunc(v);
  if (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v.replaceAll("_", ""))) return Number(v.replaceAll("_", "").trim());
  return fallback;
}

// --- the kinds (kinds.py) --------------------------------------------------------------------------------

const BASE = "base";
const BONUS = "bonus";
const PENALTY = "penalty";
const VETO = "veto";
const NONE = "none";
const PER_KINDS = new Set(["deduct", "bonus", "penalty"]);

const result = (item, earned, maximum, lost, applicable, failed, reason) => ({
  key: item.key,
  earned,
  maximum,
  lost,
  applicable,
  failed,
  reason,
});

function baseResult(item, earned, reason) {
  const lost = sub(item.points, earned);
  return result(item, earned, item.points, lost, true, gt(lost, ZERO), lost.isZero() ? "" : reason);
}

function between(item, v, what) {
  const d = asDecimal(item.key, v);
  if (lt(d, ZERO) || gt(d, item.points)) {
    throw new AnswerError(item.key, `${what}应在 0 到 ${decStr(item.points)} 之间`);
  }
  return d;
}

function validateAmount(item, v) {
  if (gt(item.per, ZERO)) asCount(item.key, v);
  else between(item, v, "分值");
}

function amount(item, v) {
  if (gt(item.per, ZERO)) return pyMin(mul(decInt(asCount(item.key, v)), item.per), item.points);
  return asDecimal(item.key, v);
}

function measureReason(item, d) {
  const parts = [];
  if (item.min_ok !== null && lt(d, item.min_ok)) parts.push(`低于下限 ${decStr(item.min_ok)}${item.unit}`);
  if (item.max_ok !== null && gt(d, item.max_ok)) parts.push(`超过限值 ${decStr(item.max_ok)}${item.unit}`);
  return `测量值 ${decStr(d)}${item.unit}，` + parts.join("、");
}

const DATUMS = new Set(["wgs84", "gcj02", "bd09", "cgcs2000"]);

function validateCapture(item, v) {
  switch (item.capture) {
    case "text":
      if (typeof v !== "string") throw new AnswerError(item.key, "应为文本");
      if ([...v].length > 2000) throw new AnswerError(item.key, "文本过长（最多 2000 字）");
      return;
    case "number":
      asDecimal(item.key, v);
      return;
    case "choice":
      if (typeof v !== "string" || !item.choices.includes(v)) {
        throw new AnswerError(item.key, "选项不在允许范围内");
      }
      return;
    case "date":
      if (typeof v !== "string" || !isoDate(v)) throw new AnswerError(item.key, "应为日期（YYYY-MM-DD）");
      return;
    case "geopoint": {
      if (v === null || typeof v !== "object" || Array.isArray(v) || !("lon" in v) || !("lat" in v)) {
        throw new AnswerError(item.key, "应为 {lon, lat, datum}");
      }
      const lon = asDecimal(item.key, v.lon);
      const lat = asDecimal(item.key, v.lat);
      if (lt(lon, decInt(-180n)) || gt(lon, decInt(180n)) || lt(lat, decInt(-90n)) || gt(lat, decInt(90n))) {
        throw new AnswerError(item.key, "经纬度超出范围");
      }
      const datum = "datum" in v ? v.datum : "wgs84";
      if (typeof datum !== "string" || !DATUMS.has(datum)) throw new AnswerError(item.key, "坐标系不受支持");
      return;
    }
    case "photo":
      if (v !== true) throw new AnswerError(item.key, "照片项不填写数值，请上传照片");
      return;
    default:
      return;
  }
}

// date.fromisoformat of Python 3.11: YYYY-MM-DD, YYYYMMDD and the ISO week forms (YYYY-Www[-D], YYYYWww[D])
function isoDate(s) {
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) || /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m && (s.length === 10 || s.length === 8)) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
    return d <= days;
  }
  m = /^(\d{4})-W(\d{2})(?:-(\d))?$/.exec(s) || /^(\d{4})W(\d{2})(\d)?$/.exec(s);
  if (!m || ![7, 8, 10].includes(s.length)) return false;
  const [y, w, d] = [Number(m[1]), Number(m[2]), m[3] === undefined ? 1 : Number(m[3])];
  if (y < 1) return false;
  if (w < 1 || w > 53) return false;
  if (w === 53) {
    const jan1 = new Date(0);
    jan1.setUTCFullYear(y, 0, 1);
    const wd = jan1.getUTCDay(); // 4 Thursday, 3 Wednesday
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    if (!(wd === 4 || (wd === 3 && leap))) return false;
  }
  if (d < 1 || d > 7) return false;
  return true;
}

const KINDS = {
  check: {
    role: BASE,
    validate: (item, v) => asBool(item.key, v),
    score: (item, v) => baseResult(item, pyTruthy(v) ? item.points : ZERO, "不符合要求"),
  },
  score: {
    role: BASE,
    validate: (item, v) => between(item, v, "得分"),
    score: (item, v) => {
      const earned = asDecimal(item.key, v);
      return baseResult(item, earned, `扣 ${decStr(sub(item.points, earned))} 分`);
    },
  },
  deduct: {
    role: BASE,
    validate: validateAmount,
    score: (item, v) => {
      const lost = amount(item, v);
      const perScored = gt(item.per, ZERO);
      let reason = perScored ? `发现 ${pyStr(v)} 处，每处扣 ${decStr(item.per)} 分` : `扣 ${decStr(lost)} 分`;
      if (perScored && gt(mul(decInt(asCount(item.key, v)), item.per), item.points)) {
        reason += `，扣完 ${decStr(item.points)} 分为止`;
      }
      return baseResult(item, sub(item.points, lost), reason);
    },
  },
  bonus: {
    role: BONUS,
    required: false,
    validate: validateAmount,
    score: (item, v) => {
      const a = amount(item, v);
      return result(item, a, ZERO, ZERO, true, false, a.isZero() ? "" : `加 ${decStr(a)} 分`);
    },
  },
  penalty: {
    role: PENALTY,
    required: false,
    validate: validateAmount,
    score: (item, v) => {
      const a = amount(item, v);
      return result(item, ZERO, ZERO, a, true, gt(a, ZERO), a.isZero() ? "" : `扣 ${decStr(a)} 分`);
    },
  },
  veto: {
    role: VETO,
    validate: (item, v) => asBool(item.key, v),
    score: (item, v) => result(item, ZERO, ZERO, ZERO, true, pyTruthy(v), pyTruthy(v) ? "触发一票否决" : ""),
  },
  measure: {
    role: BASE,
    validate: (item, v) => {
      if (lt(asDecimal(item.key, v), ZERO)) throw new AnswerError(item.key, "测量值不能为负数");
    },
    score: (item, v) => {
      const d = asDecimal(item.key, v);
      const ok = (item.min_ok === null || !lt(d, item.min_ok)) && (item.max_ok === null || !gt(d, item.max_ok));
      if (item.points.isZero()) return result(item, ZERO, ZERO, ZERO, true, !ok, ok ? "" : measureReason(item, d));
      return baseResult(item, ok ? item.points : ZERO, measureReason(item, d));
    },
  },
  info: {
    role: NONE,
    validate: validateCapture,
    score: (item) => result(item, ZERO, ZERO, ZERO, true, false, ""),
    answered: (item, a) => a.value !== null || item.capture === "photo",
  },
};

function kindOf(name) {
  const kind = Object.hasOwn(KINDS, name) ? KINDS[name] : undefined;
  if (kind === undefined) throw new Error(`未知类型 ${String(name)}`);
  return kind;
}

/** An item of the template document as the engine sees it (authoring.read_item of a valid template). */
function readItem(raw) {
  const kind = kindOf(raw.kind);
  const item = {
    key: raw.key,
    kind: raw.kind,
    points: readAmount(raw, "points"),
    per: PER_KINDS.has(raw.kind) ? readAmount(raw, "per") : ZERO,
    unit: pyStr("unit" in raw ? raw.unit : ""),
    min_ok: readDecimal(raw.min_ok),
    max_ok: readDecimal(raw.max_ok),
    capture: raw.kind === "info" ? raw.capture ?? null : null,
    choices: [],
    required: pyTruthy("required" in raw ? raw.required : kind.required !== false),
    allow_na: pyTruthy(raw.allow_na ?? false),
    photos: "photos" in raw ? raw.photos : "none",
    min_photos: pyInt(raw.min_photos, 1),
  };
  if (item.capture === "choice") item.choices = (raw.choices || []).map(pyStr);
  return item;
}

const itemCache = new WeakMap();

/** The template's sections with their items read, once per document object. */
function readTemplate(document) {
  let spec = itemCache.get(document);
  if (spec === undefined) {
    spec = {
      sections: (document.sections || []).map((s) => ({
        key: s.key,
        cap: readDecimal(s.cap),
        items: (s.items || []).map(readItem),
      })),
      bonus_cap: readDecimal(document.bonus_cap),
      penalty_cap: readDecimal(document.penalty_cap),
    };
    spec.items = new Map(spec.sections.flatMap((s) => s.items.map((i) => [i.key, i])));
    itemCache.set(document, spec);
  }
  return spec;
}

/** Answers as the server builds them (to_domain_answers): the keys answered or with photos; `na` as Python
 * reads its truth; a value the JSON cannot carry (undefined, NaN) is null. */
function domainAnswers(answers, photoCounts) {
  const stored = answers || {};
  const photos = photoCounts || {};
  const out = new Map();
  for (const k of [...Object.keys(stored), ...Object.keys(photos)]) {
    if (!k || out.has(k)) continue;
    const raw = stored[k] !== null && typeof stored[k] === "object" ? stored[k] : {};
    const value = wire(raw.value);
    out.set(k, { value, na: pyTruthy(raw.na), photo_count: Number(photos[k] || 0) });
  }
  return out;
}

/** A value as JSON carries it: undefined and non-finite numbers are null (also inside a geopoint). */
function wire(v) {
  if (v === undefined) return null;
  if (typeof v === "number" && !Number.isFinite(v)) return null;
  if (v !== null && typeof v === "object") return JSON.parse(JSON.stringify(v));
  return v;
}

const UNANSWERED = { value: null, na: false, photo_count: 0 };

function validateAnswer(item, answer) {
  if (answer.na) {
    if (!item.allow_na) throw new AnswerError(item.key, "此项不允许标记为不适用");
    return;
  }
  if (answer.value === null) return;
  kindOf(item.kind).validate(item, answer.value);
}

function scoreItem(item, answer) {
  const kind = kindOf(item.kind);
  if (kind.role === NONE) return result(item, ZERO, ZERO, ZERO, true, false, "");
  if (answer.na) return result(item, ZERO, ZERO, ZERO, false, false, "不适用");
  if (answer.value === null) {
    const maximum = kind.role === BASE ? item.points : ZERO;
    return result(item, ZERO, maximum, maximum, true, false, "未填写");
  }
  return kind.score(item, answer.value);
}

// --- the contract ------------------------------------------------------------------------------------------

/** The answers the server would accept of those given: an answer it refuses (see answerError) counts as
 * unanswered (its photos still count), an item the template does not have is left out. */
function acceptable(spec, given) {
  const out = new Map();
  for (const [key, answer] of given) {
    const item = spec.items.get(key);
    if (item === undefined) continue;
    try {
      validateAnswer(item, answer);
      out.set(key, answer);
    } catch (exc) {
      if (!(exc instanceof AnswerError)) throw exc;
      out.set(key, { ...UNANSWERED, photo_count: answer.photo_count });
    }
  }
  return out;
}

/** The score the server would give these answers: score_json(score(spec, answers)).
 *
 * An answer the server refuses (a value that does not fit, 不适用 where not allowed: answerError gives its
 * message) has no score on the server, whose PUT answers 400 invalid_answers. While the inspector types, the
 * running score counts it as unanswered, and an answer for an item the template does not have is left out;
 * with `{strict: true}` the function throws the server's AnswerError instead (key, message), as score does. */
export function scoreInspection(document, answers, photoCounts, { strict = false } = {}) {
  const spec = readTemplate(document);
  let given = domainAnswers(answers, photoCounts);
  if (strict) {
    for (const key of given.keys()) {
      if (!spec.items.has(key)) throw new AnswerError(key, "模板中没有这个检查项");
    }
  } else {
    given = acceptable(spec, given);
  }
  const items = [];
  const sections = [];
  let baseEarned = ZERO;
  let baseMax = ZERO;
  let bonus = ZERO;
  let penalty = ZERO;
  const vetoItems = [];
  for (const section of spec.sections) {
    let sEarned = ZERO;
    let sMax = ZERO;
    for (const item of section.items) {
      const answer = given.get(item.key) || UNANSWERED;
      validateAnswer(item, answer);
      const r = scoreItem(item, answer);
      items.push(r);
      const role = kindOf(item.kind).role;
      if (role === BASE) {
        sEarned = add(sEarned, r.earned);
        sMax = add(sMax, r.maximum);
      } else if (role === BONUS) bonus = add(bonus, r.earned);
      else if (role === PENALTY) penalty = add(penalty, r.lost);
      else if (role === VETO && r.failed) vetoItems.push(r.key);
    }
    const capped = section.cap !== null && gt(sMax, section.cap);
    if (section.cap !== null) {
      sMax = pyMin(sMax, section.cap);
      sEarned = pyMin(sEarned, section.cap);
    }
    sections.push({ key: section.key, earned: points(sEarned), maximum: points(sMax), capped });
    baseEarned = add(baseEarned, sEarned);
    baseMax = add(baseMax, sMax);
  }
  if (spec.bonus_cap !== null) bonus = pyMin(bonus, spec.bonus_cap);
  if (spec.penalty_cap !== null) penalty = pyMin(penalty, spec.penalty_cap);
  let percent = gt(baseMax, ZERO) ? mul(div(baseEarned, baseMax), HUNDRED) : ZERO;
  percent = pyMax(ZERO, pyMin(HUNDRED, sub(add(percent, bonus), penalty)));
  return {
    percent: decText(percent),
    base_earned: points(baseEarned),
    base_maximum: points(baseMax),
    bonus: points(bonus),
    penalty: points(penalty),
    vetoed: vetoItems.length > 0,
    veto_items: vetoItems,
    sections,
    items: items.map((r) => ({
      key: r.key,
      earned: points(r.earned),
      maximum: points(r.maximum),
      lost: points(r.lost),
      applicable: r.applicable,
      failed: r.failed,
      reason: r.reason,
    })),
  };
}

/** What blocks a submit, as the server's missing_answers: {item_key: message}. An answer the server refuses
 * counts as unanswered (`{strict: true}`: as the server's function, which is only ever given accepted answers,
 * would take it — it may throw AnswerError then). */
export function missingAnswers(document, answers, photoCounts, { strict = false } = {}) {
  const spec = readTemplate(document);
  let given = domainAnswers(answers, photoCounts);
  if (!strict) given = acceptable(spec, given);
  const problems = {};
  for (const item of spec.items.values()) {
    const a = given.get(item.key) || UNANSWERED;
    if (a.na) continue;
    const kind = kindOf(item.kind);
    const unanswered = !(kind.answered ? kind.answered(item, a) : a.value !== null);
    if (item.required && unanswered) {
      problems[item.key] = "必填项未填写";
      continue;
    }
    let needsPhotos = item.photos === "required" || (item.capture === "photo" && item.required);
    if (item.photos === "on_fail" && !unanswered) needsPhotos = scoreItem(item, a).failed;
    if (needsPhotos && a.photo_count < item.min_photos) problems[item.key] = `需要至少 ${item.min_photos} 张照片`;
  }
  return problems;
}

/** The server's round_half_up (scoring.engine.checklist): a decimal string (a score's `percent`, which
 * score_json leaves unrounded) to `places` decimals, halves away from zero, as text with its places
 * ("66.67", "100.00"). For display: compute with the unrounded strings. */
export function roundHalfUp(value, places = 2) {
  const d = typeof value === "string" ? parseDecimalText(value) : asDecimal("", value);
  if (!(d instanceof Dec)) throw new RangeError(`不是有限的数值：${String(value)}`);
  if (d.e >= -places) return decText(new Dec(d.s, d.c * pow10(d.e + places), -places));
  const unit = pow10(-places - d.e);
  const q = d.c / unit;
  return decText(new Dec(d.s, (d.c % unit) * 2n >= unit ? q + 1n : q, -places));
}

/** The message the server's validate_answer gives for this answer to this item (the template document's
 * item), or null when the server takes it (an unanswered item is taken: submit asks for it). */
export function answerError(item, answer) {
  const spec = readItem(item);
  const raw = answer !== null && typeof answer === "object" ? answer : {};
  try {
    validateAnswer(spec, { value: wire(raw.value), na: pyTruthy(raw.na), photo_count: 0 });
    return null;
  } catch (exc) {
    if (exc instanceof AnswerError) return exc.message;
    throw exc;
  }
}
