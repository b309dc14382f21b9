// The planners' map (/console/map/): MapLibre GL JS (CSP build, worker from our static files) drawing our own
// vector tiles; layer switcher, month picker, search, popups built with DOM methods (no inline code, no HTML
// strings). The map is on `window.fieldscoreMap` for the browser tests.

import { wgs84ToGcj02 } from "./gcj02.js";

const config = JSON.parse(document.getElementById("map-config").textContent);
const container = document.getElementById("map");
const maplibregl = window.maplibregl;
maplibregl.setWorkerUrl(new URL(container.dataset.worker, window.location.href).href);

const CLASS_COLOURS = ["match", ["get", "class"], 1, "#1c6fb8", 2, "#4fa3e0", 3, "#2f9e44", 4, "#f2c200", 5, "#f08c00", 6, "#d62828", "#9aa0a6"];
const CLASS_LABELS = { 1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ" };
// Below config.cluster_below the point layers come as grid cells: one feature per occupied cell with `count`
// and tallies, an id that is the cell's (not an object's), no other property. Objects never carry `count`.
const CELL = ["has", "count"];
const COUNT = ["coalesce", ["get", "count"], 1];
// Cells are 16 px apart at the tiles' own zoom (32 × 32 per 512 px tile): a radius up to 8 px keeps them apart.
const CELL_SIZE = ["interpolate", ["linear"], COUNT, 1, 4, 10, 6, 100, 8];
const SOME = (tally) => [">", ["coalesce", ["get", tally], 0], 0];
// 排污口 (65号 item 19): coloured by state; a thick dark ring while still to inspect this year.
const OUTFALL_STATE_COLOURS = ["match", ["get", "state"], "found", "#e8590c", "rectifying", "#f2c200", "banned", "#495057", "merged", "#748ffc", "compliant", "#2f9e44", "#9aa0a6"];
const SWITCHABLE = { towns: ["towns-fill", "towns-line"], rivers: ["rivers"], sections: ["sections"], facilities: ["facilities"], outfalls: ["outfalls"], pump_stations: ["pump_stations"], rectifications: ["rectifications"], photos: ["photos"] };
const CLICKABLE = ["photos", "rectifications", "outfalls", "pump_stations", "facilities", "sections", "rivers", "towns-fill"];

let month = config.month;

function tileUrl(layer) {
  const url = new URL(config.tiles.replace("{layer}", layer), window.location.origin);
  if (layer === "sections" && month) url.searchParams.set("month", month);
  if (config.datum !== "wgs84") url.searchParams.set("datum", config.datum);
  // MapLibre fills {z}/{x}/{y}; URL() escaped the braces.
  return decodeURI(url.href);
}

function source(layer) {
  return { type: "vector", tiles: [tileUrl(layer)], minzoom: 0, maxzoom: 16 };
}

function visibility(layer) {
  const box = document.querySelector(`#map-layers input[value="${layer}"]`);
  return box && box.checked ? "visible" : "none";
}

function style() {
  const sources = {};
  for (const layer of Object.keys(SWITCHABLE)) sources[layer] = source(layer);
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#f3f1ea" } }];
  if (config.base) {
    sources.base = { type: "raster", tiles: [config.base.url], tileSize: 256, maxzoom: 18 };
    layers.push({ id: "base", type: "raster", source: "base" });
  }
  const on = (name) => ({ visibility: visibility(name) });
  layers.push(
    { id: "towns-fill", type: "fill", source: "towns", "source-layer": "towns", layout: on("towns"), paint: { "fill-color": "#d8e4cf", "fill-opacity": config.base ? 0.15 : 0.6 } },
    { id: "towns-line", type: "line", source: "towns", "source-layer": "towns", layout: on("towns"), paint: { "line-color": "#4d5b45", "line-width": 1.5 } },
    // The base's rivers (the current river network): 干流 wider than tributaries, drawn under every point.
    {
      id: "rivers", type: "line", source: "rivers", "source-layer": "rivers", layout: { ...on("rivers"), "line-cap": "round" },
      paint: { "line-color": "#3b7bbf", "line-width": ["interpolate", ["linear"], ["zoom"], 8, ["case", ["==", ["get", "level"], 0], 3, 1.5], 14, ["case", ["==", ["get", "level"], 0], 6, 3]] },
    },
    {
      id: "sections", type: "circle", source: "sections", "source-layer": "sections", layout: on("sections"),
      paint: { "circle-color": CLASS_COLOURS, "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 5, 14, 9], "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 },
    },
    {
      id: "facilities", type: "circle", source: "facilities", "source-layer": "facilities", layout: on("facilities"),
      paint: {
        // A cell: orange when one of its facilities was found abnormal, green when all were found normal,
        // grey-blue while some are unaudited. A facility: by its last audit's condition.
        "circle-color": ["case",
          CELL, ["case", SOME("abnormal"), "#e8590c", ["==", ["get", "normal"], COUNT], "#2f9e44", "#5c5f99"],
          ["!", ["has", "condition"]], "#9aa0a6", ["==", ["get", "condition"], "normal"], "#2f9e44", "#e8590c"],
        // "zoom" may only be the input of the top-level interpolate: the cell's size sits in both stops.
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, ["case", CELL, CELL_SIZE, 3], 14, ["case", CELL, CELL_SIZE, 6]],
        "circle-opacity": ["case", CELL, 0.75, 1],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": ["case", CELL, 2, 1],
      },
    },
    {
      id: "outfalls", type: "circle", source: "outfalls", "source-layer": "outfalls", layout: on("outfalls"),
      paint: {
        "circle-color": OUTFALL_STATE_COLOURS,
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 4, 14, 7],
        "circle-stroke-color": "#212529",
        "circle-stroke-width": ["case", ["has", "inspected_on"], 1, 3],
      },
    },
    {
      // 排涝泵站: a square-ish marker (wide white stroke), red while it holds sewage (拦蓄污水), blue otherwise.
      id: "pump_stations", type: "circle", source: "pump_stations", "source-layer": "pump_stations", layout: on("pump_stations"),
      paint: {
        "circle-color": ["case", ["==", ["get", "holds_sewage"], true], "#a61e4d", "#1971c2"],
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 4, 14, 8],
        "circle-stroke-color": "#212529", "circle-stroke-width": 2,
      },
    },
    {
      id: "rectifications", type: "circle", source: "rectifications", "source-layer": "rectifications", layout: on("rectifications"),
      paint: {
        // A cell with overdue ones is red like an overdue rectification, and sized by its count.
        "circle-color": ["case", ["case", CELL, SOME("overdue"), ["==", ["get", "overdue"], true]], "#c92a2a", "#f59f00"],
        "circle-radius": ["case", CELL, CELL_SIZE, ["==", ["get", "overdue"], true], 10, 6],
        "circle-opacity": 0.85,
        "circle-stroke-color": ["case", ["case", CELL, SOME("overdue"), ["==", ["get", "overdue"], true]], "#5c0b0b", "#ffffff"], "circle-stroke-width": 2,
      },
    },
    {
      id: "photos", type: "circle", source: "photos", "source-layer": "photos", layout: on("photos"),
      paint: {
        "circle-color": ["case", CELL, "#5c5f99", "#495057"],
        "circle-radius": ["case", CELL, CELL_SIZE, 4],
        "circle-stroke-color": ["case", ["case", CELL, SOME("flagged"), SOME("flag_count")], "#e03131", "#ffffff"],
        "circle-stroke-width": ["case", ["case", CELL, SOME("flagged"), SOME("flag_count")], 3, 1],
      },
    },
  );
  return { version: 8, sources, layers };
}

const map = new maplibregl.Map({
  container,
  style: style(),
  center: config.center,
  zoom: 10,
  maxZoom: 18,
  attributionControl: { compact: true },
  locale: {
    "NavigationControl.ZoomIn": "放大",
    "NavigationControl.ZoomOut": "缩小",
    "NavigationControl.ResetBearing": "恢复正北",
    "GeolocateControl.FindMyLocation": "我的位置",
    "GeolocateControl.LocationNotAvailable": "无法获取位置",
    "AttributionControl.ToggleAttribution": "数据来源",
    "Popup.Close": "关闭",
  },
});
if (config.bounds) {
  const [w, s, e, n] = config.bounds;
  map.fitBounds([[w, s], [e, n]], { padding: 40, duration: 0, maxZoom: 12 });
}
// The canvas is a region of its own (MapLibre), focusable: arrow keys pan, + and - zoom.
map.getCanvas().setAttribute("aria-label", "地图画布：方向键平移，加号、减号缩放");
map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
const geolocate = new maplibregl.GeolocateControl({ positionOptions: { enableHighAccuracy: true } });
if (config.datum === "gcj02") {
  // The browser's fix is WGS-84; over a GCJ-02 base map it is moved like our tiles before the control draws
  // it. The control takes no datum: `_onSuccess` is the pinned MapLibre 4.7.1 control's fix handler (read
  // when each fix arrives), and a browser test fails if an upgrade renames it.
  const draw = geolocate._onSuccess;
  if (typeof draw !== "function") throw new Error("MapLibre GeolocateControl._onSuccess 不存在：升级后需调整定位坐标转换");
  geolocate._onSuccess = (position) => {
    const c = position.coords;
    const [longitude, latitude] = wgs84ToGcj02(c.longitude, c.latitude);
    draw({
      timestamp: position.timestamp,
      coords: { longitude, latitude, accuracy: c.accuracy, altitude: c.altitude, altitudeAccuracy: c.altitudeAccuracy, heading: c.heading, speed: c.speed },
    });
  };
}
map.addControl(geolocate);
map.addControl(new maplibregl.ScaleControl());
window.fieldscoreMap = map;
// The first full render (every visible layer drawn), in the page's own timing: the browser test and bench/tiles read it.
map.once("idle", () => { container.dataset.readyMs = String(Math.round(performance.now())); container.dataset.ready = "1"; });

// --- layer switcher and month -----------------------------------------------------------------------------
document.getElementById("map-layers").addEventListener("change", (event) => {
  const layer = event.target.value;
  for (const id of SWITCHABLE[layer] || []) map.setLayoutProperty(id, "visibility", event.target.checked ? "visible" : "none");
});

const monthInput = document.getElementById("map-month-input");
monthInput.addEventListener("change", () => {
  if (!/^\d{4}-\d{2}$/.test(monthInput.value)) return;
  month = monthInput.value;
  map.getSource("sections").setTiles([tileUrl("sections")]);
  const url = new URL(window.location.href);
  url.searchParams.set("month", month);
  window.history.replaceState(null, "", url);
});
document.getElementById("map-month").addEventListener("submit", (event) => event.preventDefault());

// --- popups -------------------------------------------------------------------------------------------
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function link(kind, id, text) {
  const a = el("a", text);
  a.href = config.links[kind].replace("{id}", encodeURIComponent(id));
  return a;
}

function row(list, term, value) {
  if (value === undefined || value === null || value === "") return;
  list.append(el("dt", term), el("dd", value));
}

const SUBJECT_LINKS = { sewage_facility: ["facility", "打开设施档案"], river_section: ["section", "打开断面页面"], town: ["town", "打开区镇页面"] };

function popupContent(feature) {
  const p = feature.properties;
  const box = el("div", null, "map-popup");
  const facts = el("dl");
  const layer = feature.layer.id;
  if (p.count !== undefined) return cellContent(feature, box, facts);
  if (layer === "facilities") {
    box.append(el("h3", p.name));
    row(facts, "编码", p.code);
    row(facts, "登记状态", config.labels.status[p.status] || p.status);
    const conditions = p.condition ? String(p.condition).split(",").map((c) => config.labels.condition[c] || c).join("、") : "尚未核查";
    row(facts, "运行状况", conditions);
    box.append(facts, link("facility", feature.id, "打开设施档案"));
  } else if (layer === "sections") {
    box.append(el("h3", p.name));
    row(facts, "编码", p.code);
    row(facts, "目标", p.target_class ? `${CLASS_LABELS[p.target_class]}类` : "");
    row(facts, `${month} 水质`, p.class_label ? `${p.class_label}类${p.meets_target === false ? "（未达标）" : p.meets_target ? "（达标）" : ""}` : "当月无数据");
    if (p.watch) row(facts, "标记", "提Ⅲ");
    box.append(facts, link("section", feature.id, "打开断面页面"));
  } else if (layer === "rivers") {
    box.append(el("h3", p.name || p.river_id));
    row(facts, "河流编码", p.river_id);
    row(facts, "级别", p.level === undefined ? "未定" : Number(p.level) === 0 ? "干流" : `${p.level} 级支流`);
    if (p.synthetic) row(facts, "河网", "演示用合成河网（非实测）");
    box.append(facts);
  } else if (layer === "pump_stations") {
    box.append(el("h3", p.name));
    row(facts, "编码", p.code);
    row(facts, "拦蓄污水", p.holds_sewage ? "是（在清单中）" : "否");
    if (p.cleared_on) row(facts, "清零日期", p.cleared_on);
    if (p.synthetic) row(facts, "数据", "演示用合成泵站");
    box.append(facts);
  } else if (layer === "towns-fill") {
    box.append(el("h3", p.name));
    row(facts, "区划代码", p.code);
    if (p.synthetic) row(facts, "边界", "演示用合成边界");
    box.append(facts, link("town", feature.id, "打开区镇页面"));
  } else if (layer === "rectifications") {
    box.append(el("h3", p.overdue ? "整改逾期" : "整改未销号"));
    row(facts, "状态", config.labels.rectification[p.status] || p.status);
    row(facts, "期限", p.deadline);
    box.append(facts);
    const target = SUBJECT_LINKS[p.subject_kind];
    if (target && p.subject_id) box.append(link(target[0], p.subject_id, target[1]));
  } else if (layer === "outfalls") {
    box.append(el("h3", p.name));
    row(facts, "编码", p.code);
    row(facts, "类型", config.labels.outfall_kind[p.kind] || p.kind);
    row(facts, "整治方式", config.labels.outfall_decision[p.decision || ""] || p.decision);
    row(facts, "整治状态", config.labels.outfall_state[p.state] || p.state);
    row(facts, "最近检查", p.inspected_on || "尚未检查");
    if (p.synthetic) row(facts, "数据", "演示用合成排污口");
    box.append(facts);
  } else if (layer === "photos") {
    box.append(el("h3", p.kind === "rectification" ? "整改照片" : "检查照片"));
    row(facts, "核验标记", p.flags ? String(p.flags).split(",").join("、") : "无");
    box.append(facts);
  }
  return box;
}

const CELL_TALLIES = {
  facilities: ["个设施", [["normal", "最近核查正常"], ["abnormal", "最近核查有异常"], ["unaudited", "尚未核查"]]],
  rectifications: ["项未销号整改", [["overdue", "其中逾期"]]],
  photos: ["张证据照片", [["flagged", "有核验标记"]]],
};

// A grid cell names no object: its counts, and a button that zooms in until the objects show.
function cellContent(feature, box, facts) {
  const p = feature.properties;
  const [noun, tallies] = CELL_TALLIES[feature.layer.id];
  box.append(el("h3", `此处 ${p.count} ${noun}`));
  for (const [tally, term] of tallies) row(facts, term, p[tally] ?? 0);
  const zoomIn = el("button", "放大查看", "button-link");
  zoomIn.type = "button";
  zoomIn.addEventListener("click", () => {
    if (popup) popup.remove();
    map.easeTo({ center: feature.geometry.coordinates, zoom: Math.max(config.cluster_below, map.getZoom() + 2) });
  });
  box.append(facts, el("p", `缩放到 ${config.cluster_below} 级及以上时逐个显示。`), zoomIn);
  return box;
}

let popup = null;
map.on("click", (event) => {
  const { x, y } = event.point;
  const layers = CLICKABLE.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, "visibility") !== "none");
  const [feature] = map.queryRenderedFeatures([[x - 6, y - 6], [x + 6, y + 6]], { layers });
  if (popup) popup.remove();
  if (!feature) return;
  const at = feature.geometry.type === "Point" ? feature.geometry.coordinates : event.lngLat;
  popup = new maplibregl.Popup({ maxWidth: "280px", focusAfterOpen: true }).setLngLat(at).setDOMContent(popupContent(feature)).addTo(map);
});
for (const id of CLICKABLE) {
  map.on("mouseenter", id, () => { map.getCanvas().classList.add("map-pointer"); });
  map.on("mouseleave", id, () => { map.getCanvas().classList.remove("map-pointer"); });
}

// --- search ---------------------------------------------------------------------------------------------
const KIND_LABELS = { town: "区镇", facility: "设施", section: "断面" };
const searchForm = document.getElementById("map-search");
const results = document.getElementById("map-search-results");
searchForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const q = new FormData(searchForm).get("q").trim();
  results.replaceChildren();
  if (!q) return;
  const response = await fetch(`${config.search}?q=${encodeURIComponent(q)}`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) { results.append(el("li", "查找失败，请稍后再试。")); return; }
  const found = (await response.json()).results;
  if (!found.length) { results.append(el("li", "没有找到。")); return; }
  for (const hit of found) {
    const item = el("li");
    const label = `${KIND_LABELS[hit.kind]} · ${hit.name}（${hit.code}）`;
    if (hit.at) {
      const button = el("button", label, "button-link");
      button.type = "button";
      button.addEventListener("click", () => map.flyTo({ center: hit.at, zoom: hit.kind === "town" ? 12 : 15 }));
      item.append(button);
    } else {
      item.append(el("span", `${label}：无位置`));
    }
    item.append(" ", link(hit.kind, hit.id, "打开"));
    results.append(item);
  }
});
