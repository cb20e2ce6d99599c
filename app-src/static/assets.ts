/**
 * The site's stylesheet and its one small script, as strings: the esbuild bundle that runs on the
 * instances then carries them with no files to copy. Served with a content hash in the URL.
 */
import { createHash } from 'node:crypto';
import { SITE_USER_CSS } from './site-user-css';

export const CSS = `
:root { --ink:#1d2330; --muted:#5b6475; --line:#dde2ea; --bg:#f5f7fa; --card:#fff; --accent:#2d5bd7; --warn:#fff4d6; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink); background:var(--bg); }
a { color:var(--accent); }
header.banner { background:#1d2330; color:#fff; padding:.75rem 1.25rem; display:flex; gap:1rem; align-items:baseline; flex-wrap:wrap; }
header.banner a { color:#fff; text-decoration:none; font-weight:700; font-size:1.25rem; }
header.banner span { color:#b9c2d3; }
main { padding:1rem 1.25rem; max-width:1400px; margin:0 auto; }
h1 { font-size:1.5rem; margin:.25rem 0 1rem; } h2 { font-size:1.15rem; margin:0 0 .5rem; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:1rem; margin-bottom:1rem; }
/* Skip link: off screen until focused (the first Tab stop on every page). */
.skip-link { position:absolute; left:.5rem; top:-3rem; z-index:10; background:#fff; color:var(--ink); padding:.5rem .75rem; border-radius:4px; font-weight:700; }
.skip-link:focus { top:.5rem; }
main:focus { outline:none; }
/* A page's heading and its buttons on one line. User page: name and Prev/Next, the controls as one toolbar, then the rows; the user's details after them. */
.page-head { display:flex; flex-wrap:wrap; gap:.5rem 1rem; align-items:center; justify-content:space-between; margin-bottom:.75rem; }
.page-head h1 { margin:0; } .page-head form { margin:0; }
.user-nav { display:flex; gap:.4rem; flex-wrap:wrap; } .user-nav form { margin:0; }
.toolbar { display:flex; flex-wrap:wrap; gap:.5rem .9rem; align-items:flex-end; background:var(--card); border:1px solid var(--line); border-radius:8px; padding:.5rem .75rem .6rem; margin-bottom:1rem; }
/* The toolbar's forms lay out their fields as the toolbar's own items: two to a line on a phone. */
.toolbar form { display:contents; }
.toolbar .field { flex:1 1 9.5rem; min-width:0; max-width:17rem; }
.toolbar p { flex-basis:100%; }
.toolbar label { font-size:.8rem; margin:0 0 .15rem; color:var(--muted); }
.toolbar .inline-label { font-size:.95rem; color:var(--ink); display:flex; gap:.35rem; align-items:center; padding:.4rem 0; flex:1 1 9rem; max-width:13rem; }
.toolbar .muted { margin:0; font-size:.85rem; }
/* The Show button: always there without the script; with it, only once a keyboard change waits to be shown. */
.js form[data-autosubmit]:not([data-changed]) .show-button { display:none; }
.base-note { margin:-.25rem 0 .75rem; }
.user-layout { display:grid; grid-template-columns:minmax(0, 1fr) 260px; gap:1rem; align-items:start; }
.user-layout > * { min-width:0; }
@media (max-width: 900px) { .user-layout { grid-template-columns:minmax(0, 1fr); } }
@media (max-width: 900px) and (min-width: 561px) { .user-side { display:grid; grid-template-columns:1fr 1fr; gap:1rem; } }
.user-side .card { padding:.75rem; } .user-side table { font-size:.9rem; }
/* Front page: start here, then the models, then the data and the guide. */
.start { display:flex; flex-wrap:wrap; gap:.5rem 1rem; align-items:center; margin-bottom:1rem; } .start p { margin:0; } .start form { margin:0; }
.front-side { display:grid; grid-template-columns:minmax(240px, 1fr) 2fr; gap:1rem; align-items:start; }
.front-side > *, .metrics-body > * { min-width:0; }
@media (max-width: 760px) { .front-side { grid-template-columns:minmax(0, 1fr); } }
.metrics-body { display:grid; grid-template-columns:minmax(0, 3fr) minmax(14rem, 2fr); gap:1rem 1.5rem; align-items:start; margin-top:1rem; }
@media (max-width: 760px) { .metrics-body { grid-template-columns:minmax(0, 1fr); } }
/* The metrics chart: HTML rows of bars (the bars are tiny SVGs), so its text stays at text size on a phone. */
.bars { margin:0; } .bars-title { font-size:1rem; font-weight:600; margin:0 0 .4rem; }
.bars-model { margin:0 0 .6rem; } .bars-name { font-weight:600; font-size:.9rem; overflow-wrap:anywhere; }
.bar { display:grid; grid-template-columns:6.5rem minmax(0, 1fr) 3.2rem; gap:.4rem; align-items:center; font-size:.8rem; }
.bar svg { width:100%; height:.7rem; display:block; background:#eef1f6; border-radius:2px; }
.bar .value { text-align:right; font-variant-numeric:tabular-nums; }
.metric-notes { margin:0; font-size:.9rem; } .metric-notes dt { font-weight:700; } .metric-notes dd { margin:0 0 .45rem; color:var(--muted); }
/* Without the script the metrics table scrolls sideways on a phone (the note says so), its names column in view. */
.scroll-note { display:none; font-size:.85rem; }
.scroll-x th:first-child, .scroll-x td:first-child { position:sticky; left:0; background:var(--card); z-index:1; }
@media (max-width: 700px) {
  html:not(.js) .scroll-note { display:block; }
  html:not(.js) .scroll-x th, html:not(.js) .scroll-x td { white-space:nowrap; }
  html:not(.js) .scroll-x th:first-child, html:not(.js) .scroll-x td:first-child { white-space:normal; min-width:8.5rem; max-width:11rem; box-shadow:1px 0 0 var(--line); }
}
/* Pipeline timeline: one step per phase, done / current / pending / failed. */
.timeline { list-style:none; margin:.75rem 0 .25rem; padding:0; display:grid; grid-template-columns:repeat(auto-fit, minmax(10rem, 1fr)); gap:.5rem; }
.timeline li { position:relative; padding:.5rem .6rem .5rem 2rem; background:#fff; border:1px solid #ecd8a0; border-radius:6px; font-size:.9rem; }
.timeline li::before { position:absolute; left:.55rem; top:.5rem; width:1.05rem; height:1.05rem; line-height:1.05rem; text-align:center; border-radius:50%; font-size:.75rem; font-weight:700; }
.timeline .step-name { display:block; font-weight:700; } .timeline .step-state { display:block; color:var(--muted); }
.timeline li[data-state=done]::before { content:"✓"; background:#1f8a4c; color:#fff; }
.timeline li[data-state=current] { border-color:var(--accent); box-shadow:0 0 0 1px var(--accent); }
.timeline li[data-state=current]::before { content:"…"; background:var(--accent); color:#fff; }
.timeline li[data-state=pending] { color:var(--muted); }
.timeline li[data-state=pending]::before { content:""; border:2px solid #b8c0cc; }
.timeline li[data-state=failed] { border-color:#d33; }
.timeline li[data-state=failed]::before { content:"✕"; background:#d33; color:#fff; }
/*
 * Narrow screens: tables marked .stack become one card per row: the first cell its title, the others
 * labelled from data-label (written by the server; for .stack-js tables, copied from the header by the script).
 */
@media (max-width: 700px) {
  table.stack thead, .js table.stack-js thead { position:absolute; left:-9999px; }
  table.stack tr, .js table.stack-js tr { display:block; border:1px solid var(--line); border-radius:6px; padding:.4rem .6rem; margin-bottom:.6rem; }
  table.stack td, .js table.stack-js td { display:grid; grid-template-columns:8.5rem minmax(0, 1fr); gap:.5rem; border:0; padding:.15rem 0; text-align:left; position:static; }
  table.stack td::before, .js table.stack-js td::before { content:attr(data-label); font-weight:600; color:var(--muted); }
  table.stack td:first-child, .js table.stack-js td:first-child { display:block; font-weight:700; padding-bottom:.25rem; }
  table.stack td:first-child::before, .js table.stack-js td:first-child::before, table.stack td.buttons::before { content:none; }
  table.stack td.buttons { display:flex; }
}
/* Long words (an ARN, a bad value repeated in an error) wrap instead of widening the page. */
code, .error, .notice, .unavailable { overflow-wrap:anywhere; }
@media (max-width: 560px) {
  main { padding:.75rem; }
  header.banner { padding:.6rem .75rem; }
  /* The tagline gives way on a phone: the first screen is for the page. */
  header.banner > span { display:none; }
  h1 { font-size:1.3rem; }
  .card { padding:.75rem; }
  /* Two toolbar fields to a line: Mode and Genre, then Model 1 and Model 2. */
  .toolbar .field { max-width:calc(50% - .45rem); }
}
label { display:block; font-weight:600; margin:.5rem 0 .2rem; }
select, input[type=text], input[type=password], input[type=number] { width:100%; padding:.4rem; font:inherit; border:1px solid #b8c0cc; border-radius:4px; background:#fff; }
button, .button { display:inline-block; padding:.45rem .8rem; font:inherit; border:1px solid var(--accent); background:var(--accent); color:#fff; border-radius:4px; cursor:pointer; text-decoration:none; }
button.secondary, .button.secondary { background:#fff; color:var(--accent); }
button:focus-visible, a:focus-visible, select:focus-visible, input:focus-visible { outline:3px solid #f0b429; outline-offset:2px; }
.buttons { display:flex; gap:.5rem; flex-wrap:wrap; margin-top:.5rem; } .buttons form { margin:0; }
/* A table row's buttons: side by side in their cell. */
td.buttons { display:table-cell; } td.buttons .button { margin:.15rem .3rem .15rem 0; }
table { border-collapse:collapse; width:100%; } th, td { text-align:left; padding:.35rem .5rem; border-bottom:1px solid var(--line); }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.badge { font-size:.75rem; background:#e8edf7; color:#334; border-radius:999px; padding:.05rem .5rem; margin-left:.3rem; }
.row-header { display:flex; justify-content:space-between; align-items:baseline; background:#e9edf5; border-radius:6px 6px 0 0; padding:.4rem .75rem; }
.row { margin-bottom:1.25rem; }
.tiles { display:flex; gap:.75rem; overflow-x:auto; padding:.75rem; background-color:#fff; border:1px solid var(--line); border-top:0; border-radius:0 0 6px 6px; list-style:none; margin:0; scroll-snap-type:x proximity; scroll-padding:.75rem; }
/* Rows and tables that scroll sideways show it: a shadow on each side that has more (the "local" covers scroll with the content, the shadows stay). */
.tiles, .scroll-x {
  background-image:linear-gradient(to right, #fff 30%, rgba(255,255,255,0)), linear-gradient(to left, #fff 30%, rgba(255,255,255,0)), radial-gradient(farthest-side at 0 50%, rgba(29,35,48,.28), rgba(29,35,48,0)), radial-gradient(farthest-side at 100% 50%, rgba(29,35,48,.28), rgba(29,35,48,0));
  background-position:left center, right center, left center, right center; background-repeat:no-repeat;
  background-size:40px 100%, 40px 100%, 16px 100%, 16px 100%; background-attachment:local, local, scroll, scroll;
}
.tiles:focus-visible { outline:3px solid #f0b429; outline-offset:-3px; }
.tile, .start-tile { scroll-snap-align:start; }
.row[data-overflow] .row-header::after { content:"scroll →"; font-size:.8rem; color:var(--muted); white-space:nowrap; margin-left:.5rem; }
.tile, .start-tile { flex:0 0 132px; font-size:.85rem; }
.tile img, .start-tile img { width:120px; height:180px; display:block; border-radius:4px; background:#ccd; }
.tile .title, .start-tile .title { font-weight:600; display:block; } .tile .genres, .start-tile .genres { font-style:italic; color:var(--muted); }
/* Similar Items' starting movie: set apart from the recommendations that follow it. */
.start-tile { flex-basis:144px; padding-right:.75rem; border-right:3px solid var(--accent); }
.both-label { display:inline-block; font-weight:700; font-size:.7rem; color:#fff; background:var(--accent); border-radius:3px; padding:0 .3rem; margin-bottom:.2rem; }
.start-label { display:block; font-weight:700; color:var(--accent); text-transform:uppercase; font-size:.7rem; letter-spacing:.04em; margin-bottom:.2rem; }
.tile a { color:inherit; text-decoration:none; display:block; border-radius:6px; } .tile a:hover .title { text-decoration:underline; }
.stars { color:#c77700; letter-spacing:1px; }
.unavailable { padding:.75rem; background:var(--warn); border:1px solid #ecd8a0; border-top:0; border-radius:0 0 6px 6px; }
.notice { background:var(--warn); border:1px solid #ecd8a0; padding:.75rem 1rem; border-radius:8px; margin-bottom:1rem; }
.error { background:#fde8e8; border:1px solid #f2b8b8; padding:.75rem 1rem; border-radius:8px; margin-bottom:1rem; }
.muted { color:var(--muted); } .visually-hidden { position:absolute; left:-9999px; }
details { margin:.4rem 0; } summary { cursor:pointer; font-weight:600; }
/* The pages carry no style attributes (the Content-Security-Policy allows no inline style). */
.card.narrow { max-width:420px; } .card.medium { max-width:640px; } .scroll-x { overflow-x:auto; }
.inline-label { display:inline; font-weight:600; }
/* Why a local model chose a movie, and how far Personal Ranking moved it from the popular order. */
.because { display:block; font-size:.75rem; color:var(--muted); margin-top:.15rem; }
.promoted-label { display:inline-block; font-weight:700; font-size:.7rem; color:#fff; background:#8a4b00; border-radius:3px; padding:0 .3rem; margin-bottom:.2rem; }
.row-note { font-size:.8rem; color:var(--muted); margin:.1rem 0 .4rem; }
.move { display:inline-block; font-weight:700; font-size:.75rem; border-radius:3px; padding:0 .3rem; margin-top:.15rem; }
.move.up { background:#e3f4e8; color:#1c6b35; } .move.down { background:#fbe9e7; color:#9b2c1f; } .move.same { background:#eef0f4; color:#4a5262; }
/* Find things: Go to user # and the movie search (banner, movie page), the results, the movie page. */
.banner-find { display:flex; flex-wrap:wrap; gap:.5rem 1rem; margin-left:auto; min-width:0; max-width:100%; }
.find-form { display:flex; flex-wrap:wrap; align-items:center; gap:.35rem; margin:0; min-width:0; max-width:100%; }
.find-form label { display:inline; margin:0; }
.find-form input { width:auto; min-width:0; flex:1 1 5rem; padding:.3rem .4rem; font:inherit; border:1px solid #b8c0cc; border-radius:4px; }
.find-form button { padding:.3rem .7rem; } .card.find-form { margin-bottom:1rem; } .card.find-form input { max-width:8rem; }
header.banner .find-form label { color:#fff; font-size:.9rem; font-weight:600; }
header.banner .find-form input { max-width:11rem; }
.search-line { display:flex; gap:.5rem; } .search-line input { flex:1; min-width:0; width:auto; padding:.4rem; font:inherit; border:1px solid #b8c0cc; border-radius:4px; }
.search-results { padding-left:1.5rem; } .search-results li { margin:.3rem 0; overflow-wrap:anywhere; }
.movie-head { display:grid; grid-template-columns:auto minmax(0, 1fr) minmax(0, 1fr); gap:1rem; align-items:start; }
.movie-head > img { border-radius:4px; background:#ccd; }
@media (max-width: 760px) { .movie-head { grid-template-columns:1fr; } }
h1.movie-title { overflow-wrap:anywhere; }
.rater-similar { display:block; font-size:.8rem; }
.tile a.tile-about, .start-tile a.tile-about { display:inline-block; margin-top:.25rem; color:var(--accent); text-decoration:underline; font-size:.8rem; }
${SITE_USER_CSS}`;

/**
 * The one script. Without it every control form has its Show button and works the same.
 * - A select or checkbox changed with the mouse or a finger submits its form at once. Changed from
 *   the keyboard (arrow keys step through a closed select in Chromium), it does not: the keyboard
 *   user browses the options, then presses Enter or the Show button that appears.
 * - After a control form or Prev/Next User submits, the next page focuses the same control again
 *   (its id, kept in sessionStorage for one page load), so focus does not jump to the top.
 * - Tables marked stack-js get each cell labelled from its column's header (data-label), so on a
 *   phone they stack into one card per row (without the script they scroll sideways instead).
 * - Rows and tables that scroll sideways get data-overflow, which shows a "scroll" hint.
 */
export const JS = `
(function () {
  var FOCUS_KEY = 'movierecs:focus';
  var viaKeyboard = false;
  document.documentElement.classList.add('js');
  document.addEventListener('keydown', function (e) { if (e.key !== 'Enter') viaKeyboard = true; }, true);
  document.addEventListener('pointerdown', function () { viaKeyboard = false; }, true);
  function submit(form) { if (form.requestSubmit) form.requestSubmit(); else form.submit(); }
  function remember(id) { try { if (id) sessionStorage.setItem(FOCUS_KEY, id); } catch (e) { /* storage off */ } }
  document.querySelectorAll('form[data-autosubmit]').forEach(function (form) {
    var changed;
    form.querySelectorAll('select, input[type=checkbox]').forEach(function (el) {
      el.addEventListener('change', function () {
        changed = el;
        if (viaKeyboard && el.tagName === 'SELECT') form.setAttribute('data-changed', '');
        else submit(form);
      });
      if (el.tagName === 'SELECT') {
        el.addEventListener('keydown', function (e) {
          if (e.key === 'Enter') { e.preventDefault(); changed = el; submit(form); }
        });
      }
    });
    form.addEventListener('submit', function () {
      var active = document.activeElement;
      var control = active && active.id && form.contains(active) && active.tagName !== 'BUTTON' ? active : changed || form.querySelector('select, input[type=checkbox]');
      remember(control ? control.id : '');
    });
  });
  document.querySelectorAll('form[data-keep-focus]').forEach(function (form) {
    form.addEventListener('submit', function () {
      var active = document.activeElement;
      if (active && form.contains(active)) remember(active.id);
    });
  });
  try {
    var id = sessionStorage.getItem(FOCUS_KEY);
    sessionStorage.removeItem(FOCUS_KEY);
    var target = id && document.getElementById(id);
    if (target) target.focus();
  } catch (e) { /* storage off */ }
  document.querySelectorAll('table.stack-js').forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) { return th.textContent.trim(); });
    table.querySelectorAll('tbody tr').forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (cell, i) {
        if (heads[i] && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', heads[i]);
      });
    });
  });
  function markOverflow() {
    document.querySelectorAll('.tiles, .scroll-x').forEach(function (el) {
      var host = el.closest('.row') || el;
      if (el.scrollWidth > el.clientWidth + 1) host.setAttribute('data-overflow', '');
      else host.removeAttribute('data-overflow');
    });
  }
  markOverflow();
  window.addEventListener('resize', markOverflow);
})();
`;

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);
export const CSS_PATH = `/static/app.${hash(CSS)}.css`;
export const JS_PATH = `/static/app.${hash(JS)}.js`;
