// Answers and events in the order they were asked for or heard: an answer overtaken by an event or
// by a later ask's answer is stale; one that overtook nothing is fresh.
import { describe, expect, it } from 'vitest';
import { NewsOrder } from './newsOrder.ts';

describe('NewsOrder', () => {
  it('drops an answer overtaken by an event or by a later ask, and keeps one that was not', () => {
    const news = new NewsOrder();
    const first = news.ask();
    news.heard();
    expect(news.fresh(first)).toBe(false);
    const early = news.ask();
    const late = news.ask();
    expect(news.fresh(late)).toBe(true);
    expect(news.fresh(early)).toBe(false);
    const next = news.ask();
    expect(news.fresh(next)).toBe(true);
  });
});
