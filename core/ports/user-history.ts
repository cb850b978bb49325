/**
 * Which users have recorded activity. Personalize returns popularity-like scores for a user it has never seen; the
 * product instead gives a user without history exactly the non-personalised order, so serving asks here first.
 */
export interface UserHistory {
  hasHistory(userId: string): Promise<boolean>;
  /** Marks the user as having history; idempotent. */
  recordActivity(userId: string): Promise<void>;
  /** Marks many users at once (the users a model was trained on); idempotent, duplicates allowed. */
  recordActivities(userIds: readonly string[]): Promise<void>;
}
