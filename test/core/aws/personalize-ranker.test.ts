import { describe, it, expect, beforeEach } from 'vitest';
import {
  GetPersonalizedRankingCommand, InvalidInputException, PersonalizeRuntimeClient, ResourceNotFoundException,
} from '@aws-sdk/client-personalize-runtime';
import { PersonalizeEventsClient, PutEventsCommand, ResourceInUseException } from '@aws-sdk/client-personalize-events';
import { mockClient } from 'aws-sdk-client-mock';
import { AppError, NotFoundError, ValidationError } from '../../../core/errors';
import { PersonalizeRanker } from '../../../core/aws/personalize-ranker';
import type { TrackedEvent } from '../../../core/ports/ranker';

const runtimeClient = new PersonalizeRuntimeClient({ region: 'eu-west-1' });
const eventsClient = new PersonalizeEventsClient({ region: 'eu-west-1' });
const runtime = mockClient(runtimeClient);
const events = mockClient(eventsClient);
const campaignArn = 'arn:aws:personalize:eu-west-1:123456789012:campaign/images';
const ranker = new PersonalizeRanker({ campaignArn, trackingId: 'tracker-1', runtimeClient, eventsClient });

function eventsAt(count: number): TrackedEvent[] {
  return Array.from({ length: count }, (_, i) => ({ eventType: 'view', itemId: `c${i}`, sentAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) }));
}

describe('PersonalizeRanker', () => {
  beforeEach(() => {
    runtime.reset();
    events.reset();
  });

  it('sends campaignArn, userId, inputList and context to GetPersonalizedRanking', async () => {
    runtime.on(GetPersonalizedRankingCommand).resolves({ personalizedRanking: [] });
    await ranker.rank({ userId: 'u1', inputList: ['a', 'b'], context: { DEVICE: 'mobile' } });
    expect(runtime.commandCalls(GetPersonalizedRankingCommand)[0]?.args[0].input).toEqual({
      campaignArn,
      userId: 'u1',
      inputList: ['a', 'b'],
      context: { DEVICE: 'mobile' },
    });
  });

  it('keeps the campaign order for scored items and puts unscored and missing items last without a score, in input order', async () => {
    runtime.on(GetPersonalizedRankingCommand).resolves({
      personalizedRanking: [{ itemId: 'c', score: 0.6 }, { itemId: 'a', score: 0.4 }, { itemId: 'd' }],
    });
    const ranked = await ranker.rank({ userId: 'u1', inputList: ['a', 'b', 'c', 'd'] });
    expect(ranked).toEqual([{ itemId: 'c', score: 0.6 }, { itemId: 'a', score: 0.4 }, { itemId: 'b' }, { itemId: 'd' }]);
  });

  it('ignores items the campaign returns that were not asked for', async () => {
    runtime.on(GetPersonalizedRankingCommand).resolves({ personalizedRanking: [{ itemId: 'zzz', score: 0.9 }, { itemId: 'a', score: 0.1 }] });
    expect(await ranker.rank({ userId: 'u1', inputList: ['a'] })).toEqual([{ itemId: 'a', score: 0.1 }]);
  });

  it.each([
    [[], /inputList has 0 items: expected 1 to 500/],
    [Array.from({ length: 501 }, (_, i) => `i${i}`), /inputList has 501 items/],
    [['a', 'a'], /inputList has "a" twice/],
    [['a', ''], /inputList\[1\] is empty/],
  ])('refuses an invalid inputList before calling Personalize (%#)', async (inputList, message) => {
    await expect(ranker.rank({ userId: 'u1', inputList })).rejects.toThrow(message);
    expect(runtime.commandCalls(GetPersonalizedRankingCommand)).toHaveLength(0);
  });

  it('accepts exactly 500 items', async () => {
    runtime.on(GetPersonalizedRankingCommand).resolves({ personalizedRanking: [] });
    expect(await ranker.rank({ userId: 'u1', inputList: Array.from({ length: 500 }, (_, i) => `i${i}`) })).toHaveLength(500);
  });

  it('translates ResourceNotFoundException into NotFoundError naming the campaign, keeping the cause', async () => {
    const sdkError = new ResourceNotFoundException({ message: 'campaign gone', $metadata: {} });
    runtime.on(GetPersonalizedRankingCommand).rejects(sdkError);
    const error = await ranker.rank({ userId: 'u1', inputList: ['a'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain(campaignArn);
    expect((error as Error).cause).toBe(sdkError);
  });

  it('translates InvalidInputException into ValidationError', async () => {
    runtime.on(GetPersonalizedRankingCommand).rejects(new InvalidInputException({ message: 'bad context', $metadata: {} }));
    await expect(ranker.rank({ userId: 'u1', inputList: ['a'] })).rejects.toThrow(ValidationError);
  });

  it('sends events with the trackingId, sessionId, userId and {eventType, sentAt, itemId}', async () => {
    events.on(PutEventsCommand).resolves({});
    const list = eventsAt(2);
    await ranker.putEvents({ userId: 'u1', sessionId: 's1', events: list });
    expect(events.commandCalls(PutEventsCommand)[0]?.args[0].input).toEqual({
      trackingId: 'tracker-1',
      sessionId: 's1',
      userId: 'u1',
      eventList: list.map((e) => ({ eventType: e.eventType, sentAt: e.sentAt, itemId: e.itemId })),
    });
  });

  it('splits 23 events into calls of 10, 10 and 3 in order', async () => {
    events.on(PutEventsCommand).resolves({});
    await ranker.putEvents({ userId: 'u1', sessionId: 's1', events: eventsAt(23) });
    const batches = events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.eventList?.map((e) => e.itemId));
    expect(batches.map((b) => b?.length)).toEqual([10, 10, 3]);
    expect(batches.flat()).toEqual(eventsAt(23).map((e) => e.itemId));
  });

  it('refuses an unknown event type or a bad date before sending anything', async () => {
    const bad = [...eventsAt(1), { eventType: 'click' as never, itemId: 'x', sentAt: new Date() }];
    await expect(ranker.putEvents({ userId: 'u1', sessionId: 's1', events: bad })).rejects.toThrow(/events\[1\]\.eventType "click"/);
    const badDate = [{ eventType: 'view' as const, itemId: 'x', sentAt: new Date(Number.NaN) }];
    await expect(ranker.putEvents({ userId: 'u1', sessionId: 's1', events: badDate })).rejects.toThrow(/sentAt is not a valid date/);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('translates PutEvents exceptions (ResourceInUse -> AppError, unknown -> AppError with cause)', async () => {
    events.on(PutEventsCommand).rejects(new ResourceInUseException({ message: 'busy', $metadata: {} }));
    await expect(ranker.putEvents({ userId: 'u1', sessionId: 's1', events: eventsAt(1) })).rejects.toThrow(/event tracker tracker-1 is busy/);
    events.reset();
    events.on(PutEventsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const error = await ranker.putEvents({ userId: 'u1', sessionId: 's1', events: eventsAt(1) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as Error).message).toBe('PutEvents failed: AccessDeniedException: denied');
  });

  it('refuses a campaign ARN that is not one, and an empty trackingId', () => {
    expect(() => new PersonalizeRanker({ campaignArn: 'images', trackingId: 't', runtimeClient, eventsClient })).toThrow(/campaignArn "images"/);
    expect(() => new PersonalizeRanker({ campaignArn, trackingId: '', runtimeClient, eventsClient })).toThrow(/trackingId is empty/);
  });
});
