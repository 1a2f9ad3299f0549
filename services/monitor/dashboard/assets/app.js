// The monitor's status page: the pool list at /, one pool at /pools/NAME.
// Everything comes from this origin's /api (no outside request); text is
// set with textContent, never parsed as HTML.
"use strict";

const HEALTH = {
  HEALTH_OK: "ok", HEALTH_DEGRADED: "degraded", HEALTH_DOWN: "down",
  HEALTH_UNSPECIFIED: "unknown",
};

function el(tag, attrs, ...children) {
  const svg = ["svg", "rect", "line", "text", "g", "title"].includes(tag);
  const node = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag)
                   : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

async function getJson(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function health(h) { return HEALTH[h] || "unknown"; }

function badge(h, id) {
  const s = health(h);
  return el("span", { class: "badge " + s, id: id, "data-status": s }, s);
}

// "1234500000" nRLC -> "1.2345 RLC"; exact (BigInt), trailing zeros cut.
function units(value, decimals, unit) {
  let v;
  try { v = BigInt(value || "0"); } catch (e) { return String(value); }
  const base = 10n ** BigInt(decimals);
  const whole = v / base;
  let frac = (v % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  return whole.toString() + (frac ? "." + frac : "") + " " + unit;
}

function rlc(nrlc) { return units(nrlc, 9, "RLC"); }

function when(rfc3339) {
  if (!rfc3339) return "";
  const d = new Date(rfc3339);
  return isNaN(d) ? rfc3339 : d.toLocaleString();
}

function card(title, wide, ...body) {
  return el("section", { class: wide ? "card wide" : "card" }, el("h2", {}, title), ...body);
}

function kpi(id, label, value, raw) {
  return el("div", { class: "kpi" },
    el("div", { class: "v", id: id, "data-value": raw === undefined ? value : raw }, value),
    el("div", { class: "l" }, label));
}

// ---- the pool list ----

async function showList() {
  document.getElementById("title").textContent = "pools";
  const main = document.getElementById("main");
  let pools;
  try {
    pools = (await getJson("/api/pools")).pools;
  } catch (e) {
    main.replaceChildren(el("p", { class: "error" }, "cannot list pools: " + e.message));
    return;
  }
  if (!pools.length) {
    main.replaceChildren(card("Pools", true, el("p", { class: "muted" },
      "No pool monitored yet: ", el("code", {}, "poolctl monitor add-pool NAME ..."),
      " or ", el("code", {}, "poolctl pool up"), ".")));
    return;
  }
  const rows = pools.map((p) => el("tr", { "data-pool": p.name },
    el("td", {}, el("a", { href: "/pools/" + encodeURIComponent(p.name) }, p.name)),
    el("td", {}, badge(p.overall)),
    el("td", {}, p.workers || ""),
    el("td", {}, when(p.updatedAt))));
  main.replaceChildren(card("Pools", true, el("table", { id: "pools" },
    el("tr", {}, el("th", {}, "pool"), el("th", {}, "status"), el("th", {}, "workers"),
      el("th", {}, "checked")), rows)));
}

// ---- one pool ----

const view = { status: null, stats: null, statsError: "", revisions: null, revisionsError: "" };

function component(status, name) {
  return (status.components || []).find((c) => c.name === name);
}

function statusCards(status) {
  const comps = status.components || [];
  const workers = component(status, "workers");
  const wv = (workers && workers.values) || {};
  const alive = wv.aliveWorkers, expected = wv.expectedWorkers;
  const workerRows = comps.filter((c) => c.name.startsWith("worker/")).map((c) =>
    el("tr", { "data-worker": c.name.slice(7), "data-status": health(c.status) },
      el("td", {}, c.name.slice(7)), el("td", {}, badge(c.status)), el("td", {}, c.detail)));
  const market = component(status, "market");
  const mv = (market && market.values) || {};
  const chain = component(status, "chain");
  const cv = (chain && chain.values) || {};
  return [
    card("Components", true, el("table", { id: "components" },
      el("tr", {}, el("th", {}, "component"), el("th", {}, "status"), el("th", {}, "why"),
        el("th", {}, "checked")),
      comps.map((c) => el("tr", { "data-component": c.name, "data-status": health(c.status) },
        el("td", {}, c.name), el("td", {}, badge(c.status)), el("td", {}, c.detail || ""),
        el("td", {}, when(c.checkedAt)))))),
    card("Workers", false,
      el("div", { class: "kpis" },
        kpi("workers-alive", "alive", alive === undefined ? "?" : alive),
        kpi("workers-expected", "expected", expected === undefined ? "?" : expected)),
      el("p", { class: "muted", id: "workers-detail" }, workers ? workers.detail : "no workers component"),
      workerRows.length ? el("table", { id: "workers" },
        el("tr", {}, el("th", {}, "worker"), el("th", {}, "status"), el("th", {}, "why")),
        workerRows) : null),
    card("Market", false,
      el("div", { class: "kpis" },
        kpi("market-orders", "open orders", mv.openOrders === undefined ? "?" : mv.openOrders),
        kpi("market-volume", "open volume", mv.openVolume === undefined ? "?" : mv.openVolume),
        kpi("chain-head", "chain head", cv.headBlock === undefined ? "?" : cv.headBlock)),
      el("p", { class: "muted" }, market ? market.detail : "the market is not probed")),
  ];
}

function barChart(id, points, series) {
  const w = 600, h = 150, pad = 18;
  const max = Math.max(1, ...points.map((p) => series.reduce((s, k) => s + k.value(p), 0)));
  const bw = (w - 2 * pad) / Math.max(1, points.length);
  const svg = el("svg", { class: "chart", id: id, viewBox: `0 0 ${w} ${h}`,
    preserveAspectRatio: "none", role: "img" });
  svg.append(el("line", { class: "axis", x1: pad, y1: h - pad, x2: w - pad, y2: h - pad }));
  points.forEach((p, i) => {
    let y = h - pad;
    for (const s of series) {
      const v = s.value(p);
      if (v <= 0) continue;
      const bh = (v / max) * (h - 2 * pad);
      y -= bh;
      svg.append(el("rect", { class: s.cls, x: pad + i * bw + 1, y: y, width: Math.max(1, bw - 2),
        height: bh }, el("title", {}, new Date(p.time * 1000).toLocaleString() + ": " + s.label(p))));
    }
  });
  svg.append(el("text", { x: pad, y: h - 4 }, points.length ? new Date(points[0].time * 1000).toLocaleString() : ""));
  svg.append(el("text", { x: w - pad, y: h - 4, "text-anchor": "end" },
    points.length ? new Date(points[points.length - 1].time * 1000).toLocaleString() : ""));
  return svg;
}

function statsCards(stats, error) {
  if (!stats) {
    return [card("Earnings", true, el("p", { class: error ? "error" : "muted", id: "stats-error" },
      error || "reading the pool's on-chain history…"))];
  }
  const t = stats.tasks;
  const points = stats.timeline || [];
  const workers = (stats.workers || []).map((w) => el("tr", { "data-address": w.address },
    el("td", {}, el("code", {}, w.address)), el("td", { class: "num" }, w.tasks),
    el("td", { class: "num", "data-nrlc": w.earned }, rlc(w.earned)),
    el("td", { class: "num", "data-nrlc": w.seized }, rlc(w.seized))));
  return [
    card("Earnings (blocks " + stats.fromBlock + " to " + stats.toBlock + ")", true,
      el("div", { class: "kpis" },
        kpi("deals", "deals", stats.deals),
        kpi("tasks-completed", "tasks completed", t.completed),
        kpi("tasks-failed", "tasks failed", t.failed),
        kpi("tasks-running", "tasks running", t.running),
        kpi("earned-scheduler", "earned by the scheduler", rlc(stats.earned.scheduler), stats.earned.scheduler),
        kpi("earned-workers", "earned by the workers", rlc(stats.earned.workers), stats.earned.workers),
        kpi("seized", "stake seized", rlc(stats.seized), stats.seized),
        kpi("gas", "gas spent", units(stats.gasSpent, 18, "ETH"), stats.gasSpent))),
    card("Tasks over time", false,
      barChart("chart-tasks", points, [
        { cls: "completed", value: (p) => p.completed, label: (p) => p.completed + " completed" },
        { cls: "failed", value: (p) => p.failed, label: (p) => p.failed + " failed" }]),
      el("div", { class: "legend" }, el("i", { class: "sw completed" }), "completed",
        el("i", { class: "sw failed" }), "failed")),
    card("Earned over time", false,
      barChart("chart-earned", points, [
        { cls: "earned", value: (p) => Number(p.earned), label: (p) => rlc(p.earned) + " earned" },
        { cls: "failed", value: (p) => Number(p.seized), label: (p) => rlc(p.seized) + " seized" }]),
      el("div", { class: "legend" }, el("i", { class: "sw earned" }), "earned",
        el("i", { class: "sw failed" }), "seized")),
    card("Workers' earnings", true, workers.length ? el("table", { id: "worker-earnings" },
      el("tr", {}, el("th", {}, "worker"), el("th", { class: "num" }, "tasks"),
        el("th", { class: "num" }, "earned"), el("th", { class: "num" }, "seized")), workers)
      : el("p", { class: "muted" }, "no worker has contributed yet")),
  ];
}

function revisionCards(revisions, error) {
  if (!revisions) {
    return [card("Revisions", true, el("p", { class: "muted", id: "revisions-error" },
      error || "loading…"))];
  }
  return [card("Revisions", true, revisions.length ? el("table", { id: "revisions" },
    el("tr", {}, el("th", {}, "revision"), el("th", {}, "applied"), el("th", {}, "outcome"),
      el("th", {}, "message")),
    revisions.map((r) => el("tr", { "data-revision": r.revision },
      el("td", {}, r.revision), el("td", {}, when(r.appliedAt)), el("td", {}, r.outcome),
      el("td", {}, r.message || ""))))
    : el("p", { class: "muted" }, "no revision: this pool was not deployed by poolops"))];
}

function render() {
  const main = document.getElementById("main");
  const cards = [];
  if (view.status) cards.push(...statusCards(view.status));
  cards.push(...statsCards(view.stats, view.statsError));
  cards.push(...revisionCards(view.revisions, view.revisionsError));
  main.replaceChildren(el("div", { class: "grid" }, cards));
  const o = document.getElementById("overall");
  const s = view.status ? health(view.status.overall) : "unknown";
  o.className = "badge " + s;
  o.textContent = s;
  o.setAttribute("data-status", s);
}

async function loadStats(pool) {
  try {
    view.stats = (await getJson("/api/pools/" + encodeURIComponent(pool) + "/stats")).stats;
    view.statsError = "";
  } catch (e) {
    view.statsError = "no on-chain history: " + e.message;
  }
  render();
}

async function loadRevisions(pool) {
  try {
    view.revisions = (await getJson("/api/pools/" + encodeURIComponent(pool) + "/revisions")).revisions;
  } catch (e) {
    view.revisionsError = "revisions unavailable: " + e.message;
  }
  render();
}

async function showPool(pool) {
  document.title = pool + " · poolops";
  document.getElementById("title").textContent = pool;
  const base = "/api/pools/" + encodeURIComponent(pool);
  try {
    view.status = (await getJson(base)).status;
  } catch (e) {
    document.getElementById("main").replaceChildren(el("p", { class: "error" }, e.message));
    return;
  }
  render();
  loadStats(pool);
  loadRevisions(pool);
  const live = document.getElementById("live");
  const events = new EventSource(base + "/events");
  let lastStats = Date.now();
  events.addEventListener("status", (m) => {
    view.status = JSON.parse(m.data);
    const n = Number(document.body.getAttribute("data-updates")) + 1;
    document.body.setAttribute("data-updates", String(n));
    render();
    // The history moves with the chain: read again at most every 15 s.
    if (Date.now() - lastStats > 15000) { lastStats = Date.now(); loadStats(pool); }
  });
  events.onopen = () => { live.textContent = "live"; live.className = "live on"; };
  events.onerror = () => { live.textContent = "reconnecting"; live.className = "live"; };
}

const match = location.pathname.match(/^\/pools\/([^/]+)$/);
if (match) showPool(decodeURIComponent(match[1])); else showList();
