/** A published configuration value and when it was last written. */
export interface ParameterValue {
  readonly value: string;
  /** Lets a reader of several values notice that a multi-value publish is still in progress. */
  readonly lastModified?: Date;
}

/** Reads named configuration values published by another process (SSM Parameter Store on AWS). */
export interface ParameterReader {
  /** The values of the names that exist; names that do not exist are left out of the result. */
  getParameters(names: readonly string[]): Promise<Readonly<Record<string, ParameterValue>>>;
}
