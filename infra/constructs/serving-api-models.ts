/**
 * JSON schemas API Gateway validates request bodies against before a Lambda runs; they mirror (and never loosen)
 * serving/request-validation.ts, which stays the authority and gives the precise error messages.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { EVENT_TYPES } from '../../core/ports/ranker';
import { LIMITS } from '../../serving/request-validation';

const id = { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: LIMITS.maxIdChars };

export const searchBodySchema: apigw.JsonSchema = {
  schema: apigw.JsonSchemaVersion.DRAFT4,
  title: 'SearchBody',
  type: apigw.JsonSchemaType.OBJECT,
  properties: {
    q: { type: apigw.JsonSchemaType.STRING, maxLength: LIMITS.maxQueryChars + 100 },
    // Base64 of at most maxImageBytes (4/3 larger), plus an optional data: URL prefix.
    image: { type: apigw.JsonSchemaType.STRING, maxLength: Math.ceil((LIMITS.maxImageBytes * 4) / 3) + 64 },
    userId: id,
    k: { type: [apigw.JsonSchemaType.INTEGER, apigw.JsonSchemaType.STRING] },
    weight: { type: [apigw.JsonSchemaType.NUMBER, apigw.JsonSchemaType.STRING] },
  },
  anyOf: [{ required: ['q'] }, { required: ['image'] }],
};

export const eventsBodySchema: apigw.JsonSchema = {
  schema: apigw.JsonSchemaVersion.DRAFT4,
  title: 'EventBody',
  type: apigw.JsonSchemaType.OBJECT,
  required: ['userId', 'imageId', 'eventType'],
  properties: {
    userId: id,
    imageId: id,
    sessionId: id,
    eventType: { type: apigw.JsonSchemaType.STRING, enum: [...EVENT_TYPES] },
    timestamp: { type: [apigw.JsonSchemaType.NUMBER, apigw.JsonSchemaType.STRING] },
  },
};
