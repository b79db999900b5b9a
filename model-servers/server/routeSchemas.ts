// JSON schemas of the model server's routes, checked by fastify's ajv (bodies) and used by fast-json-stringify (replies).

/** Widest feature row and largest batch a request may carry; the body limit (413) bounds the rest. */
export const MAX_FEATURES = 4096;
export const MAX_BATCH_ROWS = 100_000;
export const MAX_OUTCOMES = 10_000;

// null is JSON's only way to say "missing" (NaN): such a row holds, as in replay.
const value = { type: ['number', 'null'] } as const;
const featureObject = { type: 'object', maxProperties: MAX_FEATURES, additionalProperties: value } as const;

export const predictBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    features: featureObject,
    rows: { type: 'array', minItems: 1, maxItems: MAX_BATCH_ROWS, items: { type: 'array', maxItems: MAX_FEATURES, items: value } },
    names: { type: 'array', maxItems: MAX_FEATURES, uniqueItems: true, items: { type: 'string', minLength: 1 } },
  },
} as const;

export interface PredictBody {
  features?: Record<string, number | null>;
  rows?: (number | null)[][];
  names?: string[];
}

const probabilities = {
  type: 'object',
  properties: { short: { type: 'number' }, hold: { type: 'number' }, long: { type: 'number' } },
} as const;

const modelRef = { type: 'object', properties: { id: { type: 'string' }, version: { type: ['integer', 'string'] } } } as const;

export const predictReply = {
  type: 'object',
  properties: {
    predictions: {
      type: 'array',
      items: { type: 'object', properties: { action: { type: 'string' }, confidence: { type: 'number' }, probabilities } },
    },
    model: modelRef,
  },
} as const;

export const retrainBody = {
  type: 'object',
  additionalProperties: false,
  required: ['outcomes'],
  properties: {
    outcomes: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_OUTCOMES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ts', 'row', 'side', 'entryPrice', 'exitPrice', 'pnl', 'label'],
        properties: {
          ts: { type: 'integer' },
          row: { type: 'integer', minimum: 0 },
          side: { enum: ['long', 'short'] },
          entryPrice: { type: 'number', exclusiveMinimum: 0 },
          exitPrice: { type: 'number', exclusiveMinimum: 0 },
          pnl: { type: 'number' },
          label: { enum: ['long', 'short', 'hold'] },
          features: featureObject,
        },
      },
    },
  },
} as const;

export const retrainReply = {
  type: 'object',
  properties: { accepted: { type: 'integer' }, pending: { type: 'integer' }, model: modelRef, retraining: { type: 'boolean' } },
} as const;

export const errorReply = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' }, hint: { type: 'string' } } },
  },
} as const;
