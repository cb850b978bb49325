/** The CloudFormation stack's name: what `cdk deploy` creates and what the operator CLI reads the outputs of. */

/** The stack `cdk deploy` creates unless the config names another. */
export const DEFAULT_STACK_NAME = 'ImageSearch';

/** CloudFormation's rule for stack names: letters, digits and "-", starting with a letter, at most 128 characters. */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
