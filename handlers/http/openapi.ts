/**
 * The OpenAPI 3.1 document of the API, generated from the route registry (api-contract.ts) and
 * the zod schemas it names, with zod 4's own z.toJSONSchema: OpenAPI 3.1's schema dialect is JSON
 * Schema 2020-12, which is what zod emits, so no other library stands between the schemas the
 * handlers validate with and the document. Never edited by hand: `npm run openapi` writes it out.
 */
import { z } from 'zod';
import { apiSchemas, envelopeOf } from '../../domain/api-schemas';
import pkg from '../../package.json';
import { API_CONTRACT, type ResponseContract, type RouteContract } from './api-contract';

type Json = Record<string, unknown>;
export type OpenApiDocument = Json & { openapi: '3.1.0'; paths: Record<string, Record<string, Json>> };

const COMPONENT = '#/components/schemas/';

/** Drops what belongs to a standalone JSON Schema document and points refs at the components. */
function embed(schema: unknown): Json {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema' || key === '$id' || key === '$defs') continue;
      if (key === '$ref' && typeof value === 'string') out[key] = value.replace('#/$defs/', COMPONENT);
      else out[key] = walk(value);
    }
    return out;
  };
  return walk(schema) as Json;
}

/** A response schema: named schemas of the registry become refs to the components. */
function outputSchema(schema: z.ZodType): Json {
  return embed(z.toJSONSchema(schema, { metadata: apiSchemas, io: 'output' }));
}

/** A request schema, as the client sends it (before coercion and defaults). */
function inputSchema(schema: z.ZodType): Json {
  return embed(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
}

/** The query's fields, from a strict object or a union of them; required when every branch needs it. */
function queryParameters(query: NonNullable<RouteContract['query']>): Json[] {
  const json = inputSchema(query.schema) as { anyOf?: Json[] } & Json;
  const branches = (json.anyOf ?? [json]) as { properties?: Record<string, Json>; required?: string[] }[];
  const names = [...new Set(branches.flatMap((b) => Object.keys(b.properties ?? {})))];
  return names.map((name) => ({
    name,
    in: 'query',
    required: branches.every((b) => b.required?.includes(name)),
    description: query.descriptions[name],
    schema: branches.find((b) => b.properties?.[name])?.properties?.[name],
  }));
}

/** The headers that matter to a client; an answer that names one always carries it. */
const HEADERS = {
  ETag: {
    description: 'A strong validator of the body; send it back in If-None-Match',
    required: true,
    schema: { type: 'string' },
  },
  Location: {
    description: 'Where the created resource (or the move to poll) is',
    required: true,
    schema: { type: 'string' },
  },
  'Retry-After': {
    description: 'Seconds to wait before re-sending the same request',
    required: true,
    schema: { type: 'integer', minimum: 0 },
  },
};

/** The ErrorEnvelope component, its code narrowed to those this answer can carry. */
function errorSchema(codes: readonly string[]): Json {
  return {
    allOf: [
      { $ref: `${COMPONENT}ErrorEnvelope` },
      // Names every field of `error` again: Redocly's example check reads the ref's
      // additionalProperties: false as applying across both branches.
      {
        type: 'object',
        properties: {
          error: { type: 'object', properties: { code: { enum: codes }, message: {}, details: {} } },
        },
      },
    ],
  };
}

/** Answers any operation can give, from the function URL in front of the handlers or the mapper. */
const COMMON: Record<number, ResponseContract> = {
  403: {
    description:
      "forbidden: the SigV4 signature was rejected (missing, wrong, expired), the signed principal has no role, or the caller's role may not make this request (details.role, details.required); writes_disabled: the stage's write policy refuses this write for everyone",
    codes: ['forbidden', 'writes_disabled'],
  },
  429: {
    description:
      "too_many_requests: every slot of the function's reserved concurrency is busy (the function URL sheds the request before the handler runs); retry after Retry-After seconds, with jitter",
    codes: ['too_many_requests'],
    headers: ['Retry-After'],
  },
  500: { description: 'An unexpected failure; details carry only a request_id', codes: ['internal_error'] },
};

function response(r: ResponseContract): Json {
  const schema = r.data
    ? outputSchema(envelopeOf(r.data))
    : r.codes
      ? errorSchema(r.codes)
      : r.raw
        ? outputSchema(r.raw)
        : undefined;
  return {
    description: r.description,
    ...(r.headers
      ? {
          headers: Object.fromEntries(r.headers.map((h) => [h, { $ref: `#/components/headers/${h}` }])),
        }
      : {}),
    ...(schema
      ? { content: { 'application/json': { schema, ...(r.example ? { example: r.example } : {}) } } }
      : {}),
  };
}

function operation(key: string, route: RouteContract): Json {
  const parameters = [
    ...Object.entries(route.pathParams ?? {}).map(([name, p]) => ({
      name,
      in: 'path',
      required: true,
      description: p.description,
      schema: inputSchema(p.schema),
    })),
    ...(route.query ? queryParameters(route.query) : []),
  ];
  const responses = { ...route.responses, ...COMMON };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(parameters.length ? { parameters } : {}),
    ...(route.maxDays ? { 'x-max-days': route.maxDays } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: inputSchema(route.body.schema), example: route.body.example },
            },
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(responses)
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([status, r]) => [status, response(r)]),
      ),
      429: {
        description:
          'Throttled by the function URL (the Lambda concurrency is exhausted): answered by AWS, not in the envelope; retry with backoff',
      },
    },
    'x-route': key,
  };
}

/** The document for `contract` (the API's own by default). */
export function buildOpenApiDocument(
  contract: Record<string, RouteContract> = API_CONTRACT,
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const [key, route] of Object.entries(contract)) {
    const [method, path] = key.split(' ') as [string, string];
    (paths[path] ??= {})[method.toLowerCase()] = operation(key, route);
  }
  const components = z.toJSONSchema(apiSchemas, { uri: (id) => `${COMPONENT}${id}`, io: 'output' });
  return {
    openapi: '3.1.0',
    info: {
      title: "Edgar's Auto Shop status board API",
      version: pkg.version,
      description:
        'JSON with snake_case fields. Success: `{"ok":true,"data":…}`; failure: the ErrorEnvelope, whose ' +
        '`details` name the fields at fault. Every request is signed with AWS SigV4 (service `lambda`), as a ' +
        'Lambda function URL with AuthType AWS_IAM requires; `npm start` runs a signing proxy on :8080. A path ' +
        'no operation has is a 404 `not_found`; a documented path with another method is a 405 ' +
        '`method_not_allowed` whose `details.allowed` lists the methods.',
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
    },
    servers: [
      { url: 'http://localhost:8080', description: 'The signing proxy of `npm start` (it signs for you)' },
      {
        url: 'https://{url_id}.lambda-url.{region}.on.aws',
        description: 'The deployed function URL (sign with SigV4)',
        variables: { url_id: { default: 'example' }, region: { default: 'us-west-2' } },
      },
    ],
    security: [{ sigv4: [] }],
    tags: [
      { name: 'health', description: 'Liveness' },
      { name: 'shop', description: 'Customers, vehicles, the catalog and appointments' },
      { name: 'board', description: 'The status board and the dashboard figures' },
      { name: 'moves', description: 'Moving cards between columns: submit, then poll' },
      { name: 'meta', description: 'This document' },
    ],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components.schemas).map(([id, s]) => [id, embed(s)])),
      headers: HEADERS,
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'AWS Signature Version 4 for service `lambda` in the deployment region: a Lambda function URL with ' +
            'AuthType AWS_IAM. Sign every request (e.g. `curl --aws-sigv4 "aws:amz:us-west-2:lambda"`), or go ' +
            'through the signing proxy.',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
}

let cached: OpenApiDocument | undefined;
/** Built once per container: the contract does not change while the code runs. */
export function openApiDocument(): OpenApiDocument {
  return (cached ??= buildOpenApiDocument());
}
