/**
 * Validation shared by every Ranker adapter, so the local ranker and Personalize refuse the same input with the same
 * message. Personalize's ids are strings of at most 256 characters:
 * https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_Event.html
 */
import { ValidationError } from './errors';
import { EVENT_TYPES, type TrackedEvent } from './ports/ranker';

// GetPersonalizedRanking's limit: https://docs.aws.amazon.com/personalize/latest/dg/API_RS_GetPersonalizedRanking.html
export const MAX_INPUT_LIST = 500;

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

/** 1 to 500 distinct, non-empty item ids, as GetPersonalizedRanking takes. */
export function validateInputList(list: readonly string[]): void {
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_INPUT_LIST) {
    throw new ValidationError(`inputList has ${Array.isArray(list) ? list.length : 0} items: expected 1 to ${MAX_INPUT_LIST}`, { field: 'inputList' });
  }
  const seen = new Set<string>();
  list.forEach((id, i) => {
    if (typeof id !== 'string' || id.length === 0) throw new ValidationError(`inputList[${i}] is empty (inputList has ${list.length} items)`, { field: 'inputList' });
    if (seen.has(id)) throw new ValidationError(`inputList has "${id}" twice`, { field: 'inputList' });
    seen.add(id);
  });
}
