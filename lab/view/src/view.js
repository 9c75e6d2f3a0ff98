// The run viewer: a space-time diagram of one run (one lane per node, simulated time along the
// lanes, each message an arrow from send to delivery and back), the verdict table above it, and
// each failed check's witnesses highlighted on demand. Drawn on a canvas so the largest traces
// (~130,000 events) stay smooth; d3 provides the zoom, the time scale and the axis.

import { select } from "d3-selection";
import { scaleLinear } from "d3-scale";
import { axisTop } from "d3-axis";
import { zoom, zoomIdentity } from "d3-zoom";
import { buildModel, messageEnd, messageFate } from "./model.js";

const LANE_HEIGHT = 34;
const LANE_LABEL_WIDTH = 110;
const AXIS_HEIGHT = 26;
/** Most arrows and marks drawn at once; beyond it the view thins out and says so. */
const MAX_ARROWS = 12000;
const MAX_MARKS = 15000;

const COLOURS = { ok: "#4a78b5", failed: "#d08a1e", lost: "#c43131", faulted: "#8a4fb5" };
const FAULT_COLOURS = {
  partition: "rgba(196,49,49,0.16)",
  "partition-one-way": "rgba(196,49,49,0.12)",
  hold: "rgba(208,138,30,0.18)",
  latency: "rgba(208,138,30,0.10)",
  crash: "rgba(60,60,60,0.22)",
  restart: "rgba(60,60,60,0.5)",
  pause: "rgba(40,120,160,0.18)",
  clock: "rgba(60,150,90,0.14)",
  "rpc-faults-on": "rgba(138,79,181,0.12)",
  "dns-faults-on": "rgba(138,79,181,0.12)",
  reset: "rgba(196,49,49,0.12)",
  "black-hole": "rgba(196,49,49,0.16)",
  "connect-timeout": "rgba(196,49,49,0.12)",
  "slow-close": "rgba(208,138,30,0.12)",
  bandwidth: "rgba(208,138,30,0.12)",
  "limit-data": "rgba(208,138,30,0.12)",
};

function kindColour(kind) {
  let h = 0;
  for (const c of kind) h = (h * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${h},55%,42%)`;
}

function fmtSeconds(us) {
  return `${(us / 1e6).toFixed(3)} s`;
}

function fieldsText(e) {
  return Object.entries(e.fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function start() {
  const t0 = performance.now();
  const data = JSON.parse(document.getElementById("lab-data").textContent);
  const model = buildModel(data);
  const state = {
    transform: zoomIdentity,
    hiddenNodes: new Set(),
    hiddenKinds: new Set(),
    showMessages: true,
    highlight: new Set(),
    highlightCheck: null,
    selected: null,
    mark: null, // {t, label}: a moment marked on every lane (see labView.markTime)
    drawn: [], // {x, y, event} of every mark and arrow end drawn, for hover and click
    stats: {},
  };
  renderHeader(model, state);
  const diagram = setUpDiagram(model, state);
  renderFilters(model, state, diagram);
  diagram.draw();
  // Script start to first diagram, and page load (navigation start, so parsing the inline
  // data too) to first diagram.
  state.stats.firstPaintMs = Math.round(performance.now() - t0);
  state.stats.sinceNavigationMs = Math.round(performance.now());
  document.getElementById("paint-time").textContent =
    `drawn in ${state.stats.firstPaintMs} ms (${state.stats.sinceNavigationMs} ms after the page started loading)`;
  window.labView = {
    stats: () => ({ ...state.stats }),
    showWitnesses: (check) => showWitnesses(model, state, diagram, check),
    model,
    // For a page that shows two runs aligned on time (`lab diff --html`).
    onWindow: diagram.onWindow,
    showWindow: diagram.showWindow,
    currentWindow: diagram.currentWindow,
    setEnd: diagram.setEnd,
    markTime: (t, label) => {
      state.mark = { t, label };
      diagram.schedule();
    },
    highlight: (seqs) => {
      state.highlight = new Set(seqs);
      diagram.schedule();
    },
  };
}

function renderHeader(model, state) {
  const { run, verdicts } = model.data;
  document.title = `${run.scenario} / ${run.variant} / seed ${run.seed}`;
  const head = document.getElementById("head");
  const title = run.title
    ? escapeHtml(run.title)
    : `${escapeHtml(run.scenario)} — variant <code>${escapeHtml(run.variant)}</code> — seed ${run.seed} — ${escapeHtml(run.engine)}`;
  head.innerHTML = `<h1>${title}</h1>
    <p class="summary">${escapeHtml(run.summary)}</p>
    <p class="meta">${fmtSeconds(run.simulated_us)} simulated · ${model.events.length} events · ${model.messages.length} messages · replay: <code>${escapeHtml(run.replay)}</code> · <span id="paint-time"></span></p>
    ${model.untriggered.map((e) => `<p class="untriggered">fault #${e.fields.index} never started: its event (${escapeHtml(String(e.fields.when))}) did not happen in this run</p>`).join("")}`;
  const table = document.getElementById("verdicts");
  const rows = verdicts
    .map((v, i) => {
      const cls = v.result === "FAIL" ? "fail" : v.result === "pass" ? "pass" : "inconclusive";
      const mark = v.expected ? "*" : "";
      const link = v.witnesses.length
        ? `<a href="#" class="witness-link" data-check="${i}">${v.witnesses.length} witness${v.witnesses.length === 1 ? "" : "es"}</a>`
        : "";
      return `<tr class="${cls}"><td>${escapeHtml(v.check)}</td><td>${escapeHtml(v.phase)}</td><td class="result">${escapeHtml(v.result)}${mark}</td><td>${escapeHtml(v.figure)}</td><td>${link}</td></tr>`;
    })
    .join("");
  table.innerHTML = `<tr><th>check</th><th>phase</th><th>result</th><th>figure</th><th></th></tr>${rows}`;
}

function setUpDiagram(model, state) {
  const wrap = document.getElementById("diagram");
  const canvas = document.getElementById("canvas");
  const axisSvg = select("#axis");
  const labels = document.getElementById("lane-labels");
  const ctx = canvas.getContext("2d");
  const base = scaleLinear().domain([0, model.end]);
  let width = 0;
  const visibleLanes = () => model.lanes.filter((n) => !state.hiddenNodes.has(n));
  const laneY = new Map();

  const layout = () => {
    width = Math.max(300, wrap.clientWidth - LANE_LABEL_WIDTH);
    const lanes = visibleLanes();
    const height = lanes.length * LANE_HEIGHT + 10;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    axisSvg.attr("width", width).attr("height", AXIS_HEIGHT);
    base.range([0, width]);
    laneY.clear();
    lanes.forEach((name, i) => laneY.set(name, i * LANE_HEIGHT + LANE_HEIGHT / 2 + 5));
    labels.innerHTML = lanes.map((name) => `<div class="lane-label" style="height:${LANE_HEIGHT}px">${escapeHtml(name)}</div>`).join("");
    labels.style.paddingTop = `${AXIS_HEIGHT + 5}px`;
    zoomer.extent([[0, 0], [width, height]]).translateExtent([[0, 0], [width, height]]);
  };

  const windowListeners = [];
  const zoomer = zoom()
    .scaleExtent([1, Math.max(2, model.end / 200)])
    .filter((event) => !event.button && event.type !== "dblclick")
    .on("zoom", (event) => {
      state.transform = event.transform;
      schedule();
      const [from, to] = state.transform.rescaleX(base).domain();
      for (const listener of windowListeners) listener(from, to);
    });
  select(canvas).call(zoomer);

  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };

  const draw = () => {
    const x = state.transform.rescaleX(base);
    const [t0, t1] = x.domain();
    const height = canvas.height / (window.devicePixelRatio || 1);
    ctx.clearRect(0, 0, width, height);
    axisSvg.selectAll("*").remove();
    axisSvg
      .append("g")
      .attr("transform", `translate(0,${AXIS_HEIGHT - 1})`)
      .call(axisTop(x).ticks(Math.max(2, Math.floor(width / 90))).tickFormat((us) => `${(us / 1e6).toFixed(us % 1e6 ? 3 : 0)} s`));
    state.drawn = [];
    const stats = { lanes: laneY.size, faultBands: 0, triggers: 0, arrows: 0, marks: 0, highlighted: 0, hiddenArrows: 0, hiddenMarks: 0, windowStart: t0, windowEnd: t1 };

    // Lanes.
    ctx.strokeStyle = "#ddd";
    ctx.lineWidth = 1;
    for (const y of laneY.values()) {
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(width, y);
      ctx.stroke();
    }

    // Fault periods: shaded bands over the lanes they affect.
    for (const period of model.faults) {
      if (period.end < t0 || period.start > t1) continue;
      const xa = x(period.start);
      const xb = Math.max(x(period.end), xa + 2);
      ctx.fillStyle = FAULT_COLOURS[period.kind] || "rgba(0,0,0,0.1)";
      for (const lane of period.lanes) {
        const y = laneY.get(lane);
        if (y === undefined) continue;
        ctx.fillRect(xa, y - LANE_HEIGHT / 2 + 2, xb - xa, LANE_HEIGHT - 4);
        stats.faultBands += 1;
      }
      const firstLane = period.lanes.map((l) => laneY.get(l)).filter((y) => y !== undefined).sort((a, b) => a - b)[0];
      if (firstLane !== undefined) {
        ctx.fillStyle = "#444";
        ctx.font = "10px sans-serif";
        ctx.fillText(period.label, Math.max(xa, 0) + 3, firstLane - LANE_HEIGHT / 2 + 12);
        state.drawn.push({ x: Math.max(xa, 0) + 3, y: firstLane - LANE_HEIGHT / 2 + 8, event: model.bySeq.get(period.startSeq) });
      }
      // An event-started fault: a dashed line from the record that set it off to its start.
      const trigger = period.trigger === undefined ? undefined : model.bySeq.get(period.trigger);
      if (trigger && laneY.has(trigger.node) && firstLane !== undefined) {
        ctx.save();
        ctx.strokeStyle = "#b00";
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(x(trigger.t), laneY.get(trigger.node));
        ctx.lineTo(xa, firstLane);
        ctx.stroke();
        ctx.restore();
        stats.triggers += 1;
      }
    }

    // A marked moment (the first difference of two runs): a vertical line over every lane.
    if (state.mark && state.mark.t >= t0 && state.mark.t <= t1) {
      const mx = x(state.mark.t);
      ctx.save();
      ctx.strokeStyle = "#e6007a";
      ctx.setLineDash([6, 4]);
      line(ctx, mx, 0, mx, height);
      ctx.setLineDash([]);
      ctx.fillStyle = "#e6007a";
      ctx.font = "bold 11px sans-serif";
      ctx.fillText(state.mark.label, mx + 4, 12);
      ctx.restore();
    }

    // Messages: request arrow send → delivery, reply arrow reply → result.
    if (state.showMessages) {
      const visible = visibleMessages(model, t0, t1).filter((m) => laneY.has(m.from) && laneY.has(m.to) && !state.hiddenKinds.has(`body:${m.body}`));
      const stride = Math.max(1, Math.ceil(visible.length / MAX_ARROWS));
      visible.forEach((m, i) => {
        const lit = messageLit(m, state.highlight);
        if (i % stride !== 0 && !lit) {
          stats.hiddenArrows += 1;
          return;
        }
        drawMessage(ctx, m, x, laneY, lit, state);
        stats.arrows += 1;
        if (lit) stats.highlighted += 1;
      });
    }

    // Node records: marks on their lane.
    const marks = visibleMarks(model, t0, t1).filter((e) => laneY.has(e.node) && !state.hiddenKinds.has(e.kind));
    const stride = Math.max(1, Math.ceil(marks.length / MAX_MARKS));
    marks.forEach((e, i) => {
      const lit = state.highlight.has(e.seq);
      if (i % stride !== 0 && !lit) {
        stats.hiddenMarks += 1;
        return;
      }
      const px = x(e.t);
      const py = laneY.get(e.node);
      ctx.fillStyle = kindColour(e.kind);
      if (e.kind === "start") {
        ctx.beginPath();
        ctx.moveTo(px, py - 7);
        ctx.lineTo(px + 6, py);
        ctx.lineTo(px, py + 7);
        ctx.fill();
      } else {
        ctx.fillRect(px - 1.5, py - 6, 3, 12);
      }
      if (lit) {
        ring(ctx, px, py);
        stats.highlighted += 1;
      }
      state.drawn.push({ x: px, y: py, event: e });
      stats.marks += 1;
    });

    if (state.selected) {
      const e = state.selected;
      const py = laneY.get(e.node);
      if (py !== undefined) {
        ctx.strokeStyle = "#000";
        ctx.lineWidth = 1;
        ctx.strokeRect(x(e.t) - 5, py - 9, 10, 18);
      }
    }

    const hidden = [];
    if (stats.hiddenArrows) hidden.push(`${stats.hiddenArrows} of ${stats.hiddenArrows + stats.arrows} messages`);
    if (stats.hiddenMarks) hidden.push(`${stats.hiddenMarks} of ${stats.hiddenMarks + stats.marks} records`);
    document.getElementById("thinning").textContent = hidden.length
      ? `Thinned to stay fast: ${hidden.join(" and ")} in view are not drawn (witnesses always are). Zoom in to see every one.`
      : "";
    Object.assign(state.stats, stats);
  };

  const zoomTo = (from, to) => {
    const span = Math.max(to - from, 1000);
    const pad = span * 0.3;
    const a = Math.max(0, from - pad);
    const b = Math.min(model.end, to + pad);
    const k = Math.min(model.end / Math.max(b - a, 1), zoomer.scaleExtent()[1]);
    const tx = -base(a) * k;
    select(canvas).call(zoomer.transform, zoomIdentity.translate(tx, 0).scale(k));
  };

  setUpPointer(canvas, model, state, schedule);
  // Follow the diagram's width, not the window's: a scrollbar appearing once the page is
  // filled narrows the diagram without resizing the window.
  let laidOutWidth = -1;
  new ResizeObserver(() => {
    if (wrap.clientWidth === laidOutWidth) return;
    laidOutWidth = wrap.clientWidth;
    layout();
    schedule();
  }).observe(wrap);
  layout();
  // Exactly [from, to] in view, no padding: how a second diagram follows this one.
  const showWindow = (from, to) => {
    const k = model.end / Math.max(to - from, 1);
    select(canvas).call(zoomer.transform, zoomIdentity.translate(-base(from) * k, 0).scale(k));
  };
  // A longer time axis than this run's own, so that two runs share one scale.
  const setEnd = (end) => {
    if (end <= model.end) return;
    model.end = end;
    base.domain([0, end]);
    zoomer.scaleExtent([1, Math.max(2, end / 200)]);
    schedule();
  };
  return {
    draw,
    schedule,
    zoomTo,
    showWindow,
    setEnd,
    onWindow: (listener) => windowListeners.push(listener),
    currentWindow: () => state.transform.rescaleX(base).domain(),
    relayout: () => {
      layout();
      schedule();
    },
  };
}

/** Messages that may cross the time window [t0, t1], in send order. */
function visibleMessages(model, t0, t1) {
  const list = model.messages;
  let lo = lowerBound(list, t0 - model.longestMessage, (m) => m.send.t);
  const out = [];
  for (; lo < list.length && list[lo].send.t <= t1; lo++) {
    const m = list[lo];
    if (messageEnd(m) >= t0) out.push(m);
  }
  return out;
}

function visibleMarks(model, t0, t1) {
  const list = model.marks;
  const out = [];
  for (let i = lowerBound(list, t0, (e) => e.t); i < list.length && list[i].t <= t1; i++) out.push(list[i]);
  return out;
}

function lowerBound(list, value, key) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function messageLit(m, highlight) {
  if (!highlight.size) return false;
  return [m.send, ...m.delivers, m.reply, m.result, ...m.fates].some((e) => e && highlight.has(e.seq));
}

function drawMessage(ctx, m, x, laneY, lit, state) {
  const fate = messageFate(m);
  const yFrom = laneY.get(m.from);
  const yTo = laneY.get(m.to);
  ctx.strokeStyle = lit ? "#e6007a" : COLOURS[fate];
  ctx.fillStyle = ctx.strokeStyle;
  ctx.lineWidth = lit ? 2 : 0.7;
  ctx.globalAlpha = lit ? 1 : 0.55;
  const sendX = x(m.send.t);
  state.drawn.push({ x: sendX, y: yFrom, event: m.send });
  if (m.delivers.length) {
    for (const d of m.delivers) arrow(ctx, sendX, yFrom, x(d.t), yTo);
    state.drawn.push({ x: x(m.delivers[0].t), y: yTo, event: m.delivers[0] });
  } else {
    // Never delivered: the arrow stops part-way, at the time the caller gave up, with a cross.
    const endT = m.result ? m.result.t : m.send.t + 1000;
    const endX = sendX + (x(endT) - sendX) * 0.5;
    const endY = yFrom + (yTo - yFrom) * 0.5;
    line(ctx, sendX, yFrom, endX, endY);
    cross(ctx, endX, endY);
    state.drawn.push({ x: endX, y: endY, event: m.fates[0] || m.result || m.send });
  }
  if (m.reply) {
    const replyX = x(m.reply.t);
    if (m.result && m.result.fields.outcome === "ok") {
      arrow(ctx, replyX, yTo, x(m.result.t), yFrom);
    } else {
      // The reply never made it back.
      const endX = replyX + ((m.result ? x(m.result.t) : replyX + 20) - replyX) * 0.5;
      const endY = yTo + (yFrom - yTo) * 0.5;
      line(ctx, replyX, yTo, endX, endY);
      cross(ctx, endX, endY);
    }
    state.drawn.push({ x: replyX, y: yTo, event: m.reply });
  }
  if (m.result) state.drawn.push({ x: x(m.result.t), y: yFrom, event: m.result });
  ctx.globalAlpha = 1;
  if (lit) ring(ctx, sendX, yFrom);
}

function line(ctx, xa, ya, xb, yb) {
  ctx.beginPath();
  ctx.moveTo(xa, ya);
  ctx.lineTo(xb, yb);
  ctx.stroke();
}

function arrow(ctx, xa, ya, xb, yb) {
  line(ctx, xa, ya, xb, yb);
  const angle = Math.atan2(yb - ya, xb - xa);
  const size = 5;
  ctx.beginPath();
  ctx.moveTo(xb, yb);
  ctx.lineTo(xb - size * Math.cos(angle - 0.4), yb - size * Math.sin(angle - 0.4));
  ctx.lineTo(xb - size * Math.cos(angle + 0.4), yb - size * Math.sin(angle + 0.4));
  ctx.fill();
}

function cross(ctx, px, py) {
  const s = 4;
  ctx.lineWidth = 1.5;
  line(ctx, px - s, py - s, px + s, py + s);
  line(ctx, px - s, py + s, px + s, py - s);
}

function ring(ctx, px, py) {
  ctx.save();
  ctx.strokeStyle = "#e6007a";
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(px, py, 8, 0, Math.PI * 2);
  ctx.stroke();
  ctx.restore();
}

function setUpPointer(canvas, model, state, schedule) {
  const tip = document.getElementById("tooltip");
  const nearest = (event) => {
    const rect = canvas.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    let best = null;
    let bestD = 64; // within 8 px
    for (const d of state.drawn) {
      const dd = (d.x - px) ** 2 + (d.y - py) ** 2;
      if (dd < bestD && d.event) {
        bestD = dd;
        best = d;
      }
    }
    return best;
  };
  canvas.addEventListener("mousemove", (event) => {
    const hit = nearest(event);
    if (!hit) {
      tip.style.display = "none";
      return;
    }
    const e = hit.event;
    tip.style.display = "block";
    tip.style.left = `${event.pageX + 12}px`;
    tip.style.top = `${event.pageY + 12}px`;
    tip.textContent = `seq ${e.seq} · ${fmtSeconds(e.t)} · ${e.node} · ${e.kind} ${fieldsText(e)}`;
  });
  canvas.addEventListener("mouseleave", () => {
    tip.style.display = "none";
  });
  canvas.addEventListener("click", (event) => {
    const hit = nearest(event);
    if (!hit) return;
    state.selected = hit.event;
    showDetail(model, hit.event);
    schedule();
  });
}

/** The clicked event's fields and, for a message, every event of that message. */
function showDetail(model, e) {
  const detail = document.getElementById("detail");
  const m = model.messageOfSeq.get(e.seq);
  const related = m ? [m.send, ...m.delivers, m.reply, m.result, ...m.fates].filter(Boolean).sort((a, b) => a.seq - b.seq) : [e];
  detail.innerHTML = `<h3>${m ? `message ${m.id}: ${escapeHtml(m.from)} → ${escapeHtml(m.to)} (${escapeHtml(m.body)})` : `event ${e.seq}`}</h3>${eventList(related)}`;
}

function eventList(events) {
  return `<table class="events"><tr><th>seq</th><th>time</th><th>node</th><th>kind</th><th>fields</th></tr>${events
    .map((e) => `<tr><td>${e.seq}</td><td>${fmtSeconds(e.t)}</td><td>${escapeHtml(e.node)}</td><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(fieldsText(e))}</td></tr>`)
    .join("")}</table>`;
}

function showWitnesses(model, state, diagram, checkIndex) {
  const verdict = model.data.verdicts[checkIndex];
  if (!verdict) return 0;
  state.highlight = new Set(verdict.witnesses);
  state.highlightCheck = verdict.check;
  const events = verdict.witnesses.map((s) => model.bySeq.get(s)).filter(Boolean);
  // A witness on a hidden lane or of a hidden kind is shown anyway: it is the point.
  for (const e of events) {
    state.hiddenNodes.delete(e.node);
    state.hiddenKinds.delete(e.kind);
  }
  syncFilterBoxes(state);
  diagram.relayout();
  if (events.length) diagram.zoomTo(Math.min(...events.map((e) => e.t)), Math.max(...events.map((e) => e.t)));
  const list = document.getElementById("witnesses");
  const shown = events.slice(0, 200);
  list.innerHTML = `<h3>Witnesses of <code>${escapeHtml(verdict.check)}</code>: ${events.length} event${events.length === 1 ? "" : "s"}</h3>
    <p>${escapeHtml(verdict.figure)}</p>${verdict.drawing ? `<pre class="drawing">${escapeHtml(verdict.drawing)}</pre>` : ""}${eventList(shown)}${events.length > shown.length ? `<p>… and ${events.length - shown.length} more (all highlighted on the diagram).</p>` : ""}`;
  document.getElementById("diagram").scrollIntoView({ block: "start" });
  return events.length;
}

function renderFilters(model, state, diagram) {
  const nodes = document.getElementById("node-filter");
  nodes.innerHTML = model.lanes.map((n) => `<label><input type="checkbox" data-node="${escapeHtml(n)}" checked> ${escapeHtml(n)}</label>`).join("");
  nodes.addEventListener("change", (event) => {
    const n = event.target.dataset.node;
    if (event.target.checked) state.hiddenNodes.delete(n);
    else state.hiddenNodes.add(n);
    diagram.relayout();
  });
  const bodies = new Map();
  for (const m of model.messages) bodies.set(m.body, (bodies.get(m.body) || 0) + 1);
  const recordKinds = [...model.kinds.entries()].filter(([k]) => !k.startsWith("msg-") && k !== "fault" && k !== "rpc-fault" && k !== "dns-fault");
  const kinds = document.getElementById("kind-filter");
  kinds.innerHTML =
    recordKinds.map(([k, n]) => `<label><input type="checkbox" data-kind="${escapeHtml(k)}" checked> <span style="color:${kindColour(k)}">■</span> ${escapeHtml(k)} (${n})</label>`).join("") +
    [...bodies.entries()].map(([b, n]) => `<label><input type="checkbox" data-kind="body:${escapeHtml(b)}" checked> → ${escapeHtml(b)} (${n})</label>`).join("");
  kinds.addEventListener("change", (event) => {
    const k = event.target.dataset.kind;
    if (event.target.checked) state.hiddenKinds.delete(k);
    else state.hiddenKinds.add(k);
    diagram.schedule();
  });
  document.getElementById("verdicts").addEventListener("click", (event) => {
    const link = event.target.closest(".witness-link");
    if (!link) return;
    event.preventDefault();
    showWitnesses(model, state, diagram, Number(link.dataset.check));
  });
  document.getElementById("reset").addEventListener("click", () => {
    state.highlight = new Set();
    state.selected = null;
    document.getElementById("witnesses").innerHTML = "";
    diagram.zoomTo(0, model.end);
    diagram.schedule();
  });
}

function syncFilterBoxes(state) {
  for (const box of document.querySelectorAll("#node-filter input")) box.checked = !state.hiddenNodes.has(box.dataset.node);
  for (const box of document.querySelectorAll("#kind-filter input")) box.checked = !state.hiddenKinds.has(box.dataset.kind);
}

start();
