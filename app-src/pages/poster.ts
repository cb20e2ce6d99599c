/**
 * Posters are drawn, never hot-linked: an SVG from the title and genres, the same for the same
 * movie on every machine (colours from a hash of the title). Cached in memory by the caller.
 * The caption under the poster prints the title, so the poster does not repeat it: it shows the
 * movie's genres and year.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../html';

export function posterSvg(title: string, year: number | null, genres: readonly string[]): string {
  const hash = createHash('sha256').update(title).digest();
  const hue = Math.round((hash[0] / 255) * 360);
  const hue2 = (hue + 40 + hash[1]) % 360;
  const [first, ...others] = genres.length > 0 ? genres : ['Film'];
  const headline = first.length > 11 ? `${first.slice(0, 10)}…` : first;
  const genreLine = escapeHtml(others.slice(0, 2).join(' · '));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="180" viewBox="0 0 120 180" role="img" aria-label="${escapeHtml(genres.join(', ') || 'no genres listed')}">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue} 55% 38%)"/>` +
    `<stop offset="1" stop-color="hsl(${hue2} 60% 18%)"/></linearGradient></defs>` +
    `<rect width="120" height="180" fill="url(#g)"/>` +
    `<circle cx="${20 + (hash[2] % 80)}" cy="${30 + (hash[3] % 40)}" r="${18 + (hash[4] % 22)}" fill="hsl(${hue2} 70% 70% / 0.25)"/>` +
    `<text x="60" y="86" text-anchor="middle" font-family="Georgia, serif" font-size="17" fill="#fff">${escapeHtml(headline)}</text>` +
    (genreLine
      ? `<text x="60" y="106" text-anchor="middle" font-family="sans-serif" font-size="10" fill="#eee">${genreLine}</text>`
      : '') +
    (year
      ? `<text x="60" y="160" text-anchor="middle" font-family="sans-serif" font-size="12" fill="#ddd">${year}</text>`
      : '') +
    `</svg>`
  );
}
