/**
 * A growing execution history served the way GetExecutionHistory serves it: newest first with `reverseOrder`, in
 * pages whose tokens are offsets (so an event appended between two pages pushes an older one onto the next page).
 * Tests reveal more of the history at each poll, through the adapter's injected sleep.
 */
import type { GetExecutionHistoryCommandInput, GetExecutionHistoryCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';

const T0 = Date.parse('2027-01-03T03:00:00Z');

/** An event `seconds` after the run's start. */
export function at(seconds: number): Date {
  return new Date(T0 + seconds * 1000);
}

export class FakeHistory {
  readonly events: HistoryEvent[] = [];
  visible = 0;
  /** Runs after each page is served: lets a test append events in the middle of a poll's paging. */
  afterPage: ((pageNumber: number) => void) | undefined;
  private pagesServed = 0;
  private readonly pageSize: number;

  constructor(pageSize = 3) {
    this.pageSize = pageSize;
  }

  /** Appends an event with the next id; `details` is the event's `<type>EventDetails` object when given. */
  add(type: string, seconds: number, details?: Record<string, unknown>): this {
    const id = this.events.length + 1;
    const key = `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
    const detailKey = type.endsWith('StateEntered') ? 'stateEnteredEventDetails' : type.endsWith('StateExited') ? 'stateExitedEventDetails' : key;
    this.events.push({ id, type: type as HistoryEvent['type'], timestamp: at(seconds), previousEventId: id - 1, ...(details && { [detailKey]: details }) });
    return this;
  }

  reveal(count = this.events.length): void {
    this.visible = count;
  }

  page(input: GetExecutionHistoryCommandInput): GetExecutionHistoryCommandOutput {
    const shown = this.events.slice(0, this.visible);
    const ordered = input.reverseOrder ? [...shown].reverse() : shown;
    const offset = input.nextToken === undefined ? 0 : Number(input.nextToken);
    const events = ordered.slice(offset, offset + this.pageSize);
    const next = offset + this.pageSize < ordered.length ? String(offset + this.pageSize) : undefined;
    this.pagesServed++;
    this.afterPage?.(this.pagesServed);
    return { events, ...(next !== undefined && { nextToken: next }), $metadata: {} };
  }
}
