/**
 * Titles as people write them. MovieLens moves a leading article to the end, in several languages
 * ("Empire Strikes Back, The", "Misérables, Les", "Homme qui aimait les femmes, L'"), in the title
 * and in the alternative titles in parentheses after it ("City of Lost Children, The (Cité des
 * enfants perdus, La)"). The site puts it back in front of each; the data keep MovieLens' form.
 */

/**
 * The articles MovieLens moves, by language: English, French, Italian, Spanish, German, Dutch,
 * Swedish/Danish/Norwegian, Portuguese. Only a whole last part after ", " counts, so "Paris, Texas"
 * stays and "Good, the Bad and the Ugly, The" moves its last "The" only.
 */
export const ARTICLES: ReadonlySet<string> = new Set([
  'The',
  'A',
  'An',
  'Les',
  'La',
  'Le',
  "L'",
  'Il',
  'Lo',
  'Gli',
  'I',
  'El',
  'Los',
  'Las',
  'Un',
  'Una',
  'Une',
  'Der',
  'Die',
  'Das',
  'Ein',
  'Eine',
  'De',
  'Het',
  'Den',
  'Det',
  'O',
  'Os',
]);

/**
 * One title or alternative title: "Empire Strikes Back, The" -> "The Empire Strikes Back"; a
 * subtitle after the article stays after the title ("Crow, The: Wicked Prayer" -> "The Crow:
 * Wicked Prayer").
 */
function articleFirst(part: string): string {
  const comma = part.lastIndexOf(', ');
  if (comma <= 0) return part;
  const tail = part.slice(comma + 2);
  const colon = tail.indexOf(':');
  const article = (colon === -1 ? tail : tail.slice(0, colon)).trim();
  if (!ARTICLES.has(article)) return part;
  const rest = part.slice(0, comma).trim();
  if (rest === '') return part;
  const subtitle = colon === -1 ? '' : tail.slice(colon);
  return `${article}${article.endsWith("'") ? '' : ' '}${rest}${subtitle}`;
}

/** The title to show: every part with its article in front ("a.k.a." parts included). */
export function displayTitle(title: string): string {
  // The main title is what comes before the first " (", each "(...)" after it an alternative title;
  // a "(" inside a word ("alert(1)") opens none.
  const open = title.indexOf(' (');
  if (open === -1) return articleFirst(title);
  const rest = title.slice(open).replace(/\(([^()]*)\)/g, (_group, inner: string) => {
    const aka = /^(a\.k\.a\. )(.*)$/i.exec(inner);
    return aka ? `(${aka[1]}${articleFirst(aka[2])})` : `(${articleFirst(inner)})`;
  });
  return `${articleFirst(title.slice(0, open))}${rest}`;
}
