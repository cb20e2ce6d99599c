/**
 * The site's stylesheet and its one small script, as strings: the esbuild bundle that runs on the
 * instances then carries them with no files to copy. Served with a content hash in the URL.
 */
import { createHash } from 'node:crypto';

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
.layout { display:grid; grid-template-columns:minmax(240px, 300px) 1fr; gap:1rem; align-items:start; }
/* Grid items default to min-width:auto, so a row of 25 tiles would widen the page instead of scrolling inside itself. */
.layout > * { min-width:0; }
@media (max-width: 760px) { .layout { grid-template-columns:1fr; } }
/* Front page: the models across the top, then the data and the guide side by side. */
.front { display:flex; flex-direction:column; } .front > .models { order:-1; min-width:0; }
.front-side { display:grid; grid-template-columns:minmax(240px, 1fr) 2fr; gap:1rem; align-items:start; }
@media (max-width: 760px) { .front-side { grid-template-columns:1fr; } }
label { display:block; font-weight:600; margin:.5rem 0 .2rem; }
select, input[type=text], input[type=password], input[type=number] { width:100%; padding:.4rem; font:inherit; border:1px solid #b8c0cc; border-radius:4px; background:#fff; }
button, .button { display:inline-block; padding:.45rem .8rem; font:inherit; border:1px solid var(--accent); background:var(--accent); color:#fff; border-radius:4px; cursor:pointer; text-decoration:none; }
button.secondary, .button.secondary { background:#fff; color:var(--accent); }
button:focus-visible, a:focus-visible, select:focus-visible, input:focus-visible { outline:3px solid #f0b429; outline-offset:2px; }
.buttons { display:flex; gap:.5rem; flex-wrap:wrap; margin-top:.5rem; } .buttons form { margin:0; }
table { border-collapse:collapse; width:100%; } th, td { text-align:left; padding:.35rem .5rem; border-bottom:1px solid var(--line); }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.badge { font-size:.75rem; background:#e8edf7; color:#334; border-radius:999px; padding:.05rem .5rem; margin-left:.3rem; }
.row-header { display:flex; justify-content:space-between; align-items:baseline; background:#e9edf5; border-radius:6px 6px 0 0; padding:.4rem .75rem; }
.row { margin-bottom:1.25rem; }
.tiles { display:flex; gap:.75rem; overflow-x:auto; padding:.75rem; background:#fff; border:1px solid var(--line); border-top:0; border-radius:0 0 6px 6px; list-style:none; margin:0; }
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
.chart { max-width:100%; height:auto; }
/* The pages carry no style attributes (the Content-Security-Policy allows no inline style). */
.card.narrow { max-width:420px; } .card.medium { max-width:640px; } .scroll-x { overflow-x:auto; }
.inline-label { display:inline; font-weight:600; }
/* Why a local model chose a movie, and how far Personal Ranking moved it from the popular order. */
.because { display:block; font-size:.75rem; color:var(--muted); margin-top:.15rem; }
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
`;

/** Submits the control forms when a choice changes (the Show button does the same without script). */
export const JS = `
document.querySelectorAll('form[data-autosubmit] select, form[data-autosubmit] input[type=checkbox]').forEach(function (el) {
  el.addEventListener('change', function () { el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); });
});
`;

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);
export const CSS_PATH = `/static/app.${hash(CSS)}.css`;
export const JS_PATH = `/static/app.${hash(JS)}.js`;
