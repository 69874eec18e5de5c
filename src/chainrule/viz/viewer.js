/* chainrule graph viewer: lays out the graph with dagre and steps through it.
 *
 * The page holds the graph as JSON (#cr-data). "next" runs the forward pass one
 * op at a time (blue: the op's inputs and value), then the backward pass one
 * node at a time (red: the local derivative, the upstream gradient and their
 * product, and the gradient on each edge back to an input). Module groups
 * deeper than the top level are boxes; a click on a box expands it, a click on
 * a cluster's title collapses it again.
 */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("cr-data").textContent);
  // The SVG namespace, read from an element the parser made (the page spells out no URL).
  var probe = document.createElement("div");
  probe.innerHTML = "<svg></svg>";
  var SVGNS = probe.firstChild.namespaceURI;
  var CHAR_W = 7.3, LINE_H = 15;
  var groups = {};
  D.groups.forEach(function (g) { groups[g.id] = g; });
  var expanded = new Set();
  D.groups.forEach(function (g) { if (g.depth <= D.expand) expanded.add(g.id); });
  var root = document.querySelector(".chainrule-viz");
  var canvas = document.getElementById("cr-canvas");
  var state = { step: 0, vis: null, fwd: [], bwd: [], els: {}, edgeEls: [] };

  function boxOf(n) {
    var chain = [], g = n.group;
    while (g) { chain.push(g); g = groups[g] ? groups[g].parent : null; }
    for (var i = chain.length - 1; i >= 0; i--) if (!expanded.has(chain[i])) return chain[i];
    return null;
  }

  function build() {
    var vis = [], byId = {}, rep = {};
    D.nodes.forEach(function (n) {
      var b = boxOf(n);
      if (b === null) {
        var v = { id: n.id, kind: n.kind, node: n, group: n.group, order: n.order };
        vis.push(v); byId[v.id] = v; rep[n.id] = v.id;
        return;
      }
      var id = "m_" + b.replace(/\./g, "_");
      var m = byId[id];
      if (!m) {
        m = { id: id, kind: "module", gid: b, group: groups[b].parent, label: groups[b].label,
              members: [], order: -1 };
        vis.push(m); byId[id] = m;
      }
      m.members.push(n);
      if (n.order > m.order) m.order = n.order;
      rep[n.id] = id;
    });
    var edges = [], seen = {}, leaving = {};
    D.edges.forEach(function (e) {
      var s = rep[e.src], d = rep[e.dst];
      if (s === d) return;
      leaving[e.src] = true;
      var k = s + ">" + d;
      if (seen[k]) { seen[k].count += 1; return; }
      var ve = { src: s, dst: d, grad: e.grad, backward: e.backward, elided: e.elided, count: 1 };
      seen[k] = ve; edges.push(ve);
    });
    vis.forEach(function (v) {
      if (v.kind !== "module") return;
      var out = v.members.filter(function (m) { return m.output || leaving[m.id]; });
      if (out.length === 1) { v.value = out[0].value; v.grad = out[0].grad; }
    });
    edges.forEach(function (e) { if (e.count > 1 && e.grad) e.grad += " (+" + (e.count - 1) + ")"; });
    var fwd = vis.filter(function (v) { return v.kind === "op" || v.kind === "module"; });
    fwd.sort(function (a, b) { return a.order - b.order; });
    var bwd = [];
    if (D.has_grads) {
      bwd = fwd.slice().reverse().concat(vis.filter(function (v) {
        return v.kind === "leaf" && v.node.requires_grad;
      }));
    }
    return { nodes: vis, byId: byId, edges: edges, fwd: fwd, bwd: bwd };
  }

  function lines(v) {
    var n = v.node, out = [];
    if (v.kind === "module") {
      out.push(v.label, v.members.length + " nodes (click to open)");
      out.push(["value", v.value]); out.push(["grad", v.grad]);
    } else if (v.kind === "elided") {
      out.push(n.name);
    } else if (v.kind === "op") {
      out.push(n.expr, n.op); out.push(["value", n.value]); out.push(["grad", n.grad]);
    } else {
      out.push(n.name); out.push(["value", n.value]);
      if (v.kind === "leaf") out.push(["grad", n.grad]);
    }
    return out.filter(function (l) { return typeof l === "string" || l[1] != null; });
  }

  function el(tag, attrs, parent) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function text(l) { return typeof l === "string" ? l : l[0] + " " + l[1]; }

  function layout() {
    var vis = state.vis;
    var g = new dagre.graphlib.Graph({ compound: true });
    g.setGraph({ rankdir: "LR", nodesep: 22, ranksep: 56, edgesep: 12, marginx: 12, marginy: 12 });
    g.setDefaultEdgeLabel(function () { return {}; });
    var clusters = new Set();
    vis.nodes.forEach(function (v) {
      var gid = v.group;
      while (gid) { clusters.add(gid); gid = groups[gid].parent; }
    });
    clusters.forEach(function (gid) {
      g.setNode("c_" + gid, { label: groups[gid].label, clusterLabelPos: "top", paddingTop: 24 });
    });
    clusters.forEach(function (gid) {
      var p = groups[gid].parent;
      if (p && clusters.has(p)) g.setParent("c_" + gid, "c_" + p);
    });
    vis.nodes.forEach(function (v) {
      var ls = lines(v), w = 0;
      ls.forEach(function (l) { w = Math.max(w, text(l).length); });
      g.setNode(v.id, { width: w * CHAR_W + 18, height: ls.length * LINE_H + 12 });
      if (v.group && clusters.has(v.group)) g.setParent(v.id, "c_" + v.group);
    });
    vis.edges.forEach(function (e) {
      var lw = e.grad ? e.grad.length * CHAR_W + 6 : 1;
      g.setEdge(e.src, e.dst, { width: lw, height: e.grad ? 14 : 1, labelpos: "c" });
    });
    dagre.layout(g);
    return { g: g, clusters: clusters };
  }

  function draw() {
    var L = layout(), g = L.g, info = g.graph();
    canvas.innerHTML = "";
    var svg = el("svg", { width: Math.ceil(info.width || 10), height: Math.ceil(info.height || 10),
                         id: "cr-svg" }, canvas);
    var defs = el("defs", {}, svg);
    [["cr-arrow-fwd", "#1f5fbf"], ["cr-arrow-off", "#bbbbbb"], ["cr-arrow-bwd", "#c62828"]]
      .forEach(function (m) {
        var mk = el("marker", { id: m[0], viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
                                markerHeight: 7, orient: "auto-start-reverse" }, defs);
        el("path", { d: "M0,0 L10,5 L0,10 z", fill: m[1] }, mk);
      });
    L.clusters.forEach(function (gid) {
      var c = g.node("c_" + gid);
      var cg = el("g", { "class": "cr-cluster", "data-group": gid }, svg);
      el("rect", { x: c.x - c.width / 2, y: c.y - c.height / 2, width: c.width, height: c.height,
                   rx: 8 }, cg);
      var t = el("text", { x: c.x - c.width / 2 + 8, y: c.y - c.height / 2 + 15 }, cg);
      t.textContent = groups[gid].label + (groups[gid].depth > 0 ? "  [collapse]" : "");
      if (groups[gid].depth > 0) t.addEventListener("click", function () { toggle(gid); });
    });
    state.edgeEls = [];
    state.vis.edges.forEach(function (e) {
      var ed = g.edge(e.src, e.dst);
      var eg = el("g", { "class": "cr-edge", "data-src": e.src, "data-dst": e.dst }, svg);
      var d = ed.points.map(function (p, i) { return (i ? "L" : "M") + p.x + "," + p.y; }).join(" ");
      var path = el("path", { d: d }, eg);
      // a white box behind the gradient, so the dashed edge does not run through its digits
      var bg = el("rect", { "class": "cr-edge-bg", rx: 2, ry: 2 }, eg);
      var label = el("text", { x: ed.x, y: ed.y + 4, "text-anchor": "middle" }, eg);
      state.edgeEls.push({ e: e, g: eg, path: path, bg: bg, label: label });
    });
    state.els = {};
    state.vis.nodes.forEach(function (v) {
      var n = g.node(v.id);
      var cls = "cr-node " + v.kind + (v.node && v.node.output ? " output" : "");
      var ng = el("g", { "class": cls, id: "cr-node-" + v.id, "data-id": v.id,
                         transform: "translate(" + (n.x - n.width / 2) + "," + (n.y - n.height / 2) + ")" }, svg);
      el("rect", { width: n.width, height: n.height, rx: 6 }, ng);
      var tspans = {};
      lines(v).forEach(function (l, i) {
        var t = el("text", { x: 9, y: 18 + i * LINE_H }, ng);
        t.textContent = text(l);
        if (typeof l !== "string") { t.setAttribute("class", "cr-" + l[0]); tspans[l[0]] = t; }
      });
      if (v.kind === "module") ng.addEventListener("click", function () { toggle(v.gid); });
      state.els[v.id] = { g: ng, v: v, lines: tspans };
    });
  }

  function toggle(gid) {
    if (expanded.has(gid)) expanded.delete(gid); else expanded.add(gid);
    rebuild();
  }

  function total() { return state.vis.fwd.length + state.vis.bwd.length; }

  function rebuild() {
    state.vis = build();
    draw();
    state.step = Math.min(state.step, total());
    show();
  }

  function backwardStep(v) {
    if (v.kind === "module") {
      var body = ["gradient arriving at its output: " + (v.grad || "?")];
      v.members.forEach(function (m) {
        if (m.kind === "leaf" && m.step) body.push(m.step.leaf);
      });
      body.push("(click the box to see its ops one by one)");
      return body.join("\n");
    }
    var s = v.node.step;
    if (!s) return "";
    if (s.leaf) return s.leaf;
    var out = ["local derivative:  " + s.formula];
    if (s.operands) out.push("   with " + s.operands);
    s.local.forEach(function (l) { out.push("   so " + l); });
    out.push("upstream gradient: " + s.upstream);
    s.chain.forEach(function (l, i) { out.push((i ? "                   " : "product:           ") + l); });
    s.constants.forEach(function (l) { out.push(l); });
    return out.join("\n");
  }

  function show() {
    var F = state.vis.fwd.length, B = state.vis.bwd.length, s = state.step;
    var phase = s === 0 ? "start" : (s <= F ? "forward" : "backward");
    var fwdDone = new Set(), bwdDone = new Set(), active = null;
    state.vis.fwd.forEach(function (v, i) { if (phase === "backward" || i < s) fwdDone.add(v.id); });
    if (phase === "backward") state.vis.bwd.forEach(function (v, i) { if (i < s - F) bwdDone.add(v.id); });
    if (phase === "forward") active = state.vis.fwd[s - 1];
    if (phase === "backward") active = state.vis.bwd[s - F - 1];
    Object.keys(state.els).forEach(function (id) {
      var x = state.els[id], v = x.v, g = x.g;
      var known = v.kind === "leaf" || v.kind === "const" || fwdDone.has(id);
      g.classList.toggle("done-fwd", fwdDone.has(id) && !bwdDone.has(id));
      g.classList.toggle("done-bwd", bwdDone.has(id));
      g.classList.toggle("active-fwd", phase === "forward" && active && active.id === id);
      g.classList.toggle("active-bwd", phase === "backward" && active && active.id === id);
      if (x.lines.value) x.lines.value.style.visibility = known ? "visible" : "hidden";
      if (x.lines.grad) x.lines.grad.style.visibility = bwdDone.has(id) ? "visible" : "hidden";
    });
    state.edgeEls.forEach(function (x) {
      var f = fwdDone.has(x.e.dst), b = x.e.backward && bwdDone.has(x.e.dst);
      x.g.classList.toggle("fwd", f && !b);
      x.g.classList.toggle("bwd", b);
      x.path.setAttribute(b ? "marker-start" : "marker-end",
                          "url(#" + (b ? "cr-arrow-bwd" : (f ? "cr-arrow-fwd" : "cr-arrow-off")) + ")");
      x.path.removeAttribute(b ? "marker-end" : "marker-start");
      x.label.textContent = b && x.e.grad ? x.e.grad : "";
      if (x.label.textContent) {
        var box = x.label.getBBox();
        x.bg.setAttribute("x", box.x - 3);
        x.bg.setAttribute("y", box.y - 1);
        x.bg.setAttribute("width", box.width + 6);
        x.bg.setAttribute("height", box.height + 2);
        x.bg.style.display = "";
      } else {
        x.bg.style.display = "none";
      }
    });
    var title = "", body = "", infoBox = document.getElementById("cr-info");
    if (phase === "start") {
      title = "Start: the leaves and constants hold their values. Press next to run the forward pass.";
      body = state.vis.nodes.filter(function (v) { return v.kind === "leaf" || v.kind === "const"; })
        .map(function (v) { return v.node.name + " = " + (v.node.value || "?"); }).join("\n");
    } else if (phase === "forward") {
      var v = active;
      if (v.kind === "module") {
        title = "Forward " + s + "/" + F + ": module " + v.label;
        body = "value leaving it: " + (v.value || "?");
      } else {
        title = "Forward " + s + "/" + F + ": " + v.node.expr + "   (" + v.node.op + ")";
        body = "inputs: " + v.node.inputs.join(", ") + "\nvalue:  " + (v.node.value || "? (not recorded)");
      }
    } else {
      var w = active, j = s - F;
      var what = w.kind === "module" ? "module " + w.label :
                 (w.kind === "leaf" ? "leaf " + w.node.name : w.node.expr + "   (" + w.node.op + ")");
      title = "Backward " + j + "/" + B + ": " + what;
      body = backwardStep(w);
    }
    infoBox.className = phase === "forward" ? "fwd" : (phase === "backward" ? "bwd" : "");
    document.getElementById("cr-step-title").textContent = title;
    document.getElementById("cr-step-body").textContent = body;
    document.getElementById("cr-counter").textContent = "step " + s + " of " + total();
    root.setAttribute("data-step", String(s));
    root.setAttribute("data-phase", phase);
    root.setAttribute("data-active", active ? active.id : "");
    // a graph wider or taller than the window scrolls, so bring the step's node into view
    var activeEl = active && state.els[active.id] && state.els[active.id].g;
    if (activeEl && activeEl.scrollIntoView) {
      activeEl.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  function go(s) { state.step = Math.max(0, Math.min(total(), s)); show(); }
  document.getElementById("cr-next").addEventListener("click", function () { go(state.step + 1); });
  document.getElementById("cr-prev").addEventListener("click", function () { go(state.step - 1); });
  document.getElementById("cr-reset").addEventListener("click", function () { go(0); });
  document.getElementById("cr-end").addEventListener("click", function () { go(total()); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowRight") go(state.step + 1);
    if (ev.key === "ArrowLeft") go(state.step - 1);
  });
  var note = D.note || "";
  if (!D.has_grads) {
    note += (note ? " " : "") + "No backward pass has run through this graph yet: the backward " +
      "steps appear when the page is written after loss.backward() (or graph.backward()).";
  }
  document.getElementById("cr-note").textContent = note;
  rebuild();
})();
