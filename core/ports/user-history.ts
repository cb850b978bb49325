/**
 * Which users have recorded activity. Personalize returns popularity-like scores for a user it has never seen; the
 * product instead gives a user without history exactly the non-personalised order, so serving asks here first.
 */
export interface UserHistory {
  hasHistory(userId: string): Promise<boolean>;
  /** Marks the user as having history; idempotent. */
  recordActivity(userId: string): Promise<void>;
}
