/* Posterior explorer of the book (no kernel, no library, no network; works from file://).
 *
 * Reads the spec a chapter embeds (<script type="application/json" class="explorer-spec">,
 * written by analysis.display.explorer) and evaluates, draw by draw, the chapter's predictive
 * formula: effect_s = mean_s + sum_k slope_k,s * (x_k - centre_k) / scale_k + spread_s * eps.
 * P(effect > T) is the mean over draws of the normal tail (of 1[mean_s > T] when spread_s = 0),
 * exactly what analysis.display.explorer.explorer_probability computes in Python.
 */
(function () {
  "use strict";
  var FORMAT = "bookkit-explorer/1";
  var SVG = "http://www.w3.org/2000/svg";

  // erfc with relative error < 1.2e-7 (Numerical Recipes, Chebyshev fit)
  function erfc(x) {
    var z = Math.abs(x), t = 1 / (1 + 0.5 * z);
    var r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 +
      t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 +
      t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }
  function tail(t, m, s) { return s > 0 ? 0.5 * erfc((t - m) / (s * Math.SQRT2)) : (m > t ? 1 : 0); }

  function moments(spec, choice, values) {
    var d = spec.draws, mean = d[choice.mean].slice(), n = mean.length, i, k;
    for (k = 0; k < spec.inputs.length; k++) {
      var inp = spec.inputs[k], slope = d[inp.slope], q = (values[inp.name] - inp.centre) / inp.scale;
      for (i = 0; i < n; i++) mean[i] += slope[i] * q;
    }
    var spread = choice.spread ? d[choice.spread] : mean.map(function () { return 0; });
    return {mean: mean, spread: spread};
  }

  function probability(mo, t) {
    var sum = 0;
    for (var i = 0; i < mo.mean.length; i++) sum += tail(t, mo.mean[i], mo.spread[i]);
    return sum / mo.mean.length;
  }

  function mixture(mo) {  // per-draw normals; a KDE bandwidth stands in for a zero spread
    var n = mo.mean.length, avg = 0, v = 0, i;
    for (i = 0; i < n; i++) avg += mo.mean[i] / n;
    for (i = 0; i < n; i++) v += (mo.mean[i] - avg) * (mo.mean[i] - avg) / (n - 1);
    var h = 1.06 * Math.sqrt(v) * Math.pow(n, -0.2) || 1e-6;
    var sd = mo.spread.map(function (s) { return s > 0 ? s : h; });
    var lo = Infinity, hi = -Infinity;
    for (i = 0; i < n; i++) {
      lo = Math.min(lo, mo.mean[i] - 3.5 * sd[i]); hi = Math.max(hi, mo.mean[i] + 3.5 * sd[i]);
    }
    var grid = [], dens = [], m = 161;
    for (var g = 0; g < m; g++) {
      var x = lo + (hi - lo) * g / (m - 1), f = 0;
      for (i = 0; i < n; i++) {
        var z = (x - mo.mean[i]) / sd[i];
        f += Math.exp(-0.5 * z * z) / (sd[i] * 2.5066282746310002);
      }
      grid.push(x); dens.push(f / n);
    }
    return {grid: grid, dens: dens, sd: sd};
  }

  function quantile(mo, sd, p) {  // of the mixture, by bisection on its CDF
    var lo = -10, hi = 10;
    for (var it = 0; it < 60; it++) {
      var mid = (lo + hi) / 2, c = 0;
      for (var i = 0; i < mo.mean.length; i++) c += 1 - tail(mid, mo.mean[i], sd[i]);
      if (c / mo.mean.length < p) lo = mid; else hi = mid;
    }
    return (lo + hi) / 2;
  }

  function fmt(x, digits) { return (x < 0 ? "\u2212" : "") + Math.abs(x).toFixed(digits); }
  function thousands(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function words(p) { return p > 0.99 ? "above 0.99" : p < 0.01 ? "below 0.01" : p.toFixed(2); }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var a in attrs) if (Object.prototype.hasOwnProperty.call(attrs, a)) e.setAttribute(a, attrs[a]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var a in attrs) if (Object.prototype.hasOwnProperty.call(attrs, a)) e.setAttribute(a, attrs[a]);
    return e;
  }

  function plot(box, mix, t, unit, label) {  // drawn at the box's own width: legible at 390 px
    var W = Math.max(280, Math.round(box.clientWidth || 640)), H = W < 500 ? 200 : 220;
    var L = 12, R = 12, T = 10, B = 40;
    var x0 = mix.grid[0], x1 = mix.grid[mix.grid.length - 1], fmax = Math.max.apply(null, mix.dens);
    var X = function (x) { return L + (W - L - R) * (x - x0) / (x1 - x0); };
    var Y = function (f) { return H - B - (H - B - T) * f / fmax; };
    var s = svg("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": label,
                        "class": "explorer-plot", preserveAspectRatio: "xMidYMid meet"});
    var area = "M" + X(Math.max(t, x0)) + "," + Y(0), line = "", i;
    for (i = 0; i < mix.grid.length; i++) {
      line += (i ? "L" : "M") + X(mix.grid[i]).toFixed(1) + "," + Y(mix.dens[i]).toFixed(1);
      if (mix.grid[i] >= t) area += "L" + X(mix.grid[i]).toFixed(1) + "," + Y(mix.dens[i]).toFixed(1);
    }
    area += "L" + X(x1) + "," + Y(0) + "Z";
    if (t < x1) s.appendChild(svg("path", {d: area, "class": "explorer-above"}));
    s.appendChild(svg("path", {d: line, "class": "explorer-density"}));
    s.appendChild(svg("line", {x1: L, x2: W - R, y1: Y(0), y2: Y(0), "class": "explorer-axis"}));
    // ticks at "nice" steps
    var span = x1 - x0, step = Math.pow(10, Math.floor(Math.log10(span / 4)));
    var most = W < 500 ? 5 : 8;
    if (span / step > most) step *= 2;
    if (span / step > most) step *= 2.5;
    if (span / step > most) step *= 2;
    for (var v = Math.ceil(x0 / step) * step; v <= x1; v += step) {
      var xx = X(v);
      s.appendChild(svg("line", {x1: xx, x2: xx, y1: Y(0), y2: Y(0) + 5, "class": "explorer-axis"}));
      var tx = svg("text", {x: xx, y: Y(0) + 18, "text-anchor": "middle", "class": "explorer-tick"});
      tx.textContent = fmt(Math.abs(v) < step / 2 ? 0 : v, step < 0.01 ? 3 : 2);
      s.appendChild(tx);
    }
    var cap = svg("text", {x: W / 2, y: H - 4, "text-anchor": "middle", "class": "explorer-tick"});
    cap.textContent = "effect (" + unit + "; shaded: above the threshold)";
    s.appendChild(cap);
    if (t >= x0 && t <= x1) {
      s.appendChild(svg("line", {x1: X(t), x2: X(t), y1: T, y2: Y(0), "class": "explorer-threshold"}));
    }
    box.replaceChildren(s);
  }

  function build(root, n) {
    var spec;
    try { spec = JSON.parse(root.querySelector("script.explorer-spec").textContent); } catch (e) {
      root.appendChild(el("p", {"class": "explorer-error"}, "The explorer's draws could not be read."));
      return;
    }
    if (spec.format !== FORMAT) {
      root.appendChild(el("p", {"class": "explorer-error"}, "Unknown explorer format " + spec.format));
      return;
    }
    var id = "explorer-" + n + "-";
    var form = el("form", {"class": "explorer-form", "aria-label": spec.title});
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    var field = function (key, label, control) {
      var wrap = el("div", {"class": "explorer-field"});
      wrap.appendChild(el("label", {"for": id + key}, label));
      control.id = id + key;
      wrap.appendChild(control);
      form.appendChild(wrap);
      return control;
    };
    var select = el("select", {name: "choice"});
    spec.choices.forEach(function (c) { select.appendChild(el("option", {value: c.id}, c.label)); });
    field("choice", "Municipality", select);
    var inputs = spec.inputs.map(function (inp) {
      return field(inp.name, inp.label, el("input", {type: "number", name: inp.name, min: inp.min,
        max: inp.max, step: inp.step, value: inp.default, inputmode: "decimal"}));
    });
    var th = spec.threshold;
    var threshold = field("threshold", "Threshold T (" + spec.unit + ")", el("input", {
      type: "number", name: "threshold", min: th.min, max: th.max, step: th.step,
      value: th.default, inputmode: "decimal"}));
    var heading = el("p", {"class": "explorer-title"}, spec.title);
    var result = el("p", {"class": "explorer-result", "aria-live": "polite"});
    var warn = el("p", {"class": "explorer-warning", hidden: ""});
    var box = el("div", {"class": "explorer-plot-box"});
    var src = el("p", {"class": "explorer-source"});
    src.appendChild(document.createTextNode(thousands(spec.n_draws) + " of " + thousands(spec.thinned_from) +
      " posterior draws; the page evaluates the chapter's predictive formula on them (no model " +
      "is re-fitted), so a probability carries a Monte Carlo error of up to \u00b1" +
      (0.5 / Math.sqrt(spec.n_draws)).toFixed(3) + " (one SE). "));
    src.appendChild(el("a", {href: spec.chapter + "-explorer.json", download: ""}, "Download the draws (JSON)"));
    root.insertBefore(src, root.firstChild);
    root.insertBefore(box, src);
    root.insertBefore(warn, box);
    root.insertBefore(result, warn);
    root.insertBefore(form, result);
    root.insertBefore(heading, form);

    function update() {
      var choice = spec.choices[select.selectedIndex], values = {}, bad = null;
      spec.inputs.forEach(function (inp, k) {
        var v = parseFloat(String(inputs[k].value).replace(",", "."));
        if (!isFinite(v) || v < inp.min || v > inp.max) bad = inp.label + ": enter a number from " + inp.min + " to " + inp.max;
        values[inp.name] = v;
      });
      var t = parseFloat(String(threshold.value).replace(",", "."));
      if (!isFinite(t) || t < th.min || t > th.max) bad = "Threshold: enter a number from " + th.min + " to " + th.max;
      if (bad) { result.textContent = bad; result.removeAttribute("data-probability"); return; }
      var mo = moments(spec, choice, values), p = probability(mo, t), mix = mixture(mo);
      var m = mo.mean.reduce(function (a, b) { return a + b; }, 0) / mo.mean.length;
      var lo = quantile(mo, mo.spread, 0.03), hi = quantile(mo, mo.spread, 0.97);
      var where = spec.inputs.map(function (inp) { return inp.label + " = " + values[inp.name]; }).join(", ");
      result.textContent = choice.label + (where ? ", " + where : "") + ": expected effect " +
        fmt(m, 3) + " " + spec.unit + " (94 % interval " + fmt(lo, 3) + " to " + fmt(hi, 3) +
        "); probability that the effect exceeds " + fmt(t, 3) + ": " + words(p) + ".";
      result.setAttribute("data-probability", String(p));
      result.setAttribute("data-choice", choice.id);
      result.setAttribute("data-threshold", String(t));
      result.setAttribute("data-inputs", JSON.stringify(values));
      var outside = spec.inputs.filter(function (inp) {
        return values[inp.name] < inp.fitted_low || values[inp.name] > inp.fitted_high;
      });
      if (outside.length) {
        warn.textContent = "Outside the range of the fitted data (" + outside.map(function (inp) {
          return inp.label + " " + inp.fitted_low.toFixed(0) + " to " + inp.fitted_high.toFixed(0);
        }).join("; ") + "): this is an extrapolation of the model.";
        warn.hidden = false;
      } else { warn.hidden = true; }
      plot(box, mix, t, spec.unit, "Predictive density of the effect; P(effect > " + fmt(t, 3) + ") = " + words(p));
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    if (window.ResizeObserver) {
      var lastWidth = 0;
      new ResizeObserver(function () {
        if (Math.abs(box.clientWidth - lastWidth) > 20) { lastWidth = box.clientWidth; update(); }
      }).observe(box);
    }
    update();
    root.classList.add("explorer-ready");
  }

  function init() {
    var roots = document.querySelectorAll(".posterior-explorer");
    for (var i = 0; i < roots.length; i++) build(roots[i], i);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
