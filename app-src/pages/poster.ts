/**
 * Posters are drawn, never hot-linked: an SVG from the title and genres, the same for the same
 * movie on every machine (colours from a hash of the title). Cached in memory by the caller.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../html';

export function posterSvg(title: string, year: number | null, genres: readonly string[]): string {
  const hash = createHash('sha256').update(title).digest();
  const hue = Math.round((hash[0] / 255) * 360);
  const hue2 = (hue + 40 + hash[1]) % 360;
  const words = title.split(/\s+/).filter(Boolean);
  // Wrap the title into at most five lines of about 12 characters (13 px type fits 120 px).
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.length - 1;
    if (last >= 0 && (lines[last] + ' ' + word).length <= 12) lines[last] += ' ' + word;
    else lines.push(word.length > 13 ? word.slice(0, 12) + '…' : word);
  }
  if (lines.length > 5) {
    lines.length = 5;
    lines[4] = lines[4].slice(0, 11) + '…';
  }
  const text = lines.map((line, i) => `<tspan x="60" dy="${i === 0 ? 0 : 17}">${escapeHtml(line)}</tspan>`).join('');
  const genreLine = escapeHtml(genres.slice(0, 2).join(' · ') || 'no genres listed');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="180" viewBox="0 0 120 180" role="img" aria-label="${escapeHtml(title)}">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue} 55% 38%)"/>` +
    `<stop offset="1" stop-color="hsl(${hue2} 60% 18%)"/></linearGradient></defs>` +
    `<rect width="120" height="180" fill="url(#g)"/>` +
    `<circle cx="${20 + (hash[2] % 80)}" cy="${30 + (hash[3] % 40)}" r="${18 + (hash[4] % 22)}" fill="hsl(${hue2} 70% 70% / 0.25)"/>` +
    `<text x="60" y="${70 - lines.length * 4}" text-anchor="middle" font-family="Georgia, serif" font-size="13" fill="#fff">${text}</text>` +
    `<text x="60" y="150" text-anchor="middle" font-family="sans-serif" font-size="10" fill="#eee">${genreLine}</text>` +
    (year
      ? `<text x="60" y="166" text-anchor="middle" font-family="sans-serif" font-size="10" fill="#ddd">${year}</text>`
      : '') +
    `</svg>`
  );
}
