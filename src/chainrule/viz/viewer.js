/* chainrule graph viewer: steps through the drawing chainrule.viz laid out, fits it to
 * the window, zooms and pans. The layout is done already (in Python): this only shows,
 * hides and highlights. Every graph on a page is its own: the script starts the graph
 * it stands in, nothing is looked up by id, and keys act on the graph that has focus.
 */
(function () {
  "use strict";
  function each(list, f) { Array.prototype.forEach.call(list, f); }
  function cls(el, name, on) { el.classList.toggle(name, !!on); }

  function init(root) {
    if (root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "1");
    root.classList.add("cr-live");
    var D = JSON.parse(root.querySelector(".cr-data").textContent);
    var canvas = root.querySelector(".cr-canvas");
    var part = function (name) { return root.querySelector(".cr-" + name); };
    var st = { step: 0, sel: null, drag: null };
    var cur = null, levels = [];

    function prepare(svg, L) {
      var lv = { svg: svg, L: L, nodes: {}, box: {}, edges: [], uses: {}, view: null,
                 w: +svg.getAttribute("width"), h: +svg.getAttribute("height") };
      each(svg.querySelectorAll(".cr-node"), function (g) {
        var id = g.getAttribute("data-id"), r = g.querySelector("rect");
        var t = /translate\(([-\d.]+),([-\d.]+)\)/.exec(g.getAttribute("transform"));
        lv.nodes[id] = g;
        lv.box[id] = [+t[1], +t[2], +r.getAttribute("width"), +r.getAttribute("height")];
      });
      each(svg.querySelectorAll(".cr-edge"), function (g) {
        var e = { g: g, src: g.getAttribute("data-src"), dst: g.getAttribute("data-dst"),
                  grad: !g.classList.contains("nograd") };
        lv.edges.push(e);
        if (e.grad) (lv.uses[e.src] = lv.uses[e.src] || []).push(e);
      });
      svg.style.display = "none";
      return lv;
    }
    each(canvas.querySelectorAll("svg.cr-graph"), function (svg, i) {
      levels.push(prepare(svg, D.levels[i]));
    });

    // -- fit, zoom, pan ------------------------------------------------------------------
    function size() { return [canvas.clientWidth || 600, canvas.clientHeight || 400]; }
    function apply() {
      var v = cur.view, c = size();
      cur.svg.setAttribute("viewBox", [v.x, v.y, c[0] / v.k, c[1] / v.k].join(" "));
      root.setAttribute("data-scale", v.k.toFixed(4));
    }
    function frame(x, y, w, h, most) {
      var c = size(), pad = 10;
      var k = Math.min((c[0] - 2 * pad) / w, (c[1] - 2 * pad) / h, most);
      cur.view = { k: k, x: x + w / 2 - c[0] / (2 * k), y: y + h / 2 - c[1] / (2 * k) };
      apply();
    }
    // a small graph is drawn larger on a page of its own, at its size in a notebook
    function fit() { frame(0, 0, cur.w, cur.h, root.classList.contains("cr-page") ? 1.5 : 1); }
    function zoom(f, px, py) {
      var v = cur.view, c = size();
      if (px == null) { px = c[0] / 2; py = c[1] / 2; }
      var wx = v.x + px / v.k, wy = v.y + py / v.k;
      v.k = Math.max(0.03, Math.min(8, v.k * f));
      v.x = wx - px / v.k; v.y = wy - py / v.k;
      apply();
    }
    function reveal(id) {  // pan, keeping the zoom, just enough to bring box id into view
      var b = cur.box[id], v = cur.view, c = size();
      if (!b) return;
      var w = c[0] / v.k, h = c[1] / v.k, m = Math.min(30 / v.k, w / 4, h / 4);
      var x = Math.min(v.x, b[0] - m), y = Math.min(v.y, b[1] - m);
      x = Math.max(x, b[0] + b[2] + m - w);
      y = Math.max(y, b[1] + b[3] + m - h);
      if (x !== v.x || y !== v.y) { v.x = x; v.y = y; apply(); }
    }

    // -- steps ---------------------------------------------------------------------------
    function total() { return cur.L.fwd.length + cur.L.bwd.length; }
    function info(id) { return D.nodes[id] || { kind: "elided", title: "", name: "" }; }
    function stats(title, rows) {
      if (!rows) return "";
      return title + "\n" + rows.map(function (r) { return "  " + r[0] + "  " + r[1]; }).join("\n");
    }
    function show(stay) {
      var L = cur.L, F = L.fwd.length, s = st.step;
      var phase = s === 0 ? "start" : (s <= F ? "forward" : "backward");
      var fdone = {}, bdone = {}, active = null;
      L.fwd.forEach(function (id, i) { if (phase === "backward" || i < s) fdone[id] = 1; });
      if (phase === "backward") L.bwd.forEach(function (id, i) { if (i < s - F) bdone[id] = 1; });
      if (phase === "forward") active = L.fwd[s - 1];
      if (phase === "backward") active = L.bwd[s - F - 1];
      if (active) st.sel = active;
      var shown = {};
      Object.keys(cur.nodes).forEach(function (id) {
        var g = cur.nodes[id], kind = info(id).kind, uses = cur.uses[id] || [];
        // a gradient is shown once it has all arrived: every use of the value has sent its part
        var arrived = bdone[id] || (uses.length > 0 && uses.every(function (e) { return bdone[e.dst]; }));
        shown[id] = arrived;
        cls(g, "v", kind === "leaf" || kind === "const" || fdone[id]);
        cls(g, "g", arrived);
        cls(g, "done-fwd", fdone[id] && !bdone[id]);
        cls(g, "done-bwd", bdone[id]);
        cls(g, "active-fwd", phase === "forward" && active === id);
        cls(g, "active-bwd", phase === "backward" && active === id);
        cls(g, "sel", st.sel === id && active !== id);
      });
      cur.edges.forEach(function (e) {
        var b = e.grad && bdone[e.dst];
        cls(e.g, "fwd", fdone[e.dst] && !b);
        cls(e.g, "bwd", b);
      });
      var title, body, it = active && info(active);
      if (phase === "start") {
        title = "Start: the leaves and constants hold their values. Next (or the right arrow) runs the forward pass.";
        body = Object.keys(cur.nodes).filter(function (id) {
          var k = info(id).kind; return k === "leaf" || k === "const";
        }).map(function (id) { return info(id).name + " = " + (info(id).text || "?"); }).join("\n");
      } else if (phase === "forward") {
        title = "Forward " + s + "/" + F + ": " + it.title;
        body = it.fwd || "";
      } else {
        title = "Backward " + (s - F) + "/" + L.bwd.length + ": " + it.title;
        body = it.bwd || "";
      }
      part("step-title").textContent = title;
      part("step-body").textContent = body;
      var sel = st.sel && cur.nodes[st.sel] ? info(st.sel) : null;
      part("sel").textContent = sel ? ["Selected: " + sel.title, stats("value", sel.value),
        shown[st.sel] ? stats("gradient", sel.grad) : "", sel.formula ? "formula\n  " + sel.formula : ""]
        .filter(Boolean).join("\n") : "Click a box to see its statistics.";
      part("counter").textContent = "step " + s + " of " + total() + (L.name ? " · " + L.name : "");
      root.setAttribute("data-step", String(s));
      root.setAttribute("data-phase", phase);
      root.setAttribute("data-active", active || "");
      if (active && !stay) reveal(active);
    }
    function go(s) { st.step = Math.max(0, Math.min(total(), s)); show(); }

    // -- levels of detail: modules collapsed, or opened ----------------------------------
    function mapStep(from, to) {
      var L = from.L, F = L.fwd.length, s = st.step, M = to.L;
      if (s === 0) return 0;
      var id = s <= F ? L.fwd[s - 1] : L.bwd[s - F - 1], o = L.order[id];
      if (s <= F) return M.fwd.filter(function (x) { return M.order[x] <= o; }).length || 1;
      if (o == null) {
        var k = M.bwd.indexOf(id);
        return M.fwd.length + (k < 0 ? M.bwd.length : k + 1);
      }
      return M.fwd.length + (M.bwd.filter(function (x) { return M.order[x] >= o; }).length || 1);
    }
    function setLevel(k, group) {
      if (k < 0 || k >= levels.length || levels[k] === cur) return;
      if (cur) { st.step = mapStep(cur, levels[k]); cur.svg.style.display = "none"; }
      cur = levels[k];
      cur.svg.style.display = "";
      root.setAttribute("data-level", String(k));
      part("bar").querySelector("[data-do=less]").disabled = k === 0;
      part("bar").querySelector("[data-do=more]").disabled = k === levels.length - 1;
      var c = group && cur.svg.querySelector('.cr-cluster[data-group="' + group + '"] rect');
      if (c) {
        frame(+c.getAttribute("x"), +c.getAttribute("y"), +c.getAttribute("width"),
              +c.getAttribute("height"), 1);
      } else if (cur.view) {
        apply();
      } else {
        fit();
      }
      show(!!c);
    }
    function open(id) {
      var g = cur.nodes[id];
      if (g && g.classList.contains("module")) setLevel(levels.indexOf(cur) + 1, g.getAttribute("data-group"));
    }

    // -- input ---------------------------------------------------------------------------
    var actions = {
      start: function () { go(0); }, prev: function () { go(st.step - 1); },
      next: function () { go(st.step + 1); }, end: function () { go(total()); },
      "in": function () { zoom(1.25); }, out: function () { zoom(0.8); }, fit: fit,
      less: function () { setLevel(levels.indexOf(cur) - 1); },
      more: function () { setLevel(levels.indexOf(cur) + 1); }
    };
    each(part("bar").querySelectorAll("button"), function (b) {
      b.addEventListener("click", function () { actions[b.getAttribute("data-do")](); });
    });
    var keys = { ArrowRight: "next", ArrowLeft: "prev", Home: "start", End: "end",
                 "+": "in", "=": "in", "-": "out", "0": "fit" };
    root.addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
      var a = keys[ev.key];
      if (ev.key === "Enter" && ev.target === root && st.sel) { open(st.sel); ev.preventDefault(); return; }
      if (!a) return;
      actions[a]();
      ev.preventDefault();
    });
    canvas.addEventListener("wheel", function (ev) {
      // in a notebook the wheel scrolls the notebook; with ctrl (or a pinch) it zooms
      if (!root.classList.contains("cr-page") && !ev.ctrlKey && !ev.metaKey) return;
      ev.preventDefault();
      var r = canvas.getBoundingClientRect();
      zoom(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });
    canvas.addEventListener("pointerdown", function (ev) {
      root.focus({ preventScroll: true });
      st.drag = { x: ev.clientX, y: ev.clientY, vx: cur.view.x, vy: cur.view.y, moved: false };
      canvas.setPointerCapture(ev.pointerId);
    });
    canvas.addEventListener("pointermove", function (ev) {
      var d = st.drag;
      if (!d) return;
      var dx = ev.clientX - d.x, dy = ev.clientY - d.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) d.moved = true;
      if (d.moved) { cur.view.x = d.vx - dx / cur.view.k; cur.view.y = d.vy - dy / cur.view.k; apply(); }
    });
    function boxAt(ev) {  // the box under the pointer (events go to the canvas while it drags)
      var hit = document.elementFromPoint(ev.clientX, ev.clientY);
      var g = hit && hit.closest && hit.closest(".cr-node");
      return g && cur.svg.contains(g) ? g.getAttribute("data-id") : null;
    }
    canvas.addEventListener("pointerup", function (ev) {
      var d = st.drag, id = boxAt(ev);
      st.drag = null;
      if (canvas.hasPointerCapture(ev.pointerId)) canvas.releasePointerCapture(ev.pointerId);
      if (!d || d.moved || !id) return;
      st.sel = id;
      show();
    });
    canvas.addEventListener("dblclick", function (ev) {
      var id = boxAt(ev);
      if (id) open(id);
    });
    if (window.ResizeObserver) new ResizeObserver(function () { if (cur && cur.view) apply(); }).observe(canvas);
    part("note").textContent = D.note || "";
    if (levels.length < 2) {
      each(part("bar").querySelectorAll("[data-do=less],[data-do=more]"), function (b) {
        b.style.display = "none";
      });
    }
    setLevel(0);
  }

  var me = document.currentScript;
  var root = me && me.closest ? me.closest(".chainrule-viz") : null;
  if (root) init(root);
  else each(document.querySelectorAll(".chainrule-viz"), init);
})();
