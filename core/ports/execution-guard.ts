/** One pipeline run at a time: two runs would build generations and swap the alias over each other. */
export interface RunClaim {
  /** The run's id: a Step Functions execution ARN, or the local run's id. */
  readonly runId: string;
  readonly startedAt: Date;
}

export interface ExecutionGuard {
  /** Throws ConcurrentRunError, naming the other run, when another run is in progress; claiming twice is fine. */
  claim(run: RunClaim): Promise<void>;
  /** Ends a claim. A no-op where the backend tracks running runs itself (Step Functions executions). */
  release(runId: string): Promise<void>;
}
