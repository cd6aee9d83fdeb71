/**
 * Checks an HTTP answer against the OpenAPI document (ajv, JSON Schema 2020-12, OpenAPI 3.1's
 * dialect): the status is documented for the operation, the body matches that answer's schema and
 * the headers it names are there. `startTestApp().request()` runs it on every answer, so every
 * integration test is also a contract test and a new one is covered without doing anything.
 *
 * Outside the documented operations the API answers only with the error envelope: 404 for a path
 * no operation has, 405 (details.allowed: the documented methods) for another method on one that
 * has some; the function URL's 403 (bad signature) and 413 (over 6 MB) can come before routing.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument, type OpenApiDocument } from '../../handlers/http/openapi';

type Json = Record<string, any>;

export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined when empty or not JSON (see text). */
  body: unknown;
  text: string;
}

const COMPONENTS_ID = 'components';
const BEFORE_ROUTING = [403, 413];

/** Points `#/components/schemas/X` at the $defs of one schema ajv holds, so refs resolve. */
function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string'
        ? v.replace('#/components/schemas/', `${COMPONENTS_ID}#/$defs/`)
        : rebase(v),
    ]),
  );
}

interface PathEntry {
  template: string;
  regex: RegExp;
  captures: number;
  operations: Record<string, Json>;
}

export class ContractChecker {
  private readonly ajv: Ajv2020;
  private readonly paths: PathEntry[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly doc: OpenApiDocument = openApiDocument()) {
    // The document is linted by Redocly; here ajv only validates, so keywords such as
    // `description` or zod's `format: ulid` must not stop it.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addFormat('ulid', /^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$/);
    const schemas = (doc.components as Json).schemas as Json;
    this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: rebase(schemas) as Json });
    this.paths = Object.entries(doc.paths)
      .map(([template, operations]) => ({
        template,
        operations,
        captures: (template.match(/\{/g) ?? []).length,
        regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      }))
      // Literal paths win over captures, as in the router (/appointments/board before /{id}).
      .sort((a, b) => a.captures - b.captures);
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.ajv.compile(rebase(schema) as Json);
      this.compiled.set(key, fn);
    }
    return fn;
  }

  private checkBody(key: string, schema: Json | undefined, answer: Answer, problems: string[]): void {
    if (!schema) {
      if (answer.text !== '') problems.push(`documented without a body, got ${answer.text.slice(0, 200)}`);
      return;
    }
    if (answer.body === undefined) {
      problems.push(`body is not JSON: ${answer.text.slice(0, 200)}`);
      return;
    }
    const validate = this.validator(key, schema);
    if (!validate(answer.body)) {
      problems.push(
        ...(validate.errors ?? []).map(
          (e) => `body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
        ),
      );
    }
  }

  /** What is wrong with `answer` to `method url`; empty when it is what the document says. */
  problems(method: string, url: string, answer: Answer): string[] {
    const path = url.split('?')[0] ?? url;
    const problems: string[] = [];
    const entry = this.paths.find((p) => p.regex.test(path));
    const envelope = { $ref: '#/components/schemas/ErrorEnvelope' };
    if (!entry || !entry.operations[method.toLowerCase()]) {
      const expected = entry ? 405 : 404;
      if (answer.status !== expected && !BEFORE_ROUTING.includes(answer.status)) {
        problems.push(`${method} ${path} is not documented: expected ${expected}, got ${answer.status}`);
      }
      this.checkBody('envelope', envelope, answer, problems);
      if (entry && answer.status === 405) {
        const allowed = [...((answer.body as Json)?.error?.details?.allowed ?? [])].sort();
        const documented = Object.keys(entry.operations)
          .map((m) => m.toUpperCase())
          .sort();
        if (JSON.stringify(allowed) !== JSON.stringify(documented)) {
          problems.push(`405 allows ${allowed.join(',')}; the document has ${documented.join(',')}`);
        }
      }
      return problems;
    }
    const operation = entry.operations[method.toLowerCase()] as Json;
    const response = operation.responses?.[String(answer.status)] as Json | undefined;
    if (!response) {
      const documented = Object.keys(operation.responses ?? {}).join(', ');
      return [`${method} ${entry.template} answered ${answer.status}, not documented (${documented})`];
    }
    // A 429 comes from the function URL, not the API: its body is AWS's.
    if (answer.status !== 429) {
      this.checkBody(
        `${method} ${entry.template} ${answer.status}`,
        response.content?.['application/json']?.schema,
        answer,
        problems,
      );
    }
    for (const name of Object.keys(response.headers ?? {})) {
      if (!answer.headers.has(name)) problems.push(`header ${name} is documented but missing`);
    }
    return problems;
  }

  /** Throws, naming every problem, unless `answer` is what the document says. */
  assert(method: string, url: string, answer: Answer): void {
    const problems = this.problems(method, url, answer);
    if (problems.length > 0) {
      throw new Error(
        `the answer to ${method} ${url} (${answer.status}) disagrees with the OpenAPI document:\n  ` +
          problems.join('\n  '),
      );
    }
  }
}

let shared: ContractChecker | undefined;
export function contractChecker(): ContractChecker {
  return (shared ??= new ContractChecker());
}
