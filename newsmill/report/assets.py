"""The report page's own style and scripts, written into every report (nothing is fetched).

``ERROR_SCRIPT`` goes first in the head: it records any script error in the page's
``data-errors`` attribute. ``PAGE_SCRIPT`` goes last in the body: tooltips on hover, legend
buttons that hide and show a series, and the checks it writes into the page (each chart's
``data-drawn``: how many of its marks have a size on screen; ``data-ready`` once it has run;
``data-resources``: how many resources the page loaded, which should be none). Opened as
``report.html#selftest`` it also hovers and toggles each chart itself and writes the outcome
into ``data-selftest``.
"""

from __future__ import annotations

#: Only inline style and scripts, and images from data: URLs; nothing from anywhere else.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; "
                           "script-src 'unsafe-inline'; img-src data:")

STYLE = """
:root { color-scheme: light; --ink: #1d232a; --muted: #5b6670; --rule: #d9dee3;
        --panel: #ffffff; --page: #f4f5f7; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--page);
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
             sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 22px 20px 40px; }
h1 { font-size: 25px; margin: 0 0 4px; }
.scope { color: var(--muted); margin: 0; }
nav { margin-top: 6px; font-size: 13.5px; color: var(--muted); }
section { background: var(--panel); border: 1px solid var(--rule); border-radius: 8px;
          padding: 14px 20px 16px; margin-top: 16px; break-inside: avoid; }
h2 { font-size: 18px; margin: 0 0 2px; }
.what { color: var(--muted); margin: 0 0 10px; font-size: 13.5px; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 22px;
        align-items: start; }
@media (max-width: 900px) { .pair { grid-template-columns: 1fr; } }
figure { margin: 0; }
svg { width: 100%; height: auto; display: block; }
svg .grid { stroke: #e6e9ec; }
svg .axis { stroke: #8a949c; }
svg .tick, svg .unit { fill: var(--muted); font-size: 11px; }
svg .label { fill: var(--ink); }
svg .total { fill: var(--ink); font-size: 11px; }
svg .line { fill: none; stroke-width: 2; }
svg .mark { cursor: default; }
svg .mark:hover { opacity: 0.75; }
svg .off { display: none; }
.legend { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.key { font: inherit; font-size: 13px; color: var(--ink); display: inline-flex;
       align-items: center; gap: 6px; border: 1px solid var(--rule); background: #fff;
       border-radius: 14px; padding: 2px 10px; cursor: pointer; }
.key[aria-pressed="false"] { opacity: 0.45; text-decoration: line-through; }
.swatch { width: 11px; height: 11px; border-radius: 2px; display: inline-block;
          -webkit-print-color-adjust: exact; print-color-adjust: exact; }
svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--rule);
         vertical-align: top; }
th { font-weight: 600; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td a { overflow-wrap: anywhere; }
.small { color: var(--muted); font-size: 12px; }
.empty { color: var(--muted); font-style: italic; margin: 14px 0 4px; }
a { color: #0b5cad; }
#tip { position: fixed; pointer-events: none; background: #1d232a; color: #fff;
       padding: 4px 8px; border-radius: 4px; font-size: 12.5px; max-width: 340px; z-index: 10; }
#tip[hidden] { display: none; }
footer { color: var(--muted); font-size: 12.5px; margin-top: 16px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  section { border: none; border-top: 1px solid var(--rule); border-radius: 0; padding: 8pt 0 0; }
  .key { border: none; padding: 0 6px 0 0; }
  #tip, nav { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""

ERROR_SCRIPT = """
window.onerror = function (message, source, line) {
  var root = document.documentElement;
  var before = root.getAttribute('data-errors');
  var text = message + ' (line ' + line + ')';
  root.setAttribute('data-errors', before ? before + ' | ' + text : text);
};
"""

PAGE_SCRIPT = """
(function () {
  'use strict';
  var root = document.documentElement;
  var tip = document.getElementById('tip');
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function show(target, x, y) {
    tip.textContent = target.getAttribute('data-tip');
    tip.hidden = false;
    var left = Math.min(x + 14, window.innerWidth - tip.offsetWidth - 6);
    var top = y - tip.offsetHeight - 12;
    if (top < 4) { top = y + 18; }
    tip.style.left = Math.max(4, left) + 'px';
    tip.style.top = top + 'px';
  }
  function hide() { tip.hidden = true; }
  document.addEventListener('mouseover', function (event) {
    var target = event.target && event.target.closest ? event.target.closest('[data-tip]') : null;
    if (target) { show(target, event.clientX, event.clientY); } else { hide(); }
  });
  window.addEventListener('scroll', hide, { passive: true });

  function toggle(figure, key) {
    var on = key.getAttribute('aria-pressed') !== 'true';
    key.setAttribute('aria-pressed', on ? 'true' : 'false');
    var series = key.getAttribute('data-series');
    each(figure.querySelectorAll('svg [data-series="' + series + '"]'), function (element) {
      element.classList.toggle('off', !on);
    });
  }

  each(document.querySelectorAll('figure.chart'), function (figure) {
    each(figure.querySelectorAll('button.key'), function (key) {
      key.addEventListener('click', function () { toggle(figure, key); });
    });
    var drawn = 0;
    each(figure.querySelectorAll('svg .mark'), function (mark) {
      var box = mark.getBBox();
      if (box.width > 0 && box.height > 0) { drawn += 1; }
    });
    figure.setAttribute('data-drawn', String(drawn));
  });

  function selftest() {
    var results = [];
    each(document.querySelectorAll('figure.chart'), function (figure) {
      var mark = figure.querySelector('svg .mark');
      if (!mark) { results.push(figure.id + ':no-marks'); return; }
      var box = mark.getBoundingClientRect();
      mark.dispatchEvent(new MouseEvent('mouseover', {
        bubbles: true, clientX: box.left + 1, clientY: box.top + 1 }));
      var tipped = !tip.hidden && tip.textContent === mark.getAttribute('data-tip');
      hide();
      var toggled = true;
      var key = figure.querySelector('button.key');
      if (key) {
        var series = key.getAttribute('data-series');
        var first = figure.querySelector('svg .mark[data-series="' + series + '"]');
        key.click();
        var gone = first !== null && getComputedStyle(first).display === 'none';
        key.click();
        var back = first !== null && getComputedStyle(first).display !== 'none';
        toggled = gone && back && key.getAttribute('aria-pressed') === 'true';
      }
      results.push(figure.id + ':' + (tipped ? 'tip' : 'no-tip') + ',' +
                   (toggled ? 'toggle' : 'no-toggle'));
    });
    root.setAttribute('data-selftest', results.join(' '));
  }

  var loaded = window.performance && performance.getEntriesByType ?
    performance.getEntriesByType('resource').length : 0;
  root.setAttribute('data-resources', String(loaded));
  if (window.location.hash === '#selftest') { selftest(); }
  root.setAttribute('data-ready', 'true');
})();
"""
