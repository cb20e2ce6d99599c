/** The attendee's own user (issue 18): Start panel, onboarding grid, rating stars, change marks. */
export const SITE_USER_CSS = `
.site-user form { margin:0; } .site-user p { margin:.25rem 0 .5rem; }
.profile-fields { display:grid; grid-template-columns:auto minmax(0, 1fr); gap:.35rem .5rem; align-items:center; margin:.4rem 0; }
.profile-fields input, .profile-fields select { min-width:0; max-width:100%; }
.row-basis { margin:0; padding:.3rem .75rem; font-size:.8rem; color:var(--muted); background:#f3f5f9; border:1px solid var(--line); border-top:0; }
.rate-form { display:flex; flex-wrap:wrap; align-items:center; gap:.1rem; margin:.25rem 0 0; }
.rate-form .star { padding:.1rem .25rem; min-width:1.55rem; font-size:.95rem; line-height:1.2; background:#fff; color:#b7bfcc; border:1px solid var(--line); border-radius:3px; }
.rate-form .star.on { color:#c77700; }
.rate-form .star:hover, .rate-form .star:focus-visible { color:#c77700; }
.rate-form .skip { padding:.1rem .4rem; font-size:.8rem; margin-left:.15rem; }
.change { display:inline-block; font-weight:700; font-size:.7rem; border-radius:3px; padding:0 .3rem; margin:.15rem .2rem 0 0; }
.change.new { background:#2d5bd7; color:#fff; } .change.up { background:#e3f4e8; color:#1c6b35; }
.change.down { background:#fbe9e7; color:#9b2c1f; } .change.same { background:#eef0f4; color:#4a5262; }
.rate-grid { display:grid; grid-template-columns:repeat(auto-fill, minmax(140px, 1fr)); gap:.75rem; list-style:none; padding:0; margin:0 0 1.25rem; }
.rate-tile { min-width:0; font-size:.85rem; overflow-wrap:anywhere; }
.rate-tile img { width:100%; max-width:120px; height:auto; display:block; border-radius:4px; background:#ccd; }
.rate-tile .title { display:block; font-weight:600; }
.onboarding-summary a.button { margin-left:.5rem; }
.genre-links { display:flex; flex-wrap:wrap; gap:.3rem .8rem; margin:0 0 1rem; }
`;
