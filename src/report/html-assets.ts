/**
 * The inline stylesheet and script of the HTML report. Plain CSS and browser JavaScript as strings;
 * html.ts hashes them for the Content-Security-Policy. The script reads the embedded JSON and
 * inserts every string with textContent (never innerHTML), its controls, bidi and zero-width
 * characters written as escapes the way the other renderers write them (escape.ts `visible`, whose
 * character class the script is built with); layout goes through the CSSOM, which the policy
 * allows, so no inline style attributes are needed.
 */
import { UNSAFE_SOURCE } from './escape.js';

export const HTML_CSS = `
:root{--bg:#fff;--fg:#1d2329;--muted:#66707a;--line:#e3e6ea;--row:#f7f8fa;--stall:#d62d20;--slow:#c98a00;--ok:#2a9d5c;
--dns:#1f9bb4;--connect:#f08c2e;--proxy-connect:#8e5bd6;--tls:#b04fc2;--proxy-response:#3aa35c;--transfer:#3276d8;
--cache-lock:#8b5a2b;--git-prompt:#d6407f;--not-found:#8a939c;--checksum-db:#2f8f8f;--toolchain:#6a6fd1;--unknown:#999}
*{box-sizing:border-box}
body{margin:0;font:13px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:16px 20px;border-bottom:1px solid var(--line)}
h1{font-size:15px;margin:0 0 6px;font-weight:600;color:var(--muted)}
#verdict{font-size:18px;font-weight:600;margin:0 0 6px;overflow-wrap:anywhere}
#verdict .badge{display:inline-block;padding:1px 8px;border-radius:4px;color:#fff;margin-right:8px;font-size:14px;vertical-align:2px}
.state-stalled .badge,.state-failed .badge{background:var(--stall)}.state-slow .badge{background:var(--slow)}.state-ok .badge{background:var(--ok)}
#facts{color:var(--muted);margin:0 0 8px;overflow-wrap:anywhere}
#hints{margin:6px 0 0;padding-left:20px}#hints li{margin:2px 0;overflow-wrap:anywhere}
#evidence{margin:6px 0 0;padding-left:20px;color:var(--muted);font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
#evidence li{overflow-wrap:anywhere;max-height:4.5em;overflow:hidden}
#environment{margin:8px 0 0;padding:0}
#environment h2{font-size:13px;margin:0;padding:0}
#environment ul{margin:2px 0 0;padding-left:20px;color:var(--muted);font-size:12px}
#environment li{overflow-wrap:anywhere}
#environment code{font-family:ui-monospace,Menlo,Consolas,monospace;color:var(--fg)}
.toolbar{display:flex;gap:12px;align-items:center;padding:8px 20px;border-bottom:1px solid var(--line);flex-wrap:wrap}
.toolbar input[type=search]{width:320px;max-width:60vw;padding:4px 8px;border:1px solid #c9ced4;border-radius:4px;font:inherit}
.legend{display:flex;gap:10px;flex-wrap:wrap;color:var(--muted)}.legend span{display:inline-flex;align-items:center;gap:4px}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px}
#wf{position:relative;border-bottom:1px solid var(--line)}
#axis{position:relative;height:22px;margin-left:var(--label-w);border-bottom:1px solid var(--line);font-size:11px;color:var(--muted)}
#axis .tick{position:absolute;top:4px;border-left:1px solid var(--line);padding-left:3px;white-space:nowrap;height:18px}
#wf-body{position:relative;height:min(60vh,640px);overflow:auto}
#wf-inner{position:relative;min-width:100%}
.row{position:absolute;left:0;right:0;height:22px;display:flex;align-items:center;cursor:pointer;border-bottom:1px solid #f0f1f3}
.row:hover{background:var(--row)}.row.sel{background:#eaf2ff}
.row.verdict{background:#fff1f0}.row.verdict .label{font-weight:600;color:var(--stall)}
.label{width:var(--label-w);flex:none;padding:0 8px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.track{position:relative;flex:1;height:100%}
.bar{position:absolute;top:5px;height:12px;min-width:2px;border-radius:2px;opacity:.9}
.bar.s-stalled{background-image:repeating-linear-gradient(135deg,rgba(255,255,255,.45) 0 4px,transparent 4px 8px);outline:2px solid var(--stall)}
.bar.s-failed{outline:2px solid var(--stall)}
.bar.s-slow{outline:1px solid var(--slow)}
.waited{position:absolute;top:3px;font-size:11px;font-weight:600;color:var(--stall);white-space:nowrap;pointer-events:none}
.waited.inside{color:#fff;text-shadow:0 0 2px #000}
#tip{position:fixed;display:none;max-width:480px;background:#1d2329;color:#fff;padding:6px 8px;border-radius:4px;font-size:12px;pointer-events:none;z-index:10;overflow-wrap:anywhere;white-space:pre-wrap}
#detail{padding:10px 20px;border-bottom:1px solid var(--line);display:none}
#detail pre{background:var(--row);padding:8px;max-height:320px;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px}
section{padding:10px 20px}
h2{font-size:14px;margin:8px 0}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
td.wrap{white-space:normal;overflow-wrap:anywhere;max-height:6em}
th{color:var(--muted);font-weight:600}
tr.st-stalled td,tr.st-failed td{color:var(--stall)}
.more{color:var(--muted);margin:4px 0}
footer{padding:10px 20px;color:var(--muted);font-size:12px}
`;

export const HTML_JS = `
(function () {
  'use strict';
  var raw = document.getElementById('gomod-trace-data');
  var data = JSON.parse(raw.textContent);
  var report = data.report;
  var rows = data.rows;
  // The words around the data, in the report's language (html.ts pageLabels).
  var L = data.labels;
  function stg(x) { return L.stages[x] || x; }
  function sta(x) { return L.states[x] || x; }
  var STAGES = ['dns','connect','proxy-connect','tls','proxy-response','transfer','cache-lock','git-prompt','not-found','checksum-db','toolchain','unknown'];
  var LABEL_W = 300;
  document.documentElement.style.setProperty('--label-w', LABEL_W + 'px');
  function $(id) { return document.getElementById(id); }
  // escape.ts's visible(): \\xNN up to U+00FF, \\u{NNNN} above, so no capture string can reorder or hide text.
  var UNSAFE = /${UNSAFE_SOURCE}/g;
  function vis(s) {
    return String(s).replace(UNSAFE, function (c) {
      var n = c.charCodeAt(0);
      return n <= 0xff ? '\\\\x' + n.toString(16).padStart(2, '0') : '\\\\u{' + n.toString(16) + '}';
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = vis(text);
    return e;
  }
  function cut(s, n) { s = String(s == null ? '' : s); return s.length > n ? s.slice(0, n - 1) + '\\u2026' : s; }
  function human(s) {
    if (s === null || s === undefined || !isFinite(s)) return '-';
    s = Math.max(0, s);
    if (s < 0.0009995) return Math.round(s * 1e6) + '\\u00b5s';
    if (s < 1) return Math.round(s * 1000) + 'ms';
    if (s < 10) return s.toFixed(2) + 's';
    if (s < 120) return s.toFixed(1) + 's';
    var m = Math.floor(s / 60); return m + 'm' + String(Math.round(s - m * 60)).padStart(2, '0') + 's';
  }
  // hints.ts's clockTime(): a time on the report's clock, signed, to the millisecond (rounded before the sign is chosen).
  function rel(x) {
    if (x === null || x === undefined) return '-';
    var ms = Math.round(x * 1000);
    return (ms < 0 ? '-' : '+') + (Math.abs(ms) / 1000).toFixed(3);
  }
  function color(stage) { return 'var(--' + (STAGES.indexOf(stage) >= 0 ? stage : 'unknown') + ')'; }

  // ---- verdict and hints
  var v = report.verdict;
  var vEl = $('verdict');
  vEl.className = 'state-' + v.state;
  vEl.appendChild(el('span', 'badge', v.stage === 'none' || v.stage === 'unknown' ? sta(v.state) : sta(v.state) + ' \\u00b7 ' + stg(v.stage)));
  vEl.appendChild(el('span', 'text', cut(v.summary, 2000)));
  var facts = [];
  if (v.host) facts.push(L.host + ' ' + cut(v.host, 300));
  if (v.address) facts.push(L.address + ' ' + cut(v.address, 100));
  if (v.path) facts.push(L.path + ' ' + cut(v.path, 500));
  if (v.since !== null) facts.push(L.since + ' ' + rel(v.since) + 's');
  if (v.waited !== null) facts.push(L.waited + ' ' + human(v.waited));
  facts.push(L.confidence + ' ' + v.confidence);
  $('facts').textContent = vis(facts.join(' \\u00b7 '));
  (v.hints || []).forEach(function (h) { $('hints').appendChild(el('li', null, cut(h, 2000))); });
  (v.evidence || []).slice(0, 12).forEach(function (e) { $('evidence').appendChild(el('li', null, e.source + ' ' + cut(e.ref, 60) + ': ' + cut(e.text, 600))); });

  // ---- legend
  var legend = $('legend');
  STAGES.forEach(function (s) {
    if (!rows.some(function (r) { return r.stages.some(function (x) { return x.stage === s; }); })) return;
    var item = el('span'); var sw = el('i', 'sw'); sw.style.background = color(s); item.appendChild(sw); item.appendChild(document.createTextNode(stg(s))); legend.appendChild(item);
  });

  // ---- waterfall (virtualised: only the rows in view exist in the DOM)
  var t0 = data.start, t1 = Math.max(data.end, data.start + 0.001);
  var spanS = t1 - t0;
  var ROW_H = 22;
  var body = $('wf-body'), inner = $('wf-inner'), tip = $('tip');
  var filtered = rows;
  var selected = null;
  function pct(t) { return ((t - t0) / spanS * 100); }
  function drawAxis() {
    var axis = $('axis'); axis.textContent = '';
    var steps = [0.001,0.002,0.005,0.01,0.02,0.05,0.1,0.2,0.5,1,2,5,10,15,30,60,120,300,600,1800,3600];
    var step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) { if (spanS / steps[i] <= 10) { step = steps[i]; break; } }
    for (var t = Math.ceil(t0 / step) * step; t <= t1 + 1e-9; t += step) {
      var tick = el('div', 'tick', (t >= 0 ? '+' : '') + human(Math.abs(t)).replace(/^/, t < 0 ? '-' : ''));
      tick.style.left = pct(t) + '%'; axis.appendChild(tick);
    }
  }
  function rowText(r) {
    // What the row shows, escaped as shown, so that the filter finds what the reader sees.
    return vis(r.id + ' ' + r.kind + ' ' + r.label + ' ' + (r.address || '') + ' ' + r.state + ' ' + r.detail + ' ' +
      r.stages.map(function (s) { return s.stage + ' ' + s.state + (L.stages[s.stage] ? ' ' + stg(s.stage) + ' ' + sta(s.state) : ''); }).join(' ')).toLowerCase();
  }
  var texts = rows.map(rowText);
  function applyFilter() {
    var q = $('filter').value.trim().toLowerCase();
    var onlyBad = $('only-bad').checked;
    filtered = rows.filter(function (r, i) {
      if (onlyBad && r.state === 'ok') return false;
      return !q || q.split(/\\s+/).every(function (w) { return texts[i].indexOf(w) >= 0; });
    });
    $('count').textContent = filtered.length + ' / ' + rows.length + ' ' + L.rows;
    inner.style.height = (filtered.length * ROW_H) + 'px';
    body.style.height = Math.max(3 * ROW_H, Math.min(640, window.innerHeight * 0.6, filtered.length * ROW_H + 4)) + 'px';
    body.scrollTop = 0;
    draw();
  }
  function bar(track, s) {
    var b = el('div', 'bar s-' + s.state);
    var end = s.end === null ? s.start + s.seconds : s.end;
    b.style.left = pct(s.start) + '%';
    b.style.width = Math.max(0.15, pct(end) - pct(s.start)) + '%';
    b.style.background = color(s.stage);
    b.addEventListener('mousemove', function (ev) {
      tip.textContent = [stg(s.stage) + ' \\u2014 ' + sta(s.state) + ' \\u2014 ' + human(s.seconds), cut(s.detail, 600)]
        .concat(s.frame !== null ? [L.frame + ' ' + s.frame] : []).map(vis).join('\\n');
      tip.style.display = 'block';
      tip.style.left = Math.min(ev.clientX + 12, window.innerWidth - 490) + 'px';
      tip.style.top = (ev.clientY + 14) + 'px';
    });
    b.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
    track.appendChild(b);
    if (s.state === 'stalled' || s.state === 'failed') {
      var w = el('span', 'waited', (s.state === 'stalled' ? L.waitedFor : L.failedAfter) + human(s.seconds));
      var right = pct(end);
      if (right <= 85) { w.style.left = (right + 0.5) + '%'; }
      else if (pct(s.start) >= 15) { w.style.right = (100 - pct(s.start) + 0.5) + '%'; }
      else { w.className = 'waited inside'; w.style.left = (Math.max(0, pct(s.start)) + 0.5) + '%'; }
      track.appendChild(w);
    }
  }
  function draw() {
    var top = body.scrollTop, h = body.clientHeight || 600;
    var first = Math.max(0, Math.floor(top / ROW_H) - 10);
    var last = Math.min(filtered.length, Math.ceil((top + h) / ROW_H) + 10);
    inner.textContent = '';
    for (var i = first; i < last; i++) {
      var r = filtered[i];
      var row = el('div', 'row' + (r.verdict ? ' verdict' : '') + (selected === r ? ' sel' : ''));
      row.style.top = (i * ROW_H) + 'px';
      var label = el('div', 'label', cut(r.label, 300) + (r.address && r.kind === 'connection' && r.address !== r.label ? '  ' + r.address : ''));
      label.title = vis(cut(r.label, 2000));
      row.appendChild(label);
      var track = el('div', 'track');
      r.stages.forEach(function (s) { bar(track, s); });
      row.appendChild(track);
      (function (rr) { row.addEventListener('click', function () { select(rr); }); })(r);
      inner.appendChild(row);
    }
  }
  function recordFor(r) {
    if (r.kind === 'connection') return report.connections.find(function (c) { return c.uid === r.id; });
    if (r.kind === 'dns') return report.dns.filter(function (d) { return d.name.toLowerCase().replace(/\\.$/, '') === r.label; });
    if (r.kind === 'syscall') return report.syscalls.find(function (s) { return 'L' + s.line === r.id; });
    if (r.kind === 'fetch') return report.fetches.find(function (f) { return 'G' + f.line === r.id; });
    return null;
  }
  function select(r) {
    selected = r;
    var d = $('detail'); d.textContent = '';
    d.style.display = 'block';
    d.appendChild(el('h2', null, r.id + ' \\u2014 ' + cut(r.label, 500) + (r.address ? ' (' + r.address + ')' : '')));
    var ul = el('ul');
    r.stages.forEach(function (s) { ul.appendChild(el('li', null, stg(s.stage) + ': ' + sta(s.state) + ', ' + human(s.seconds) + ' \\u2014 ' + cut(s.detail, 800))); });
    d.appendChild(ul);
    if (r.verdict) {
      d.appendChild(el('p', null, L.evidence));
      var ev = el('ul');
      (v.evidence || []).forEach(function (e) { ev.appendChild(el('li', null, e.source + ' ' + e.ref + ': ' + cut(e.text, 1000))); });
      d.appendChild(ev);
    }
    var pre = el('pre');
    var rec = recordFor(r);
    var json = JSON.stringify(rec, null, 2) || '';
    // Line by line: the pretty-printing's newlines stay, a string's own are already \\n in the JSON.
    pre.textContent = (json.length > 200000 ? json.slice(0, 200000) + '\\n\\u2026' : json).split('\\n').map(vis).join('\\n');
    d.appendChild(pre);
    draw();
  }
  body.addEventListener('scroll', function () { tip.style.display = 'none'; draw(); });
  window.addEventListener('resize', draw);
  $('filter').addEventListener('input', applyFilter);
  $('only-bad').addEventListener('change', applyFilter);
  $('goto').addEventListener('click', function () {
    var i = filtered.findIndex(function (r) { return r.verdict; });
    if (i >= 0) { body.scrollTop = Math.max(0, i * ROW_H - 60); select(filtered[i]); }
  });
  drawAxis();
  applyFilter();

  // ---- tables
  var LIMIT = 1000;
  function table(id, head, items, cells, stateOf) {
    var host = $(id);
    if (!items.length) { host.parentNode.style.display = 'none'; return; }
    var t = el('table'); var tr = el('tr');
    head.forEach(function (h) { tr.appendChild(el('th', null, h)); });
    var thead = el('thead'); thead.appendChild(tr); t.appendChild(thead);
    var tb = el('tbody');
    items.slice(0, LIMIT).forEach(function (it) {
      var row = el('tr', stateOf ? 'st-' + stateOf(it) : null);
      var cs = cells(it);
      cs.forEach(function (c, i) { var td = el('td', i === cs.length - 1 ? 'wrap' : null, cut(c, 1000)); td.title = vis(cut(c, 4000)); row.appendChild(td); });
      tb.appendChild(row);
    });
    t.appendChild(tb); host.appendChild(t);
    if (items.length > LIMIT) host.appendChild(el('p', 'more', (items.length - LIMIT) + ' ' + L.moreRows));
  }
  function num(x, d) { return x === null || x === undefined ? '-' : (typeof x === 'number' ? x.toFixed(d === undefined ? 3 : d) : String(x)); }
  table('t-findings', L.heads.findings, report.findings,
    function (f) { return [sta(f.state), stg(f.stage), f.host || '', f.address || '', human(f.waited), String(f.confidence), f.summary]; }, function (f) { return f.state; });
  table('t-conns', L.heads.conns, report.connections,
    function (c) { return [c.uid, c.client, c.server, c.state, c.history, c.bytes.client + ' / ' + c.bytes.server,
      (c.proxyConnect ? 'CONNECT ' + c.proxyConnect.target + ' ' : '') + (c.tls && c.tls.sni ? c.tls.sni : ''), rel(c.firstPacket)]; });
  table('t-dns', L.heads.dns, report.dns,
    function (d) { return [d.name, d.type, d.server, String(d.queries.length), d.response === null ? L.noAnswer : human(d.response - d.queries[0]), d.rcode || '-', d.answers.join(' ')]; },
    function (d) { return d.response === null ? 'stalled' : (d.rcode && d.rcode !== 'NOERROR' ? 'failed' : 'ok'); });
  table('t-sys', L.heads.sys, report.syscalls,
    function (s) { return [String(s.pid), s.command || '', s.name, rel(s.start), s.duration === null ? L.unfinished : human(s.duration), s.kind, (s.path || '') + ' ' + s.text]; },
    function (s) { return s.duration === null ? 'stalled' : 'ok'; });
  table('t-fetch', L.heads.fetch, report.fetches,
    function (f) { return [String(f.line), rel(f.start), f.status === null ? (f.error ? L.error : L.none) : String(f.status), num(f.seconds), f.url + (f.error ? ' \\u2014 ' + f.error : '')]; },
    function (f) { return f.error || (f.status !== null && f.status >= 400) ? 'failed' : f.end === null ? 'stalled' : 'ok'; });
  $('foot').textContent = vis(report.generator + ' \\u00b7 t0 ' + new Date(report.t0 * 1000).toISOString() + ' \\u00b7 ' +
    report.inputs.map(function (i) { return i.kind + ' ' + cut(i.file, 120); }).join(' \\u00b7 '));
  document.body.setAttribute('data-ready', '1');
})();
`;
