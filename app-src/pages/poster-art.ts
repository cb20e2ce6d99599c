/**
 * The genre side of a poster: a palette and a geometric motif per MovieLens genre (both
 * editions' names), drawn in the poster's upper part (120 × 118). `h` is the title's hash: it
 * moves and varies the motif, so two movies of one genre do not look the same.
 *
 * Text is drawn on `plate` in `ink` (the genre) and `sub` (other genres, year): test/app/poster.test.ts
 * checks that both reach the WCAG contrast ratio 4.5 on the plate for every palette.
 */

export interface Palette {
  /** The upper part's background. */
  readonly bg: string;
  /** The motif's two colours. */
  readonly a1: string;
  readonly a2: string;
  /** The text band's background, and the text on it. */
  readonly plate: string;
  readonly ink: string;
  readonly sub: string;
}

export type Motif = (p: Palette, h: Uint8Array) => string;

export interface GenreArt {
  readonly palette: Palette;
  readonly motif: string;
  readonly draw: Motif;
}

const pal = (bg: string, a1: string, a2: string, plate: string, ink: string, sub: string): Palette => ({
  bg,
  a1,
  a2,
  plate,
  ink,
  sub,
});

/** Points of a star polygon: `n` points, radii `outer` and `inner`, turned by `turn` degrees. */
function star(cx: number, cy: number, outer: number, inner: number, n: number, turn = 0): string {
  const points: string[] = [];
  for (let k = 0; k < 2 * n; k++) {
    const angle = ((turn + (k * 180) / n - 90) * Math.PI) / 180;
    const r = k % 2 === 0 ? outer : inner;
    points.push(`${round(cx + r * Math.cos(angle))},${round(cy + r * Math.sin(angle))}`);
  }
  return points.join(' ');
}

const round = (value: number) => Math.round(value * 10) / 10;

/** A value in [from, to] from one hash byte. */
const pick = (byte: number, from: number, to: number) => from + Math.round((byte / 255) * (to - from));

function heart(cx: number, cy: number, size: number, fill: string): string {
  return `<path transform="translate(${cx} ${cy}) scale(${size})" d="M0 1C-2-.2-1.2-1.6 0-.6 1.2-1.6 2-.2 0 1Z" fill="${fill}"/>`;
}

function sparkle(cx: number, cy: number, r: number, fill: string): string {
  return `<polygon points="${star(cx, cy, r, r / 4, 4)}" fill="${fill}"/>`;
}

const MOTIFS: Record<string, readonly [Palette, Motif]> = {
  Action: [
    pal('#141a33', '#ff5a1f', '#ffc83d', '#ffc83d', '#1a1200', '#4a2a00'),
    (p, h) =>
      `<polygon points="${star(pick(h[10], 44, 76), pick(h[11], 48, 64), 50, 24, 10 + (h[12] % 5), h[5] % 30)}" fill="${p.a1}"/>` +
      `<polygon points="${star(pick(h[10], 44, 76), pick(h[11], 48, 64), 28, 13, 7 + (h[13] % 4), h[6] % 40)}" fill="${p.a2}"/>` +
      [0, 1, 2]
        .map(
          (k) =>
            `<path d="M${-10 + k * 12} ${96 + k * 7}l${40 + (h[7 + k] % 30)}-12" stroke="${p.a2}" stroke-width="3"/>`,
        )
        .join(''),
  ],
  Adventure: [
    pal('#0f5257', '#f2a541', '#2a9d8f', '#f4e3b2', '#0f3d3e', '#5a3b12'),
    (p, h) =>
      `<circle cx="${pick(h[5], 70, 96)}" cy="${pick(h[6], 26, 44)}" r="15" fill="${p.a1}"/>` +
      `<polygon points="0,118 0,88 36,${pick(h[7], 44, 60)} 60,82 ${pick(h[8], 78, 90)},54 120,96 120,118" fill="${p.a2}"/>` +
      `<polygon points="0,118 30,94 58,106 90,88 120,110 120,118" fill="${p.bg}" opacity=".6"/>`,
  ],
  Animation: [
    pal('#7b2ff7', '#ff4fa3', '#28e0c8', '#ffe14d', '#3a0a7a', '#5b1d8a'),
    (p, h) =>
      [p.a1, p.a2, p.plate, p.a1, p.a2]
        .map(
          (fill, k) =>
            `<circle cx="${pick(h[5 + k], 14, 106)}" cy="${pick(h[10 + k], 16, 100)}" r="${6 + (h[15 + k] % 16)}" fill="${fill}"/>`,
        )
        .join('') +
      `<path d="M6 ${pick(h[20], 50, 70)}c18-30 30 30 50 0s30 30 58 0" stroke="${p.plate}" stroke-width="4" fill="none"/>`,
  ],
  Children: [
    pal('#8fd3ff', '#ff5d73', '#ffd23f', '#ffffff', '#1d3f8f', '#4a4a8a'),
    (p, h) =>
      [p.a1, p.a2, '#6c63ff']
        .map((fill, k) => {
          const x = 30 + k * 30 + (h[5 + k] % 12) - 6;
          const y = 34 + (h[8 + k] % 20);
          return `<path d="M${x} ${y + 16}q-4 20 3 44" stroke="#1d3f8f" fill="none"/><ellipse cx="${x}" cy="${y}" rx="13" ry="16" fill="${fill}"/>`;
        })
        .join('') + `<ellipse cx="${pick(h[11], 20, 100)}" cy="14" rx="22" ry="7" fill="#fff" opacity=".8"/>`,
  ],
  Comedy: [
    pal('#ffd23f', '#ff7a00', '#ffffff', '#c81d25', '#ffffff', '#fff3d6'),
    (p, h) =>
      Array.from(
        { length: 8 },
        (_, k) =>
          `<rect x="${pick(h[5 + k], 4, 112)}" y="${pick(h[13 + k], 4, 110)}" width="5" height="3" transform="rotate(${h[k] % 90} 60 60)" fill="${k % 2 ? p.a1 : p.plate}"/>`,
      ).join('') +
      `<circle cx="60" cy="58" r="34" fill="${p.a1}"/><ellipse cx="48" cy="48" rx="4" ry="7" fill="${p.bg}"/><ellipse cx="72" cy="48" rx="4" ry="7" fill="${p.bg}"/>` +
      `<path d="M40 ${64 + (h[21] % 4)}q20 ${20 + (h[22] % 8)} 40 0" stroke="${p.bg}" stroke-width="5" fill="none" stroke-linecap="round"/>`,
  ],
  Crime: [
    pal('#111111', '#c1121f', '#e9e9e9', '#c1121f', '#ffffff', '#ffe5e5'),
    (p, h) =>
      `<polygon points="0,${pick(h[5], 70, 100)} 120,${pick(h[6], 20, 50)} 120,${pick(h[6], 36, 66)} 0,${pick(h[5], 86, 116)}" fill="${p.a1}"/>` +
      `<circle cx="52" cy="50" r="24" stroke="${p.a2}" stroke-width="7" fill="${p.bg}" fill-opacity=".6"/>` +
      `<path d="M70 68l26 28" stroke="${p.a2}" stroke-width="11" stroke-linecap="round"/>`,
  ],
  Documentary: [
    pal('#2f3e46', '#cad2c5', '#84a98c', '#e9ecef', '#1b263b', '#3d4b5c'),
    (p, h) =>
      `<g transform="rotate(${-12 + (h[5] % 24)} 60 56)"><rect x="-20" y="32" width="160" height="48" fill="#111"/>` +
      Array.from(
        { length: 10 },
        (_, k) =>
          `<rect x="${-16 + k * 16}" y="35" width="8" height="5" fill="${p.a1}"/><rect x="${-16 + k * 16}" y="72" width="8" height="5" fill="${p.a1}"/>`,
      ).join('') +
      [0, 1, 2]
        .map((k) => `<rect x="${2 + k * 40}" y="43" width="34" height="26" fill="${k === 1 ? p.a1 : p.a2}"/>`)
        .join('') +
      `</g>`,
  ],
  Drama: [
    pal('#3d0c11', '#9d0208', '#ffba08', '#1a0508', '#ffd79a', '#e8c9a0'),
    (p, h) => {
      const gap = pick(h[5], 30, 46);
      const spot = pick(h[6], 40, 80);
      return (
        `<polygon points="${120 - spot},0 ${spot - 22},112 ${spot + 22},112" fill="${p.a2}" opacity=".22"/>` +
        `<ellipse cx="${spot}" cy="110" rx="26" ry="6" fill="${p.a2}" opacity=".55"/>` +
        `<path d="M${spot - 4} 110v-22a4 4 0 0 1 8 0v22" fill="${p.plate}"/><circle cx="${spot}" cy="82" r="4" fill="${p.plate}"/>` +
        `<path d="M0 0H${60 - gap}C${50 - gap} 50 ${64 - gap} 90 ${40 - gap} 118H0Z" fill="${p.a1}"/>` +
        `<path d="M120 0H${60 + gap}C${70 + gap} 50 ${56 + gap} 90 ${80 + gap} 118H120Z" fill="${p.a1}"/>` +
        `<path d="M0 0H120V8Q110 16 100 8 90 16 80 8 70 16 60 8 50 16 40 8 30 16 20 8 10 16 0 8Z" fill="${p.a1}"/>`
      );
    },
  ],
  Fantasy: [
    pal('#2a1b5e', '#f7e26b', '#b69df8', '#120a30', '#f7e26b', '#d9ccff'),
    (p, h) => {
      const x = pick(h[5], 70, 92);
      return (
        `<circle cx="${x}" cy="34" r="20" fill="${p.a1}"/><circle cx="${x + 9}" cy="28" r="18" fill="${p.bg}"/>` +
        [0, 1, 2, 3]
          .map((k) => sparkle(pick(h[6 + k], 8, 60), pick(h[10 + k], 10, 70), 4 + (h[14 + k] % 5), p.a2))
          .join('') +
        `<path d="M14 118V84h6v-6h4v6h6V70l8-10 8 10v14h6v-6h4v6h6v34Z" fill="${p.plate}"/>`
      );
    },
  ],
  'Film-Noir': [
    pal('#2a2a2a', '#f0f0f0', '#000000', '#000000', '#ffffff', '#cfcfcf'),
    (p, h) => {
      const x = pick(h[5], 44, 76);
      return (
        `<polygon points="${x - 14},0 ${x + 14},0 ${x + 44},118 ${x - 44},118" fill="${p.a1}" opacity=".28"/>` +
        [0, 1, 2, 3, 4]
          .map(
            (k) =>
              `<polygon points="0,${k * 24} 120,${k * 24 + 30} 120,${k * 24 + 38} 0,${k * 24 + 8}" fill="${p.a2}" opacity=".35"/>`,
          )
          .join('') +
        `<path d="M${x - 16} 118l6-36q10-6 20 0l6 36Z" fill="${p.a2}"/><circle cx="${x}" cy="72" r="7" fill="${p.a2}"/>` +
        `<path d="M${x - 14} 68h28M${x - 7} 68l2-9h10l2 9" stroke="${p.a2}" stroke-width="3" fill="${p.a2}"/>`
      );
    },
  ],
  Horror: [
    pal('#0b0b0b', '#b3001b', '#e8e3c8', '#e8e3c8', '#5c0010', '#3b0a0a'),
    (p, h) =>
      `<circle cx="${pick(h[5], 28, 92)}" cy="50" r="20" fill="${p.a2}"/>` +
      `<path d="M0 0H120V8${[0, 1, 2, 3, 4, 5]
        .map((k) => {
          const x = 110 - k * 20;
          const depth = 10 + (h[6 + k] % 34);
          return `H${x + 4}v${depth}a3 3 0 0 1-6 0V8`;
        })
        .join('')}H0Z" fill="${p.a1}"/>` +
      `<path d="M0 118V104q20-10 34-2l8-14 6 14q30-6 72 6V118Z" fill="#000"/>`,
  ],
  IMAX: [
    pal('#00172d', '#00b4d8', '#90e0ef', '#00b4d8', '#00172d', '#012a4a'),
    (p, h) =>
      `<path d="M10 ${18 + (h[5] % 8)}Q60 6 110 ${18 + (h[5] % 8)}V70Q60 58 10 70Z" fill="${p.a2}"/>` +
      [0, 1, 2, 3]
        .map(
          (k) =>
            `<path d="M${4 + k * 4} ${84 + k * 8}Q60 ${74 + k * 8} ${116 - k * 4} ${84 + k * 8}" stroke="${p.a1}" stroke-width="3" fill="none"/>`,
        )
        .join(''),
  ],
  Musical: [
    pal('#ff006e', '#ffffff', '#ffbe0b', '#3a0ca3', '#ffffff', '#ffd6ec'),
    (p, h) => {
      const y = pick(h[5], 30, 56);
      return (
        [0, 1, 2, 3, 4]
          .map((k) => `<path d="M0 ${y + k * 7}q60 -14 120 0" stroke="${p.a1}" opacity=".5" fill="none"/>`)
          .join('') +
        `<path d="M36 ${y + 28}V${y - 6}l30-6v34" stroke="${p.a2}" stroke-width="3" fill="none"/><path d="M36 ${y - 6}l30-6" stroke="${p.a2}" stroke-width="7"/>` +
        `<ellipse cx="30" cy="${y + 29}" rx="7" ry="5" fill="${p.a2}"/><ellipse cx="60" cy="${y + 29}" rx="7" ry="5" fill="${p.a2}"/>` +
        `<path d="M92 ${y + 50}V${y + 20}q8 4 10 12" stroke="${p.a1}" stroke-width="3" fill="none"/><ellipse cx="86" cy="${y + 51}" rx="7" ry="5" fill="${p.a1}"/>`
      );
    },
  ],
  Mystery: [
    pal('#1b263b', '#e0b04a', '#415a77', '#0d1b2a', '#e0b04a', '#c5d0dc'),
    (p, h) =>
      [0, 1, 2]
        .map(
          (k) =>
            `<ellipse cx="${pick(h[5 + k], 10, 110)}" cy="${80 + k * 12}" rx="40" ry="8" fill="${p.a2}" opacity=".6"/>`,
        )
        .join('') +
      `<circle cx="60" cy="${pick(h[8], 36, 46)}" r="30" fill="none" stroke="${p.a2}" stroke-width="4"/>` +
      `<circle cx="60" cy="${pick(h[8], 30, 40)}" r="11" fill="${p.a1}"/><polygon points="53,${pick(h[8], 36, 46)} 67,${pick(h[8], 36, 46)} 72,${pick(h[8], 64, 74)} 48,${pick(h[8], 64, 74)}" fill="${p.a1}"/>`,
  ],
  Romance: [
    pal('#ffc2d1', '#e5383b', '#ff8fab', '#7a0c2e', '#ffe3ea', '#ffc2d1'),
    (p, h) =>
      [0, 1, 2, 3, 4]
        .map((k) => heart(pick(h[5 + k], 10, 110), pick(h[10 + k], 12, 104), 4 + (h[15 + k] % 5), p.a2))
        .join('') + heart(pick(h[20], 50, 70), 60, 26, p.a1),
  ],
  'Sci-Fi': [
    pal('#03071e', '#4cc9f0', '#f72585', '#101a4a', '#4cc9f0', '#c8f3ff'),
    (p, h) => {
      const x = pick(h[5], 48, 72);
      const y = pick(h[6], 50, 64);
      return (
        Array.from(
          { length: 10 },
          (_, k) =>
            `<circle cx="${pick(h[7 + k], 2, 118)}" cy="${pick(h[17 + k], 2, 116)}" r="${k % 3 ? 0.8 : 1.5}" fill="#fff"/>`,
        ).join('') +
        `<circle cx="${x}" cy="${y}" r="24" fill="${p.a1}"/><path d="M${x - 24} ${y}a24 24 0 0 0 48 0" fill="#1b6f9a" opacity=".5"/>` +
        `<ellipse cx="${x}" cy="${y}" rx="44" ry="9" transform="rotate(${pick(h[28], -32, 24)} ${x} ${y})" stroke="${p.a2}" stroke-width="3" fill="none"/>`
      );
    },
  ],
  Thriller: [
    pal('#0d3b2e', '#d9ed92', '#52b788', '#d9ed92', '#0d3b2e', '#1b4332'),
    (p, h) => {
      const dx = pick(h[5], -3, 3);
      const dy = pick(h[6], -3, 3);
      return [56, 46, 36, 27, 19, 12, 6]
        .map(
          (r, k) =>
            `<circle cx="${60 + k * dx}" cy="${58 + k * dy}" r="${r}" fill="none" stroke="${k % 2 ? p.a2 : p.a1}" stroke-width="4"/>`,
        )
        .join('');
    },
  ],
  War: [
    pal('#4a4e2a', '#c9b458', '#1f2112', '#1f2112', '#e9dfb0', '#c9c19a'),
    (p, h) =>
      [0, 1, 2, 3]
        .map(
          (k) =>
            `<polygon points="${-30 + k * 40},118 ${k * 40},118 ${60 + k * 40},0 ${30 + k * 40},0" fill="${p.a2}" opacity=".25"/>`,
        )
        .join('') +
      `<circle cx="60" cy="56" r="34" fill="none" stroke="${p.a1}" stroke-width="5"/><polygon points="${star(60, 56, 28, 11, 5, h[5] % 2 ? 0 : 36)}" fill="${p.a1}"/>`,
  ],
  Western: [
    pal('#f4a259', '#ffe066', '#8c4a2f', '#5b2a16', '#ffe8c2', '#f6c89f'),
    (p, h) => {
      const x = pick(h[5], 16, 96);
      return (
        `<circle cx="${pick(h[6], 40, 80)}" cy="86" r="30" fill="${p.a1}"/>` +
        `<path d="M0 118V94q30-8 60 0t60-4V118Z" fill="${p.a2}"/>` +
        `<path d="M${x} 112V66M${x} 92h-9v-12M${x} 84h9v-10" stroke="${p.plate}" stroke-width="7" stroke-linecap="round" fill="none"/>`
      );
    },
  ],
  Film: [
    pal('#44475a', '#f8f8f2', '#6272a4', '#f8f8f2', '#282a36', '#44475a'),
    (p, h) =>
      `<g transform="rotate(${-10 + (h[5] % 8)} 14 40)"><rect x="14" y="26" width="92" height="14" fill="${p.a1}"/>` +
      [0, 1, 2, 3, 4]
        .map(
          (k) =>
            `<polygon points="${18 + k * 18},26 ${28 + k * 18},26 ${22 + k * 18},40 ${12 + k * 18},40" fill="#282a36"/>`,
        )
        .join('') +
      `</g><rect x="14" y="44" width="92" height="58" fill="${p.a2}"/><path d="M22 60h76M22 74h76M22 88h40" stroke="${p.a1}" stroke-width="2"/>`,
  ],
};

/** Edition names that mean the same genre (ml-100k says "Children's", ml-latest "Children"). */
const ALIASES: Record<string, string> = { "Children's": 'Children' };

/** The genre whose art a poster uses: the first one the kit knows, else "Film". */
export function primaryGenre(genres: readonly string[]): string {
  for (const genre of genres) {
    const name = ALIASES[genre] ?? genre;
    if (name !== 'Film' && name in MOTIFS) return name;
  }
  return 'Film';
}

export function genreArt(genre: string): GenreArt {
  const [palette, draw] = MOTIFS[genre] ?? MOTIFS.Film;
  return { palette, motif: genre in MOTIFS ? genre : 'Film', draw };
}

/** The genres that have art of their own, and "Film" for the rest. */
export const ART_GENRES: readonly string[] = Object.keys(MOTIFS);
