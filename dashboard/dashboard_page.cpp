#include "dashboard/dashboard_page.hpp"

namespace ramify {
namespace {

// Ids the tests read: #run-id #run-state #elapsed #exit-status #connection #updated, the tiles #nodes-curated
// #nodes-ok #nodes-failed #nodes-skipped #assignments-done #assignments-total #workers-alive #failures-total (plain
// decimal text), #levels (tr[data-level]), #throughput, #rate, #workers (tr[data-worker]), #failures (li), #records.
// body[data-polls] counts rendered polls, body[data-state] is status.state.
constexpr std::string_view kPage = R"page(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ramify — run dashboard</title>
<link rel="icon" href="data:,">
<style>
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:16px 20px}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 18px;padding:12px 20px;background:#fff;
  border-bottom:1px solid #e2e4e8}
header h1{font-size:20px;margin:0}
.mono,code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:12.5px}
.muted{color:#757575}.ok{color:#2e7d32}.bad{color:#c62828}.grow{flex:1}
#run-state{font-weight:600;text-transform:uppercase;font-size:12px;padding:2px 8px;border-radius:10px;
  background:#eceff1;color:#455a64}
#run-state.running{background:#e3f2fd;color:#1565c0}#run-state.finished{background:#e8f5e9;color:#2e7d32}
#run-state.aborted,#run-state.failed{background:#ffebee;color:#c62828}
#connection.bad{font-weight:600}
.tiles{display:grid;grid-template-columns:repeat(8,1fr);gap:10px;margin-bottom:10px}
.tile,section{background:#fff;border:1px solid #e2e4e8;border-radius:6px}
.tile{padding:8px 12px}.tile div{font-size:24px;font-weight:600;font-variant-numeric:tabular-nums}
.tile span{font-size:12px;color:#757575}
.progress{display:flex;height:10px;border-radius:5px;overflow:hidden;background:#e8eaed;flex:1}
.progress div,.bar div{height:100%}
.g{background:#43a047}.r{background:#e53935}.s{background:#b0b0b0}.q{background:#fb8c00}
#progress-row{display:flex;align-items:center;gap:12px;margin-bottom:14px;font-size:13px}
.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:14px;margin-bottom:14px}
section{padding:10px 14px;min-width:0;margin-bottom:14px}.grid section{margin-bottom:0}
h2{font-size:15px;margin:0 0 8px;display:flex;gap:10px;align-items:baseline}h2 small{font-weight:400;color:#757575}
table{border-collapse:collapse;width:100%}
td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{font-size:12px;color:#616161;font-weight:600;background:#fafafa}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:flex;width:140px;height:10px;border-radius:3px;overflow:hidden;background:#f0f0f0;margin-top:4px}
#throughput{width:100%;height:170px;display:block}
#rate{font-size:18px;font-weight:600;color:#1565c0}
ul{list-style:none;margin:0;padding:0}#failures li{padding:4px 0;border-bottom:1px solid #eee;overflow-wrap:anywhere}
#failures li span{margin-left:8px}.err{color:#c62828}
#first-failure{margin:8px 0 0;overflow-wrap:anywhere}
#records td{white-space:nowrap}#records td:nth-child(n+4){white-space:normal;overflow-wrap:anywhere}
.lvl-error,.lvl-fatal{color:#c62828;font-weight:600}.lvl-warn,.lvl-warning{color:#e65100;font-weight:600}
.lvl-debug,.lvl-trace{color:#9e9e9e}
.empty{color:#9e9e9e;font-style:italic;margin:4px 0}
</style>
</head>
<body data-polls="0">
<header>
  <h1>ramify</h1><span id="run-id" class="mono">—</span><span id="run-state">connecting</span>
  <span>elapsed <b id="elapsed">0:00:00</b></span><span id="exit-status" hidden></span><span class="grow"></span>
  <span id="connection" class="muted">connecting…</span>
  <span class="muted">updated <span id="updated">never</span></span>
</header>
<main>
<div class="tiles">
  <div class="tile"><div id="nodes-curated">0</div><span>nodes curated</span></div>
  <div class="tile"><div id="nodes-ok" class="ok">0</div><span>ok</span></div>
  <div class="tile"><div id="nodes-failed" class="bad">0</div><span>failed</span></div>
  <div class="tile"><div id="nodes-skipped" class="muted">0</div><span>skipped</span></div>
  <div class="tile"><div id="assignments-done">0</div><span>assignments done</span></div>
  <div class="tile"><div id="assignments-total">0</div><span>assignments</span></div>
  <div class="tile"><div id="workers-alive">0</div><span>workers alive</span></div>
  <div class="tile"><div id="failures-total" class="bad">0</div><span>failures</span></div>
</div>
<div id="progress-row"><div class="progress" id="progress"></div><span id="progress-text" class="muted"></span></div>
<div class="grid">
  <section><h2>Progress by level <small id="sink"></small></h2>
    <table id="levels"><thead><tr><th>level</th><th class="n">ok</th><th class="n">failed</th><th class="n">skipped</th>
      <th class="n">total</th><th></th></tr></thead><tbody></tbody></table>
    <p class="empty" id="levels-empty">no sink data yet</p></section>
  <section><h2>Throughput <span id="rate">—</span><small id="rate-note"></small></h2>
    <svg id="throughput" viewBox="0 0 560 170"></svg></section>
</div>
<section><h2>Workers</h2>
  <table id="workers"><thead><tr><th>id</th><th>host</th><th class="n">pid</th><th class="n">slots</th>
    <th class="n">busy</th><th>running</th><th class="n">heard</th><th>state</th></tr></thead><tbody></tbody></table>
  <p class="empty" id="workers-empty">no workers yet</p></section>
<section><h2>Failures <small>most recent last</small></h2><ul id="failures"></ul>
  <p class="empty" id="failures-empty">no failures</p><p id="first-failure" hidden></p></section>
<section><h2>Last log records <small>most recent last</small></h2>
  <table id="records"><thead><tr><th>time</th><th>worker</th><th>level</th><th>node</th><th>message</th></tr></thead>
    <tbody></tbody></table><p class="empty" id="records-empty">no log records</p></section>
</main>
<script>
"use strict";
// Everything from api/run goes into the page as text (textContent / attributes), never as markup.
const token = new URLSearchParams(location.search).get("token");
const apiUrl = "api/run" + (token ? "?token=" + encodeURIComponent(token) : "");
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const str = (v) => (v === undefined || v === null ? "" : String(v));
const arr = (v) => (Array.isArray(v) ? v.filter((x) => x && typeof x === "object") : []);  // rows only
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = str(text);
  if (cls) e.className = cls;
  return e;
}
function row(cells) {  // cells: [text, class] pairs or nodes
  const tr = document.createElement("tr");
  for (const c of cells) tr.append(c instanceof Node ? c : el("td", c[0], c[1]));
  return tr;
}
function fill(id, items, make) {  // rebuilds #id's tbody (or the list itself); shows #id-empty when none
  const box = $(id).tBodies ? $(id).tBodies[0] : $(id);
  box.replaceChildren(...items.map(make));
  $(id + "-empty").hidden = items.length > 0;
}
function hms(s) {
  s = Math.max(0, Math.floor(num(s)));
  const p = (n) => String(n).padStart(2, "0");
  return `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}`;
}
function clock(iso) {  // "…T10:00:01.123456Z" -> local "HH:MM:SS.mmm"; unparsable text as is
  const d = new Date(str(iso).replace(/(\.\d{3})\d+/, "$1"));
  if (isNaN(d)) return str(iso);
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
const rateText = (r) => (r >= 100 ? Math.round(r) : r.toFixed(1)) + " nodes/s";
function stack(parts, box) {  // fills box with parts ([[count, class]]), widths relative to their sum
  const total = parts.reduce((a, p) => a + p[0], 0);
  box.replaceChildren();
  for (const [n, c] of parts) {
    if (n <= 0) continue;
    const d = el("div", undefined, c);
    d.style.width = (100 * n / total) + "%";
    box.append(d);
  }
  return box;
}

function renderHeader(s) {
  const state = str(s.state) || "unknown";
  $("run-id").textContent = str(s.run) || "—";
  $("run-state").textContent = state;
  $("run-state").className = /^(running|finished|aborted|failed)$/.test(state) ? state : "";
  document.body.dataset.state = state;
  $("elapsed").textContent = hms(s.elapsed_seconds);
  const exit = s.exit_status;
  $("exit-status").hidden = exit === undefined || exit === -1;
  $("exit-status").textContent = "exit status " + str(exit);
  $("exit-status").className = exit === 0 ? "ok" : "bad";
}
function renderTiles(s) {
  const nodes = s.nodes || {}, by = s.assignments_by_state || {};
  const tiles = {"nodes-curated": nodes.curated, "nodes-ok": nodes.ok, "nodes-failed": nodes.failed,
    "nodes-skipped": nodes.skipped, "assignments-done": by.done, "assignments-total": s.assignments,
    "workers-alive": s.workers_alive, "failures-total": s.failures};
  for (const [id, v] of Object.entries(tiles)) $(id).textContent = String(num(v));
  const total = num(s.assignments), done = num(by.done), q = num(by.quarantined), ab = num(by.abandoned);
  const rest = Math.max(0, total - done - q - ab);
  stack([[done, "g"], [q, "r"], [ab, "q"], [rest, ""]], $("progress"));
  let text = `${done + q + ab} of ${total} assignments finished`;
  if (q || ab) text += ` (${q} quarantined, ${ab} abandoned)`;
  $("progress-text").textContent = total ? text + ` · ${Math.floor(100 * (done + q + ab) / total)}%` : text;
}
function renderLevels(levels, sink) {
  fill("levels", levels, (l) => {
    const ok = num(l.ok), failed = num(l.failed), skipped = num(l.skipped);
    const tr = row([[l.level], [ok, "n"], [failed, "n" + (failed ? " bad" : "")], [skipped, "n"],
      [ok + failed + skipped, "n"]]);
    const td = el("td");
    td.append(stack([[ok, "g"], [failed, "r"], [skipped, "s"]], el("div", undefined, "bar")));
    tr.append(td);
    tr.dataset.level = str(l.level);
    return tr;
  });
  sink = sink || {};
  const note = sink.error ? "sink error: " + sink.error
    : sink.report ? `${sink.report} · ${num(sink.rows)} rows${sink.joined ? "" : " · not joined"}` : "";
  $("sink").textContent = note;
  $("sink").className = sink.error ? "bad" : "";
}
function renderThroughput(t) {
  t = t || {};
  const dt = num(t.interval_seconds) || 1, samples = (Array.isArray(t.nodes) ? t.nodes : []).map(num);
  const rates = samples.slice(1).map((v, i) => Math.max(0, v - samples[i]) / dt);
  const svg = $("throughput"), W = Math.round(svg.clientWidth) || 560, H = 170, top = 14, bottom = 150, left = 4;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.replaceChildren();
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
  };
  add("line", {x1: left, y1: bottom, x2: W, y2: bottom, stroke: "#bdbdbd"});
  add("line", {x1: left, y1: top, x2: W, y2: top, stroke: "#eee", "stroke-dasharray": "3 3"});
  $("rate").textContent = rates.length ? rateText(rates[rates.length - 1]) : "—";
  $("rate-note").textContent = rates.length ? `per ${dt} s sample · last ${hms(rates.length * dt)}` : "";
  if (!rates.length) {
    add("text", {x: W / 2, y: H / 2, "text-anchor": "middle", fill: "#9e9e9e", "font-size": 13}, "no samples yet");
    return;
  }
  const max = Math.max(...rates) || 1;
  const x = (i) => left + (rates.length === 1 ? W - left : (i * (W - left)) / (rates.length - 1));
  const y = (r) => bottom - (r / max) * (bottom - top);
  const pts = rates.map((r, i) => `${x(i).toFixed(1)},${y(r).toFixed(1)}`);
  if (rates.length === 1) pts.unshift(`${left},${y(rates[0]).toFixed(1)}`);
  add("path", {d: `M${left},${bottom} L${pts.join(" L")} L${W},${bottom} Z`, fill: "#1e88e5", "fill-opacity": 0.15});
  add("polyline", {points: pts.join(" "), fill: "none", stroke: "#1e88e5", "stroke-width": 1.5});
  add("text", {x: left + 2, y: top - 3, fill: "#616161", "font-size": 11}, rateText(max) + " max");
  add("text", {x: left + 2, y: H - 4, fill: "#9e9e9e", "font-size": 11}, `−${hms(rates.length * dt)}`);
  add("text", {x: W - 2, y: H - 4, fill: "#9e9e9e", "font-size": 11, "text-anchor": "end"}, "now");
}
function renderWorkers(workers, running) {
  fill("workers", workers, (w) => {
    const cell = el("td");
    for (const r of running.filter((r) => r.worker === w.id))
      cell.append(el("div", `assignment ${str(r.assignment)} · ${str(r.root)} (${str(r.level)}) · ` +
        `${num(r.seconds).toFixed(1)} s · ${num(r.nodes)} nodes`, "mono"));
    const alive = w.alive !== false;
    const tr = row([[w.id, "mono"], [w.host], [w.pid, "n"], [num(w.slots), "n"], [num(w.running), "n"], cell,
      [(num(w.last_seen_ms) / 1000).toFixed(1) + " s ago", "n"],
      [alive ? "alive" : "dead" + (w.lost_reason ? ": " + w.lost_reason : ""), alive ? "ok" : "bad"]]);
    tr.dataset.worker = str(w.id);
    return tr;
  });
}
function renderFailures(failures, first) {
  fill("failures", failures, (f) => {
    const li = el("li");
    li.append(el("code", f.node), el("span", f.level, "muted"), el("span", f.worker, "muted mono"),
      el("span", f.error, "err"));
    return li;
  });
  $("first-failure").hidden = !first;
  $("first-failure").replaceChildren(el("b", "first failure: "), el("span", first, "mono"));
}
function renderRecords(records) {
  fill("records", records, (r) => {
    const level = str(r.level).toLowerCase();
    return row([[clock(r.time), "mono"], [r.worker, "mono"], [r.level, /^[a-z]+$/.test(level) ? "lvl-" + level : ""],
      [r.node, "mono"], [r.message]]);
  });
}
function render(d) {
  const s = d.status || {};
  renderHeader(s);
  renderTiles(s);
  renderLevels(arr(d.levels), d.sink);
  renderThroughput(d.throughput);
  renderWorkers(arr(s.workers), arr(d.running));
  renderFailures(arr(d.failures), str(s.first_failure));
  renderRecords(arr(d.records));
}
function connection(text, bad) {
  $("connection").textContent = text;
  $("connection").className = bad ? "bad" : "muted";
}
// One poll a second, each given 3 s; on failure the last data stays on the page.
async function poll() {
  const abort = new AbortController(), timer = setTimeout(() => abort.abort(), 3000);
  let data = null;
  try {
    const response = await fetch(apiUrl, {cache: "no-store", signal: abort.signal});
    if (response.status === 401) {
      connection("the dashboard needs the token the broker printed (…/?token=…)", true);
    } else if (!response.ok) {
      connection(`the broker answered ${response.status}`, true);
    } else {
      data = await response.json();
    }
  } catch (e) {
    connection(e instanceof SyntaxError ? "the broker's answer is not JSON"
      : "broker unreachable: the run may have ended", true);
  } finally {
    clearTimeout(timer);
    setTimeout(poll, 1000);
  }
  if (data === null) return;
  try {
    render(typeof data === "object" ? data : {});
  } catch (e) {
    connection("the page could not show the answer: " + e.message, true);
    return;
  }
  connection("live", false);
  document.body.dataset.polls = String(num(Number(document.body.dataset.polls)) + 1);
  $("updated").textContent = new Date().toLocaleTimeString();
}
poll();
</script>
</body>
</html>
)page";

}  // namespace

std::string_view dashboard_page() { return kPage; }

}  // namespace ramify
