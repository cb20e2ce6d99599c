/**
 * Issue 16, point 9: titles as people write them. The cases are MovieLens' forms (an article moved
 * to the end, in several languages, in the title and in the alternative titles in parentheses).
 */
import { displayTitle } from '../../app-src/titles';

describe('displayTitle', () => {
  test.each([
    ['Empire Strikes Back, The', 'The Empire Strikes Back'],
    ['Misérables, Les', 'Les Misérables'],
    ['Dolce Vita, La', 'La Dolce Vita'],
    ["Homme qui aimait les femmes, L'", "L'Homme qui aimait les femmes"],
    ['Vitelloni, I (a.k.a. The Young and the Passionate)', 'I Vitelloni (a.k.a. The Young and the Passionate)'],
    ['Town Called Panic, A (Panique au village)', 'A Town Called Panic (Panique au village)'],
    [
      'City of Lost Children, The (Cité des enfants perdus, La)',
      'The City of Lost Children (La Cité des enfants perdus)',
    ],
    ['Contempt (Mépris, Le)', 'Contempt (Le Mépris)'],
    ['Maybe, Maybe Not (Bewegte Mann, Der)', 'Maybe, Maybe Not (Der Bewegte Mann)'],
    ['Lives of Others, The (Das leben der Anderen)', 'The Lives of Others (Das leben der Anderen)'],
    // Only the last part moves; a subtitle after the article stays after the title.
    ['Good, the Bad and the Ugly, The', 'The Good, the Bad and the Ugly'],
    ['Crow, The: Wicked Prayer', 'The Crow: Wicked Prayer'],
    ['Lord of the Rings: The Fellowship of the Ring, The', 'The Lord of the Rings: The Fellowship of the Ring'],
  ])('%s -> %s', (raw, shown) => {
    expect(displayTitle(raw)).toBe(shown);
  });

  test.each([
    'Paris, Texas',
    'I, Robot',
    'Honey, I Shrunk the Kids',
    'New York, I Love You',
    'Strike! (a.k.a. All I Wanna Do, The Hairy Bird)',
    'Steamboat Bill, Jr.',
    'Heat',
    'Toy Story',
    ', The',
    '',
  ])('leaves %j as it is', (title) => {
    expect(displayTitle(title)).toBe(title);
  });
});

test('a "(" inside a word is not an alternative title: the title is kept to the character', () => {
  expect(displayTitle('<script>alert("x")</script> & <b>Bold</b>')).toBe('<script>alert("x")</script> & <b>Bold</b>');
  expect(displayTitle('f(x), The')).toBe('The f(x)');
});
