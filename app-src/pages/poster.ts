/**
 * Posters are drawn, never hot-linked: an SVG from the genres, the year and the title's hash, the
 * same for the same movie on every machine. Cached in memory by the caller (routes/static.ts).
 *
 * - The first genre the kit knows gives the palette and a geometric motif (poster-art.ts).
 * - The decade gives the typography and the frame: an art-deco double frame and serif type up
 *   to the 1940s, rounded plates in the 1950s–60s, bold rounded stripes in the 1970s, a neon
 *   grid and condensed type in the 1980s, a heavy border in the 1990s, clean sans from 2000 on.
 * - The title's hash moves and mirrors the motif and lays a faint shape over the background,
 *   so two dramas of 1995 differ.
 *
 * The caption under the poster prints the title, so the poster does not repeat it: it shows the
 * genres and the year, on a plate whose contrast with the text test/app/poster.test.ts checks.
 * No ids, no external references, no script: several posters can share a page.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../html';
import { genreArt, Palette, primaryGenre } from './poster-art';

export type DecadeStyle = 'deco' | 'midcentury' | 'seventies' | 'eighties' | 'nineties' | 'modern';

export function decadeStyle(year: number | null): DecadeStyle {
  if (year === null) return 'modern';
  if (year < 1950) return 'deco';
  if (year < 1970) return 'midcentury';
  if (year < 1980) return 'seventies';
  if (year < 1990) return 'eighties';
  if (year < 2000) return 'nineties';
  return 'modern';
}

interface Typography {
  readonly family: string;
  /** Average glyph width in ems, that of the widest font listed, to fit the genre on the plate. */
  readonly width: number;
  readonly weight: number;
  readonly italic?: boolean;
  /** Letter spacing of the genre, in pixels. */
  readonly spacing: number;
  readonly anchor: 'middle' | 'start';
  /** The largest genre size. */
  readonly size: number;
}

const SERIF = "Georgia,'Times New Roman',serif";
const TYPE: Record<DecadeStyle, Typography> = {
  deco: { family: SERIF, width: 0.62, weight: 400, spacing: 1.5, anchor: 'middle', size: 17 },
  midcentury: {
    family: "'Trebuchet MS','Gill Sans',sans-serif",
    width: 0.68,
    weight: 700,
    italic: true,
    spacing: 0,
    anchor: 'middle',
    size: 19,
  },
  seventies: {
    family: "'Arial Rounded MT Bold','Varela Round',Verdana,sans-serif",
    width: 0.72,
    weight: 800,
    spacing: 0,
    anchor: 'middle',
    size: 19,
  },
  eighties: {
    family: "Impact,'Arial Narrow','DejaVu Sans Condensed',sans-serif",
    width: 0.62,
    weight: 700,
    italic: true,
    spacing: 1,
    anchor: 'middle',
    size: 21,
  },
  nineties: { family: 'Verdana,Tahoma,sans-serif', width: 0.74, weight: 700, spacing: -0.3, anchor: 'start', size: 17 },
  modern: {
    family: "'Helvetica Neue',Helvetica,Arial,sans-serif",
    width: 0.6,
    weight: 400,
    spacing: 0.3,
    anchor: 'start',
    size: 19,
  },
};

/** Where the text band starts: the motif is drawn above it. */
const PLATE_TOP = 118;

/** Genre names that say there is none. */
const NO_GENRE = new Set(['unknown', '(no genres listed)']);

export function posterSvg(title: string, year: number | null, genres: readonly string[]): string {
  const hash = createHash('sha256').update(title).digest();
  const listed = genres.filter((g) => !NO_GENRE.has(g));
  const genre = primaryGenre(listed);
  const { palette: p, draw } = genreArt(genre);
  const style = decadeStyle(year);
  const type = TYPE[style];
  // The genre as the data spell it ("Children's"), else the first listed, else "Film".
  const headline = listed.find((g) => primaryGenre([g]) === genre) ?? listed[0] ?? 'Film';
  const others = listed.filter((g) => g !== headline).slice(0, 2);
  // The motif, mirrored or not, moved and enlarged about the middle of its area (never shrunk,
  // so shapes drawn to the edges still reach them).
  const scale = (110 + (hash[1] % 15)) / 100;
  const dx = (hash[2] % 13) - 6;
  const dy = (hash[3] % 9) - 4;
  const place = `translate(${60 + dx} ${59 + dy}) scale(${hash[0] & 1 ? -scale : scale} ${scale}) translate(-60 -59)`;
  const motif = draw(p, hash);
  const label = listed.length ? listed.join(', ') : 'no genres listed';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="180" viewBox="0 0 120 180" role="img" aria-label="${escapeHtml(label)}${year ? `, ${year}` : ''}">` +
    `<rect width="120" height="180" fill="${p.bg}"/>` +
    overlay(p, hash) +
    `<g transform="${place}">${motif}</g>` +
    frame(style, p) +
    text(style, type, p, headline, others, year) +
    `</svg>`
  );
}

/** A faint shape over the background, placed by the hash. */
function overlay(p: Palette, h: Uint8Array): string {
  const x = 10 + (h[24] % 100);
  const y = 10 + (h[25] % 90);
  switch (h[26] % 3) {
    case 0:
      return `<circle cx="${x}" cy="${y}" r="${30 + (h[27] % 30)}" fill="${p.a2}" opacity=".2"/>`;
    case 1:
      return `<polygon points="0,${y} 120,${y - 40} 120,${y - 10} 0,${y + 30}" fill="${p.a1}" opacity=".18"/>`;
    default:
      return `<rect y="${PLATE_TOP - 40}" width="120" height="40" fill="${p.plate}" opacity=".22"/>`;
  }
}

/** The decade's plate and frame, drawn over the motif and under the text. */
function frame(style: DecadeStyle, p: Palette): string {
  const plate = `<rect y="${PLATE_TOP}" width="120" height="${180 - PLATE_TOP}" fill="${p.plate}"/>`;
  switch (style) {
    case 'deco':
      return (
        plate +
        `<path d="M40 ${PLATE_TOP}v-4h8v-4h8v-4h8v4h8v4h8v4" fill="${p.plate}" stroke="${p.ink}" stroke-width=".8"/>` +
        `<rect x="3.5" y="3.5" width="113" height="173" fill="none" stroke="${p.ink}" stroke-width="1.2"/>` +
        `<rect x="6.5" y="6.5" width="107" height="167" fill="none" stroke="${p.ink}" stroke-width=".6"/>` +
        `<path d="M3.5 14h10v-10M116.5 14h-10v-10M3.5 166h10v10M116.5 166h-10v10" fill="none" stroke="${p.ink}" stroke-width=".6"/>`
      );
    case 'midcentury':
      return `<rect x="6" y="${PLATE_TOP - 2}" width="108" height="${174 - PLATE_TOP}" rx="12" fill="${p.plate}"/>`;
    case 'seventies':
      return (
        plate +
        [p.a1, p.a2, p.ink]
          .map((colour, k) => `<path d="M-4 ${PLATE_TOP - 16 + k * 6}H124" stroke="${colour}" stroke-width="5"/>`)
          .join('') +
        `<path d="M-4 ${PLATE_TOP - 16}H124" stroke="${p.plate}" stroke-width=".8" opacity=".6"/>`
      );
    case 'eighties':
      return (
        [0, 1, 2, 3]
          .map((k) => `<path d="M0 ${PLATE_TOP - 3 - k * k * 3}H120" stroke="${p.a1}" opacity=".7"/>`)
          .join('') +
        [-60, -30, 0, 30, 60]
          .map(
            (d) =>
              `<path d="M${60 + d / 3} ${PLATE_TOP - 30}L${60 + d * 1.6} ${PLATE_TOP}" stroke="${p.a1}" opacity=".7"/>`,
          )
          .join('') +
        plate +
        `<path d="M0 ${PLATE_TOP + 0.5}H120" stroke="${p.a2}" stroke-width="1.5"/>`
      );
    case 'nineties':
      return (
        plate +
        `<rect x="2" y="2" width="116" height="176" fill="none" stroke="${p.ink}" stroke-width="4"/>` +
        `<path d="M10 ${PLATE_TOP + 6}H46" stroke="${p.a1}" stroke-width="3"/>`
      );
    default:
      return plate + `<path d="M10 ${PLATE_TOP + 8}H30" stroke="${p.ink}" stroke-width="1.5"/>`;
  }
}

function text(
  style: DecadeStyle,
  type: Typography,
  p: Palette,
  headline: string,
  others: readonly string[],
  year: number | null,
): string {
  const x = type.anchor === 'middle' ? 60 : 10;
  const room = type.anchor === 'middle' ? (style === 'deco' ? 92 : 100) : 100;
  const fit = (chars: number, size: number, spacing: number) =>
    Math.min(size, Math.floor((room - spacing * chars) / (chars * type.width)));
  const size = Math.max(8, fit(headline.length, type.size, type.spacing));
  const font = `font-family="${type.family}" font-weight="${type.weight}"${type.italic ? ' font-style="italic"' : ''}`;
  const anchor = `text-anchor="${type.anchor}"`;
  const squeeze =
    headline.length * (size * type.width + type.spacing) > room
      ? ` textLength="${room}" lengthAdjust="spacingAndGlyphs"`
      : '';
  const rest = others.join(' · ');
  const restSize = Math.max(6.5, Math.min(9, Math.floor(room / (rest.length * 0.55))));
  const yearY = style === 'midcentury' ? 166 : 170;
  const yearText =
    year === null
      ? ''
      : style === 'seventies'
        ? `<rect x="42" y="${yearY - 11}" width="36" height="14" rx="7" fill="${p.ink}"/>` +
          `<text x="60" y="${yearY}" text-anchor="middle" ${font} font-size="11" fill="${p.plate}">${year}</text>`
        : style === 'deco'
          ? `<path d="M28 ${yearY - 4}h16M76 ${yearY - 4}h16" stroke="${p.sub}" stroke-width=".6"/>` +
            `<text x="60" y="${yearY}" text-anchor="middle" ${font} font-size="11" letter-spacing="1" fill="${p.sub}">${year}</text>`
          : `<text x="${type.anchor === 'middle' ? 60 : 110}" y="${yearY}" text-anchor="${type.anchor === 'middle' ? 'middle' : 'end'}" ${font} font-size="11" letter-spacing="${style === 'eighties' ? 3 : 0}" fill="${p.sub}">${year}</text>`;
  return (
    `<text x="${x}" y="${PLATE_TOP + (style === 'modern' || style === 'nineties' ? 28 : 24)}" ${anchor} ${font} font-size="${size}" letter-spacing="${type.spacing}" fill="${p.ink}"${squeeze}>${escapeHtml(headline)}</text>` +
    (rest
      ? `<text x="${x}" y="${PLATE_TOP + 38}" ${anchor} font-family="${type.family}" font-size="${restSize}" fill="${p.sub}">${escapeHtml(rest)}</text>`
      : '') +
    yearText
  );
}
