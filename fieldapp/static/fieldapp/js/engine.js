// placeholder: replaced by the i17-engine branch at merge
// The contract (ISSUE17.md): scoreInspection, missingAnswers, answerError with the server's shapes. This
// stand-in only lets the screens be built and tested: plain float arithmetic, no caps, no bonus/penalty
// caps. The real port of scoring/engine/checklist/ is i17-engine's engine.js.

const items = (doc) => (doc.sections || []).flatMap((s) => (s.items || []).map((i) => ({ ...i, section: s.key })));
const num = (v) => (v === null || v === undefined || v === "" ? null : Number(v));
const str = (x) => String(Math.round(x * 100) / 100);
const answered = (item, a) => a && (a.na || (a.value !== null && a.value !== undefined && a.value !== ""));

export function scoreInspection(document, answers, photoCounts) {
  let earnedAll = 0, maxAll = 0, bonus = 0, penalty = 0, vetoed = false;
  const vetoItems = [], out = [], bySection = {};
  for (const item of items(document)) {
    const a = answers[item.key] || {};
    const points = Number(item.points || 0);
    const base = ["check", "score", "deduct"].includes(item.kind) || (item.kind === "measure" && points > 0);
    let earned = 0, maximum = base ? points : 0, lost = 0, failed = false, applicable = true, reason = "";
    if (a.na) { applicable = false; maximum = 0; }
    else if (answered(item, a)) {
      const v = a.value;
      if (item.kind === "check") { earned = v ? points : 0; }
      else if (item.kind === "score") { earned = num(v); }
      else if (item.kind === "deduct") { earned = Math.max(0, points - (item.per ? num(v) * item.per : num(v))); }
      else if (item.kind === "bonus") { earned = item.per ? Math.min(points, num(v) * item.per) : num(v); bonus += earned; }
      else if (item.kind === "penalty") { lost = item.per ? Math.min(points, num(v) * item.per) : num(v); penalty += lost; failed = lost > 0; }
      else if (item.kind === "veto") { failed = Boolean(v); if (failed) { vetoed = true; vetoItems.push(item.key); reason = "触发一票否决"; } }
      else if (item.kind === "measure") {
        const d = num(v);
        const ok = (item.min_ok == null || d >= item.min_ok) && (item.max_ok == null || d <= item.max_ok);
        earned = base && ok ? points : 0; failed = !ok;
        if (!ok) reason = `测量值 ${d}${item.unit || ""}，超出限值`;
      }
      if (base) { lost = maximum - earned; failed = failed || lost > 0; if (lost > 0 && !reason) reason = "不符合要求"; }
    } else if (base) { earned = 0; }
    if (base) { earnedAll += earned; maxAll += maximum; }
    const s = (bySection[item.section] ||= { key: item.section, earned: 0, maximum: 0, capped: false });
    if (base) { s.earned += earned; s.maximum += maximum; }
    out.push({ key: item.key, earned: str(earned), maximum: str(maximum), lost: str(lost), applicable, failed, reason });
  }
  const percent = maxAll > 0 ? (earnedAll * 100) / maxAll + bonus - penalty : 0;
  return {
    percent: str(vetoed ? 0 : Math.max(0, percent)), base_earned: str(earnedAll), base_maximum: str(maxAll),
    bonus: str(bonus), penalty: str(penalty), vetoed, veto_items: vetoItems,
    sections: Object.values(bySection).map((s) => ({ ...s, earned: str(s.earned), maximum: str(s.maximum) })),
    items: out,
  };
}

export function missingAnswers(document, answers, photoCounts) {
  const problems = {};
  for (const item of items(document)) {
    const a = answers[item.key] || {};
    const optional = item.required === false || ["bonus", "penalty"].includes(item.kind);
    const isPhoto = item.kind === "info" && item.capture === "photo";
    if (!optional && !isPhoto && !answered(item, a)) problems[item.key] = "必填项未填写";
    if (a.na) continue;
    const need = item.photos === "required" ? Number(item.min_photos || 1)
      : item.photos === "on_fail" && a.value === false ? 1 : 0;
    if ((photoCounts[item.key] || 0) < need) problems[item.key] = need > 1 ? `至少需要 ${need} 张照片` : "需要照片";
  }
  return problems;
}

export function answerError(item, answer) {
  if (!answer || answer.na || answer.value === null || answer.value === undefined || answer.value === "") return null;
  const v = answer.value;
  if (["score", "measure", "deduct", "bonus", "penalty"].includes(item.kind) && !Number.isFinite(Number(v))) return "应为数值";
  if (item.kind === "score" && (Number(v) < 0 || Number(v) > Number(item.points))) return `得分应在 0 到 ${item.points} 之间`;
  if (item.kind === "measure" && Number(v) < 0) return "测量值不能为负数";
  return null;
}

// i17-engine's engine.js adds this export (README "Scoring on the device"): percent is unrounded text.
export function roundHalfUp(value, places = 2) {
  const [int, frac = ""] = String(value).split(".");
  const digits = (frac + "0".repeat(places + 1)).slice(0, places + 1);
  const scaled = BigInt(int.replace("-", "") + digits.slice(0, places)) + (Number(digits[places]) >= 5 ? 1n : 0n);
  const text = scaled.toString().padStart(places + 1, "0");
  const sign = int.startsWith("-") && scaled !== 0n ? "-" : "";
  return places ? `${sign}${text.slice(0, -places)}.${text.slice(-places)}` : `${sign}${text}`;
}
