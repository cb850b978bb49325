/**
 * Validation shared by every Ranker adapter, so the local ranker and Personalize refuse the same input with the same
 * message. Personalize's ids are strings of at most 256 characters:
 * https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_Event.html
 */
import { ValidationError } from './errors';
import { EVENT_TYPES, type TrackedEvent } from './ports/ranker';

export const MAX_ID_LENGTH = 256;

export function requireId(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > MAX_ID_LENGTH) {
    throw new ValidationError(`${field} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`, { field });
  }
}

export function validateEvent(event: TrackedEvent, index: number): void {
  if (!EVENT_TYPES.includes(event.eventType)) {
    throw new ValidationError(`events[${index}].eventType "${String(event.eventType)}" is not one of ${EVENT_TYPES.join(', ')}`, { field: 'eventType' });
  }
  if (typeof event.itemId !== 'string' || event.itemId.trim().length === 0 || event.itemId.length > MAX_ID_LENGTH) {
    throw new ValidationError(`events[${index}].itemId must be a non-empty string of at most ${MAX_ID_LENGTH} characters`, { field: 'itemId' });
  }
  if (!(event.sentAt instanceof Date) || !Number.isFinite(event.sentAt.getTime())) {
    throw new ValidationError(`events[${index}].sentAt is not a valid date`, { field: 'sentAt' });
  }
}
