import { pairFeatures, sameTopic } from '../../activities/memory/same-topic';

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
  });

  test('names and modifiers of the subject', () => {
    expect(pairFeatures("Kemi's birthday is on June 2.", "Liam's birthday is on June 2.", 0.6).namesConflict).toBe(1);
    expect(pairFeatures('Wedding budget is 20,000 euros.', 'Honeymoon budget is 6,000 euros.', 0.75).modifierConflict).toBe(1);
  });

  test('decisions: paraphrases and updates merge, near misses do not', () => {
    expect(sameTopic('The user is vegetarian.', 'The user is a vegetarian and eats no meat at all.', 0.8).same).toBe(true);
    expect(sameTopic('Lives in Toronto.', 'Moved from Toronto to Vancouver last month.', 0.63).same).toBe(true);
    expect(sameTopic("I'm allergic to peanuts.", "I'm allergic to cats.", 0.67).same).toBe(false);
    expect(sameTopic('Wedding budget is 20,000 euros.', 'Honeymoon budget is 6,000 euros.', 0.75).same).toBe(false);
    expect(sameTopic('Ben is allergic to shellfish.', 'Chloe is allergic to shellfish.', 0.69).reason).toMatch(/namesConflict/);
  });
});
