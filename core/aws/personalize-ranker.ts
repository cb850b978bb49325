/**
 * An Amazon Personalize Personalized-Ranking campaign plus its event tracker behind the Ranker port.
 * GetPersonalizedRanking: https://docs.aws.amazon.com/personalize/latest/dg/API_RS_GetPersonalizedRanking.html
 * PutEvents: https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_PutEvents.html
 */
import { GetPersonalizedRankingCommand, PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import { PersonalizeEventsClient, PutEventsCommand } from '@aws-sdk/client-personalize-events';
import { AppError, NotFoundError, ValidationError } from '../errors';
import type { PutEventsRequest, RankedItem, RankRequest, Ranker } from '../ports/ranker';
import { requireId, validateEvent, validateInputList } from '../ranker-input';
import { errorMessage, errorName } from './retry';

// Service limits: https://docs.aws.amazon.com/personalize/latest/dg/limits.html
export const MAX_EVENTS_PER_CALL = 10;

export interface PersonalizeRankerProps {
  readonly campaignArn: string;
  /** The event tracker's `trackingId` (from CreateEventTracker), not its ARN. */
  readonly trackingId: string;
  /** Optional filter applied to every ranking. */
  readonly filterArn?: string;
  /** @default new PersonalizeRuntimeClient({ region }) */
  readonly runtimeClient?: PersonalizeRuntimeClient;
  /** @default new PersonalizeEventsClient({ region }) */
  readonly eventsClient?: PersonalizeEventsClient;
  /** Used only for the clients created here. */
  readonly region?: string;
}

export class PersonalizeRanker implements Ranker {
  private readonly runtime: PersonalizeRuntimeClient;
  private readonly events: PersonalizeEventsClient;

  constructor(private readonly props: PersonalizeRankerProps) {
    if (!/^arn:aws[a-z-]*:personalize:[a-z0-9-]+:\d{12}:campaign\/.+$/.test(props.campaignArn ?? '')) {
      throw new ValidationError(`campaignArn ${JSON.stringify(props.campaignArn)} is not a Personalize campaign ARN (arn:aws:personalize:<region>:<account>:campaign/<name>)`, {
        field: 'campaignArn',
      });
    }
    if (typeof props.trackingId !== 'string' || props.trackingId.trim() === '') {
      throw new ValidationError('trackingId is empty: pass the event tracker\'s trackingId (DescribeEventTracker shows it)', { field: 'trackingId' });
    }
    const config = props.region !== undefined ? { region: props.region } : {};
    this.runtime = props.runtimeClient ?? new PersonalizeRuntimeClient(config);
    this.events = props.eventsClient ?? new PersonalizeEventsClient(config);
  }

  /** Scored items in the campaign's order, then the items it returned without a score or left out, in input order. */
  async rank(request: RankRequest): Promise<RankedItem[]> {
    requireId(request.userId, 'userId');
    const list = request.inputList;
    validateInputList(list);
    const response = await this.call('GetPersonalizedRanking', () =>
      this.runtime.send(
        new GetPersonalizedRankingCommand({
          campaignArn: this.props.campaignArn,
          userId: request.userId,
          inputList: [...list],
          ...(request.context !== undefined && { context: { ...request.context } }),
          ...(this.props.filterArn !== undefined && { filterArn: this.props.filterArn }),
        }),
      ),
    );
    const scored: RankedItem[] = [];
    const asked = new Set(list);
    const placed = new Set<string>();
    for (const item of response.personalizedRanking ?? []) {
      const { itemId, score } = item;
      // Anything not asked for, repeated, or unscored is left to the tail so each input item appears exactly once.
      if (itemId === undefined || !asked.has(itemId) || placed.has(itemId) || typeof score !== 'number' || !Number.isFinite(score)) continue;
      placed.add(itemId);
      scored.push({ itemId, score });
    }
    const tail = list.filter((id) => !placed.has(id)).map((itemId) => ({ itemId }));
    return [...scored, ...tail];
  }

  /** Sends the events in calls of at most ten, the PutEvents limit, in the order given. */
  async putEvents(request: PutEventsRequest): Promise<void> {
    requireId(request.userId, 'userId');
    requireId(request.sessionId, 'sessionId');
    const events = request.events;
    if (!Array.isArray(events) || events.length < 1) throw new ValidationError('events is empty: send at least one event', { field: 'events' });
    events.forEach(validateEvent);
    for (let start = 0; start < events.length; start += MAX_EVENTS_PER_CALL) {
      const batch = events.slice(start, start + MAX_EVENTS_PER_CALL);
      await this.call('PutEvents', () =>
        this.events.send(
          new PutEventsCommand({
            trackingId: this.props.trackingId,
            sessionId: request.sessionId,
            userId: request.userId,
            eventList: batch.map((e) => ({ eventType: e.eventType, sentAt: e.sentAt, itemId: e.itemId })),
          }),
        ),
      );
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw translatePersonalizeError(error, operation, operation === 'PutEvents' ? `event tracker ${this.props.trackingId}` : this.props.campaignArn);
    }
  }
}

/** Maps Personalize SDK exceptions to the project's error classes; the SDK error stays as `cause`. */
export function translatePersonalizeError(error: unknown, operation: string, resource: string): Error {
  const name = errorName(error);
  const detail = errorMessage(error);
  switch (name) {
    case 'ResourceNotFoundException':
      return new NotFoundError(`${operation}: ${resource} was not found (${detail}); check the ARN/id in the configuration`, { cause: error });
    case 'InvalidInputException':
      return new ValidationError(`${operation} refused its input: ${detail}`, { cause: error });
    case 'ResourceInUseException':
      return new AppError(`${operation}: ${resource} is busy (${detail}); retry once it is ACTIVE`, { cause: error });
    default:
      return new AppError(`${operation} failed: ${name ?? 'error'}: ${detail}`, { cause: error });
  }
}
