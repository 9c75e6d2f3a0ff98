// The run as the diagram needs it, derived from the trace's events alone: lanes, messages
// (one per `msg` id, from its msg-* events), fault periods and node records.

/** Fault kinds that start a period, and the kind that ends each. */
const FAULT_ENDS = {
  partition: "heal",
  "partition-one-way": "heal-one-way",
  hold: "release",
  latency: "latency-restored",
  crash: "restart",
  pause: "resume",
  clock: "clock-restored",
  "rpc-faults-on": "rpc-faults-off",
  "dns-faults-on": "dns-faults-off",
  reset: "tcp-restored",
  "black-hole": "tcp-restored",
  "connect-timeout": "tcp-restored",
  "slow-close": "tcp-restored",
  bandwidth: "tcp-restored",
  "limit-data": "tcp-restored",
};

/** Fault kinds that name nodes (`nodes`) rather than links (`from`, `to`). */
const NODE_FAULTS = new Set(["crash", "restart", "pause", "resume", "clock", "clock-restored"]);

const MESSAGE_KINDS = new Set(["msg-send", "msg-deliver", "msg-reply", "msg-result", "msg-lost", "msg-held"]);

/** An event as the page uses it: the trace's columns plus the record's fields. */
function toEvent([seq, t, node, kind, fields]) {
  return { seq, t, node, kind, fields };
}

function names(list) {
  return list ? String(list).split(",").filter((n) => n !== "") : [];
}

/** Builds the model from the embedded data (see lab/src/view.rs). */
export function buildModel(data) {
  const events = data.events.map(toEvent);
  const lanes = data.nodes.filter((n) => n !== "lab");
  const laneOf = new Map(lanes.map((name, i) => [name, i]));
  const messages = new Map();
  const message = (id) => {
    let m = messages.get(id);
    if (!m) {
      m = { id, from: null, to: null, send: null, delivers: [], reply: null, result: null, fates: [], body: "" };
      messages.set(id, m);
    }
    return m;
  };
  const faults = [];
  const open = new Map(); // fault index → its period while it lasts
  const marks = [];
  const untriggered = [];
  for (const e of events) {
    const f = e.fields;
    if (MESSAGE_KINDS.has(e.kind) || ((e.kind === "rpc-fault" || e.kind === "dns-fault") && f.msg !== undefined)) {
      const m = message(f.msg);
      switch (e.kind) {
        case "msg-send":
          Object.assign(m, { from: e.node, to: f.to, send: e, body: f.body });
          break;
        case "msg-deliver":
          m.delivers.push(e);
          break;
        case "msg-reply":
          m.reply = e;
          break;
        case "msg-result":
          m.result = e;
          break;
        default:
          m.fates.push(e); // msg-lost, msg-held, rpc-fault, dns-fault
      }
      continue;
    }
    if (e.node === "lab" && e.kind === "fault" && f.fault === "not-triggered") {
      untriggered.push(e); // an event-started fault whose event never came
      continue;
    }
    if (e.node === "lab" && e.kind === "fault") {
      const kind = f.fault;
      if (FAULT_ENDS[kind]) {
        const period = {
          index: f.index,
          kind,
          start: e.t,
          end: null,
          startSeq: e.seq,
          lanes: faultLanes(kind, f, lanes),
          label: faultLabel(kind, f),
          // An event-started fault names the record that set it off (`when`, `trigger`).
          trigger: f.trigger,
        };
        faults.push(period);
        open.set(f.index, period);
      } else {
        const period = open.get(f.index);
        if (period && FAULT_ENDS[period.kind] === kind) {
          period.end = e.t;
          period.endSeq = e.seq;
          open.delete(f.index);
        } else {
          // A restart without a crash before it: an instant on the lanes it bounces.
          faults.push({ index: f.index, kind, start: e.t, end: e.t, startSeq: e.seq, lanes: faultLanes(kind, f, lanes), label: faultLabel(kind, f) });
        }
      }
      continue;
    }
    if (laneOf.has(e.node)) marks.push(e);
  }
  const end = Math.max(data.run.simulated_us, events.length ? events[events.length - 1].t : 0, 1);
  for (const period of faults) if (period.end === null) period.end = end;
  const messageList = [...messages.values()].filter((m) => m.send && laneOf.has(m.from) && laneOf.has(m.to));
  messageList.sort((a, b) => a.send.t - b.send.t || a.id - b.id);
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  const messageOfSeq = new Map();
  for (const m of messageList) {
    for (const e of [m.send, ...m.delivers, m.reply, m.result, ...m.fates]) if (e) messageOfSeq.set(e.seq, m);
  }
  let longest = 0;
  for (const m of messageList) longest = Math.max(longest, messageEnd(m) - m.send.t);
  const kinds = new Map();
  for (const e of events) kinds.set(e.kind, (kinds.get(e.kind) || 0) + 1);
  return { data, events, bySeq, lanes, laneOf, messages: messageList, messageOfSeq, longestMessage: longest, faults, untriggered, marks, end, kinds };
}

/** When a message's last leg ended: its result, else its reply or delivery, else its send. */
export function messageEnd(m) {
  const last = m.result || m.reply || m.delivers[m.delivers.length - 1] || m.send;
  return last.t;
}

/** The lanes a fault shades: the nodes it names, or every lane when it names none. */
function faultLanes(kind, f, lanes) {
  const named = NODE_FAULTS.has(kind) ? names(f.nodes) : [...names(f.from), ...names(f.to)];
  const known = named.filter((n) => lanes.includes(n));
  return known.length ? [...new Set(known)] : lanes.slice();
}

function faultLabel(kind, f) {
  const what = NODE_FAULTS.has(kind) ? names(f.nodes).join(", ") : `${f.from || "any"} → ${f.to || "any"}`;
  // A DNS fault says what it answers, and for which names.
  const action = f.action ? ` ${f.action}${f.names ? ` ${f.names}` : ""}` : "";
  const when = f.when ? ` — on ${f.when}` : "";
  return `#${f.index} ${kind}${action} ${what}${when}`;
}

/** The outcome class of a message, for its colour and its end mark. */
export function messageFate(m) {
  if (m.fates.some((e) => e.kind === "msg-lost" || (e.kind === "rpc-fault" && String(e.fields.fault).startsWith("drop")))) return "lost";
  // A datagram has no result: one that never arrived was lost, whether or not a fault says why.
  if (m.send.fields.datagram && m.delivers.length === 0) return "lost";
  if (m.result && m.result.fields.outcome !== "ok") return "failed";
  if (m.fates.length) return "faulted";
  return "ok";
}
