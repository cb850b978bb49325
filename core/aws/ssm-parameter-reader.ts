/**
 * The ParameterReader port on SSM Parameter Store: one GetParameters call for up to 10 names, so the values come from
 * one read. https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AppError, ValidationError } from '../errors';
import type { ParameterReader, ParameterValue } from '../ports/parameter-reader';
import { errorMessage, errorName } from './retry';

export interface SsmParameterReaderProps {
  /** @default new SSMClient({ region }) */
  readonly client?: SSMClient;
  readonly region?: string;
}

// GetParameters accepts at most 10 names per call.
export const MAX_NAMES_PER_CALL = 10;

export class SsmParameterReader implements ParameterReader {
  private readonly client: SSMClient;

  constructor(props: SsmParameterReaderProps = {}) {
    this.client = props.client ?? new SSMClient(props.region !== undefined ? { region: props.region } : {});
  }

  async getParameters(names: readonly string[]): Promise<Readonly<Record<string, ParameterValue>>> {
    if (names.length === 0 || names.length > MAX_NAMES_PER_CALL) {
      throw new ValidationError(`give 1 to ${MAX_NAMES_PER_CALL} parameter names, got ${names.length}`, { field: 'names' });
    }
    let response;
    try {
      response = await this.client.send(new GetParametersCommand({ Names: [...names] }));
    } catch (error) {
      throw new AppError(`SSM GetParameters ${names.join(', ')} failed: ${errorName(error) ?? 'Error'}: ${errorMessage(error)}`, { cause: error });
    }
    const values: Record<string, ParameterValue> = {};
    for (const parameter of response.Parameters ?? []) {
      if (parameter.Name === undefined || parameter.Value === undefined) continue;
      values[parameter.Name] = { value: parameter.Value, ...(parameter.LastModifiedDate !== undefined && { lastModified: parameter.LastModifiedDate }) };
    }
    return values;
  }
}
