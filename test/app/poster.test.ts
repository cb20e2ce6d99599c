/**
 * The generated posters (issue 16, point 10): a palette and motif per genre, typography and frame
 * per decade, variation per title; legible (WCAG contrast of every text colour on its plate),
 * well-formed, self-contained, small, deterministic, escaped, and never the title itself.
 */
import { ART_GENRES, genreArt, primaryGenre } from '../../app-src/pages/poster-art';
import { decadeStyle, posterSvg } from '../../app-src/pages/poster';

/** Every genre name of ml-100k and ml-latest. */
const MOVIELENS_GENRES = [
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Children',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'IMAX',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
  'unknown',
  '(no genres listed)',
];
/** The genres that have art of their own (the others fall back to "Film"). */
const DRAWN = MOVIELENS_GENRES.filter((g) => !["Children's", 'unknown', '(no genres listed)'].includes(g));
const DECADE_YEARS = [1935, 1955, 1975, 1985, 1995, 2005];

/** WCAG 2 relative luminance of #rrggbb. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

/**
 * A small XML well-formedness check: one root, tags nested and closed, attributes quoted and not
 * repeated, and `&` only in the five named entities or a character reference. Throws on the first fault.
 */
function checkWellFormed(xml: string): void {
  const stack: string[] = [];
  let roots = 0;
  const entity = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
  const checkText = (text: string, where: string) => {
    if (text.includes('<')) throw new Error(`a stray < in ${where}`);
    for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
      if (!entity.test(text.slice(i))) throw new Error(`a bare & in ${where}: ${text.slice(i, i + 12)}`);
    }
  };
  let at = 0;
  while (at < xml.length) {
    const open = xml.indexOf('<', at);
    const text = xml.slice(at, open < 0 ? xml.length : open);
    if (text.trim() && stack.length === 0) throw new Error(`text outside the root: ${text}`);
    checkText(text, 'text');
    if (open < 0) break;
    const tag = /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[A-Za-z][\w:-]*="[^"]*")*)\s*(\/?)>/.exec(xml.slice(open));
    if (!tag) throw new Error(`a malformed tag at ${open}: ${xml.slice(open, open + 40)}`);
    const [whole, closing, name, attributes, selfClosing] = tag;
    const names = [...attributes.matchAll(/([A-Za-z][\w:-]*)="([^"]*)"/g)].map(([, n, value]) => {
      checkText(value, `attribute ${n}`);
      return n;
    });
    if (new Set(names).size !== names.length) throw new Error(`a repeated attribute in <${name}>`);
    if (closing) {
      if (stack.pop() !== name) throw new Error(`</${name}> closes nothing open`);
    } else {
      if (stack.length === 0 && ++roots > 1) throw new Error('more than one root');
      if (!selfClosing) stack.push(name);
    }
    at = open + whole.length;
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error('no root');
}

/** The text nodes of a poster. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(([, t]) => t);
/** The poster without its text elements (what the art and frame draw). */
const drawing = (svg: string) => svg.replace(/<text[^>]*>[^<]*<\/text>/g, '').replace(/aria-label="[^"]*"/, '');
const headlineFont = (svg: string) => /<text[^>]*font-family="([^"]*)"/.exec(svg)?.[1];

describe('genres', () => {
  test('every MovieLens genre has its art: distinct palettes and motifs, "Children\'s" drawn as Children', () => {
    expect([...ART_GENRES].sort()).toEqual([...DRAWN, 'Film'].sort());
    const palettes = new Set(ART_GENRES.map((g) => JSON.stringify(genreArt(g).palette)));
    expect(palettes.size).toBe(ART_GENRES.length);
    expect(primaryGenre(["Children's"])).toBe('Children');
    for (const genre of ['unknown', '(no genres listed)', 'Bogus']) expect(primaryGenre([genre])).toBe('Film');
    // The first genre with art decides; one without art is passed over.
    expect(primaryGenre(['Bogus', 'War', 'Drama'])).toBe('War');

    // The same title and year in each genre: every drawing differs.
    const drawings = ART_GENRES.map((g) => drawing(posterSvg('One title', 1995, [g === 'Film' ? 'unknown' : g])));
    expect(new Set(drawings).size).toBe(ART_GENRES.length);
    // Even with the palette's colours taken out, the motifs' shapes differ.
    const shapes = drawings.map((svg) => svg.replace(/#[0-9a-f]{6}/g, ''));
    expect(new Set(shapes).size).toBe(ART_GENRES.length);
  });

  test('Film-Noir is greyscale', () => {
    const colours = [...posterSvg('Noir', 1946, ['Film-Noir']).matchAll(/#([0-9a-f]{6})/g)].map(([, hex]) => hex);
    expect(colours.length).toBeGreaterThan(3);
    for (const hex of colours)
      expect(hex.slice(0, 2) === hex.slice(2, 4) && hex.slice(2, 4) === hex.slice(4)).toBe(true);
    expect(posterSvg('Noir', 1946, ['Film-Noir'])).not.toMatch(/#fff?\b|#[0-9a-f]{3}\b/);
  });

  test('the text: the genre as the data spell it, up to two more, the year; never the title', () => {
    const svg = posterSvg('Toy Story', 1995, ['Animation', "Children's", 'Comedy', 'Fantasy']);
    expect(texts(svg)).toEqual(['Animation', 'Children&#39;s · Comedy', '1995']);
    expect(texts(posterSvg('Babe', 1995, ["Children's", 'Comedy']))).toEqual(['Children&#39;s', 'Comedy', '1995']);
    expect(texts(posterSvg('Nothing', null, ['(no genres listed)']))).toEqual(['Film']);
    expect(texts(posterSvg('Odd', 2001, ['unknown', 'Bogus']))).toEqual(['Bogus', '2001']);
    for (const title of ['Casablanca', 'Toy Story', 'Die Hard', 'Vertigo', 'Alien', 'Drama', 'Se7en']) {
      const poster = posterSvg(title, 1990, ['Crime', 'Thriller']);
      expect(poster).not.toContain(title);
      expect(texts(poster)).toEqual(['Crime', 'Thriller', '1990']);
    }
  });
});

describe('decades', () => {
  test('each decade has its style; no year is the modern style', () => {
    expect(DECADE_YEARS.map(decadeStyle)).toEqual([
      'deco',
      'midcentury',
      'seventies',
      'eighties',
      'nineties',
      'modern',
    ]);
    expect([1949, 1950, 1969, 1970, 1979, 1980, 1989, 1990, 1999, 2000, 1902, 2023].map(decadeStyle)).toEqual([
      'deco',
      'midcentury',
      'midcentury',
      'seventies',
      'seventies',
      'eighties',
      'eighties',
      'nineties',
      'nineties',
      'modern',
      'deco',
      'modern',
    ]);
    expect(decadeStyle(null)).toBe('modern');
  });

  test('the same movie in each decade: different frames and type, the deco one serif', () => {
    for (const genre of ['Drama', 'Sci-Fi', 'Film-Noir']) {
      const posters = DECADE_YEARS.map((year) => posterSvg('Same title', year, [genre]));
      expect(new Set(posters.map(drawing)).size).toBe(DECADE_YEARS.length);
      expect(new Set(posters.map(headlineFont)).size).toBe(DECADE_YEARS.length);
      expect(headlineFont(posters[0])).toMatch(/serif$/);
      expect(headlineFont(posters[0])).not.toMatch(/sans-serif/);
      expect(headlineFont(posters[5])).toMatch(/sans-serif$/);
    }
  });
});

describe('every genre in every decade', () => {
  const all = MOVIELENS_GENRES.flatMap((genre) =>
    [...DECADE_YEARS, null].map((year) => [genre, year, posterSvg(`A ${genre} film`, year, [genre])] as const),
  );

  test('text on the plate has a WCAG contrast ratio of at least 4.5 for every palette', () => {
    for (const genre of ART_GENRES) {
      const { plate, ink, sub } = genreArt(genre).palette;
      expect([genre, contrast(ink, plate)]).toEqual([genre, expect.any(Number)]);
      expect(contrast(ink, plate)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(sub, plate)).toBeGreaterThanOrEqual(4.5);
    }
    // The helper itself: black on white is 21, a colour on itself 1.
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 6);
    expect(contrast('#777777', '#777777')).toBe(1);
  });

  test('every text is drawn in the ink or sub colour, or on an ink pill in the plate colour', () => {
    for (const [genre, , svg] of all) {
      const { plate, ink, sub } = genreArt(primaryGenre([genre])).palette;
      for (const [, fill] of svg.matchAll(/<text[^>]*fill="([^"]*)"/g)) expect([ink, sub, plate]).toContain(fill);
      if (svg.includes(`fill="${plate}">`))
        expect(svg).toMatch(new RegExp(`rx="7" fill="${ink}"/><text[^>]*fill="${plate}"`));
    }
  });

  test('well-formed, self-contained SVG, under 4 KB', () => {
    for (const [genre, year, svg] of all) {
      expect(() => checkWellFormed(svg)).not.toThrow();
      expect(
        svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="180" viewBox="0 0 120 180"'),
      ).toBe(true);
      expect(svg).not.toMatch(/href|url\(|<script|foreignObject|<image|<style|\sid=|\son[a-z]+=|@import/i);
      expect([genre, year, Buffer.byteLength(svg)]).toEqual([genre, year, expect.any(Number)]);
      expect(Buffer.byteLength(svg)).toBeLessThan(4096);
    }
    // The longest text the data can give still fits.
    const long = posterSvg('Long', 1985, ['Documentary', 'Adventure', 'Children', 'Animation']);
    expect(() => checkWellFormed(long)).not.toThrow();
    expect(Buffer.byteLength(long)).toBeLessThan(4096);
  });

  test('the well-formedness check finds faults', () => {
    for (const bad of [
      '<svg><g></svg>',
      '<svg>a & b</svg>',
      '<svg a="1" a="2"/>',
      '<svg/><svg/>',
      '<svg><text>1<2</text></svg>',
    ]) {
      expect(() => checkWellFormed(bad)).toThrow();
    }
    expect(() => checkWellFormed('<svg a="&amp;&#39;"><g/>x &lt; y</svg>')).not.toThrow();
  });

  test('the headline shrinks to fit: never above the width the plate leaves, never below 8', () => {
    for (const [genre, year, svg] of all) {
      const size = Number(/<text[^>]*font-size="([\d.]+)"/.exec(svg)?.[1]);
      expect([genre, year, size >= 8 && size <= 22]).toEqual([genre, year, true]);
    }
  });
});

test('deterministic: the same input the same poster; two dramas of 1995 differ', () => {
  expect(posterSvg('Heat', 1995, ['Drama'])).toBe(posterSvg('Heat', 1995, ['Drama']));
  const titles = Array.from({ length: 30 }, (_, i) => `Drama number ${i}`);
  const posters = titles.map((title) => posterSvg(title, 1995, ['Drama']));
  expect(new Set(posters).size).toBe(titles.length);
  // The same text on each: only the art varies.
  for (const svg of posters) expect(texts(svg)).toEqual(['Drama', '1995']);
});

test('genres are escaped in the text and the label', () => {
  const svg = posterSvg('x', 2000, ['<b>&"\'', 'Drama</text><script>alert(1)</script>']);
  expect(() => checkWellFormed(svg)).not.toThrow();
  expect(svg).not.toContain('<b>');
  expect(svg).not.toContain('<script');
  expect(svg).toContain(
    'aria-label="&lt;b&gt;&amp;&quot;&#39;, Drama&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;, 2000"',
  );
});
