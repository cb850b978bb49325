import { ValidationError } from '../core/errors';
import { EVENT_TYPES, type EventType } from '../core/ports/ranker';
import type { EventRequest, SearchRequest } from './api-types';

/** API limits; each one is named in the error a request that breaks it gets. */
export const LIMITS = {
  maxK: 100,
  defaultK: 10,
  maxQueryChars: 500,
  maxImageBytes: 5 * 1024 * 1024,
  /** Personalize's USER_ID and ITEM_ID are strings of at most 256 characters. */
  maxIdChars: 256,
} as const;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function parseId(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ValidationError(`${field} must be a string`, { field });
  if (value.length === 0) throw new ValidationError(`${field} must not be empty`, { field });
  if (value.length > LIMITS.maxIdChars) {
    throw new ValidationError(`${field} is ${value.length} characters long; at most ${LIMITS.maxIdChars} are allowed`, { field });
  }
  if (CONTROL_CHARS.test(value)) throw new ValidationError(`${field} must not contain control characters`, { field });
  return value;
}

function parseNumber(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n)) throw new ValidationError(`${field} must be a number, got ${JSON.stringify(value)}`, { field });
  return n;
}

export function parseK(value: unknown): number {
  const k = parseNumber(value, 'k') ?? LIMITS.defaultK;
  if (!Number.isInteger(k) || k < 1 || k > LIMITS.maxK) {
    throw new ValidationError(`k must be a whole number from 1 to ${LIMITS.maxK}, got ${k}`, { field: 'k' });
  }
  return k;
}

export function parseWeight(value: unknown, defaultWeight: number): number {
  const weight = parseNumber(value, 'weight') ?? defaultWeight;
  if (weight < 0 || weight > 1) throw new ValidationError(`weight must be between 0 and 1, got ${weight}`, { field: 'weight' });
  return weight;
}

function parseQuery(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError('q must be a string', { field: 'q' });
  const q = value.trim();
  if (q.length > LIMITS.maxQueryChars) {
    throw new ValidationError(`q is ${q.length} characters long; at most ${LIMITS.maxQueryChars} are allowed`, { field: 'q' });
  }
  return q.length > 0 ? q : undefined;
}

const PNG = [0x89, 0x50, 0x4e, 0x47];
const JPEG = [0xff, 0xd8, 0xff];

function parseImage(value: unknown): Uint8Array | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ValidationError('image must be a base64 string', { field: 'image' });
  const base64 = value.replace(/^data:image\/[a-z]+;base64,/, '');
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(base64)) throw new ValidationError('image is not valid base64', { field: 'image' });
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > LIMITS.maxImageBytes) {
    throw new ValidationError(`image is ${bytes.length} bytes; at most ${LIMITS.maxImageBytes} (5 MB) are allowed`, { field: 'image' });
  }
  const startsWith = (magic: number[]) => magic.every((b, i) => bytes[i] === b);
  if (!startsWith(PNG) && !startsWith(JPEG)) throw new ValidationError('image must be a PNG or JPEG', { field: 'image' });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function optionalUserId(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : parseId(value, 'userId');
}

/** Validates a search from query-string parameters (GET) or a JSON body (POST). */
export function parseSearchRequest(input: Readonly<Record<string, unknown>>, defaultWeight: number): SearchRequest {
  const q = parseQuery(input.q);
  const image = parseImage(input.image);
  if (q === undefined && image === undefined) throw new ValidationError('give a text query q, an image, or both', { field: 'q' });
  const userId = optionalUserId(input.userId);
  return {
    ...(q !== undefined && { q }),
    ...(image !== undefined && { image }),
    ...(userId !== undefined && { userId }),
    k: parseK(input.k),
    weight: parseWeight(input.weight, defaultWeight),
  };
}

function parseEventType(value: unknown): EventType {
  if (typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value)) return value as EventType;
  throw new ValidationError(`eventType must be one of ${EVENT_TYPES.join(', ')}, got ${JSON.stringify(value)}`, { field: 'eventType' });
}

function parseTimestamp(value: unknown, now: Date): Date {
  if (value === undefined || value === null) return now;
  // Personalize's TIMESTAMP is epoch seconds; an ISO-8601 string is accepted too.
  const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new ValidationError('timestamp must be epoch seconds or an ISO-8601 date', { field: 'timestamp' });
  }
  return date;
}

export function parseEventRequest(body: Readonly<Record<string, unknown>>, now: Date): EventRequest {
  const userId = parseId(body.userId, 'userId');
  return {
    userId,
    imageId: parseId(body.imageId, 'imageId'),
    eventType: parseEventType(body.eventType),
    sessionId: body.sessionId === undefined ? userId : parseId(body.sessionId, 'sessionId'),
    timestamp: parseTimestamp(body.timestamp, now),
  };
}
