import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Checks real answers against an OpenAPI 3.1 document, as a client author's
 * test would: the status must be declared for the operation, the media type
 * too, the body must match its schema (JSON Schema 2020-12, with Ajv), every
 * required header must be there and valid, and no header outside the
 * transport/security set may appear undeclared.
 */

type Json = Record<string, unknown>;

interface HeaderObject {
  required?: boolean;
  schema?: Json;
  $ref?: string;
}
interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: Json }>;
  headers?: Record<string, HeaderObject>;
}
interface OperationObject {
  responses: Record<string, ResponseObject>;
}

/** Headers that describe the transport or protect the client, on every answer; the document describes the API's own. */
const GENERIC_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'vary',
  'cache-control',
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
  'content-security-policy',
  'referrer-policy',
  'cross-origin-resource-policy',
  'access-control-allow-origin',
  'access-control-expose-headers',
]);

export interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

/** A JSON pointer into the document, as a URI fragment. */
const pointer = (...segments: string[]): string =>
  `#/${segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;

const mediaTypeOf = (contentType: string | null): string | undefined =>
  contentType?.split(';')[0]?.trim().toLowerCase();

export class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly doc: Json) {
    addFormats(this.ajv);
    this.ajv.addSchema(doc, 'openapi.json');
  }

  private resolve<T>(ref: string): T {
    return ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (node as Json)[key.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc) as T;
  }

  private validator(fragment: string): ValidateFunction {
    let validate = this.compiled.get(fragment);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.json${fragment}` });
      this.compiled.set(fragment, validate);
    }
    return validate;
  }

  private errorsOf(fragment: string, value: unknown): string[] {
    const validate = this.validator(fragment);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
  }

  /** Every way `answer` differs from what the document says `method path` answers; [] when it matches. */
  check(method: string, path: string, answer: Answer): string[] {
    const m = method.toLowerCase();
    const operation = (this.doc.paths as Record<string, Record<string, OperationObject>> | undefined)?.[path]?.[m];
    if (!operation) return [`${method} ${path} is not in the document`];
    let base = pointer('paths', path, m, 'responses', String(answer.status));
    let response = operation.responses[String(answer.status)];
    if (!response) return [`status ${answer.status} is not declared`];
    if (response.$ref) {
      base = response.$ref;
      response = this.resolve<ResponseObject>(response.$ref);
    }
    return [...this.bodyProblems(base, response, answer), ...this.headerProblems(base, response, answer)];
  }

  private bodyProblems(base: string, response: ResponseObject, answer: Answer): string[] {
    const type = mediaTypeOf(answer.headers.get('content-type'));
    if (!response.content) {
      const problems = answer.body ? [`a body where none is declared: ${answer.body.slice(0, 80)}`] : [];
      return type ? [...problems, `a content type (${type}) where no body is declared`] : problems;
    }
    if (!type || !(type in response.content)) {
      return [`content type ${type ?? '(none)'} is not one of ${Object.keys(response.content).join(', ')}`];
    }
    if (type !== 'application/json') return answer.body ? [] : [`an empty ${type} body`];
    let value: unknown;
    try {
      value = JSON.parse(answer.body);
    } catch {
      return ['the body is not JSON'];
    }
    return this.errorsOf(`${base}/content/${encodeURIComponent(type.replace(/\//g, '~1'))}/schema`, value).map(
      (e) => `body: ${e}`,
    );
  }

  private headerProblems(base: string, response: ResponseObject, answer: Answer): string[] {
    const declared = new Map<string, { fragment: string; header: HeaderObject }>();
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const resolved = header.$ref ? this.resolve<HeaderObject>(header.$ref) : header;
      const fragment = `${header.$ref ?? `${base}/headers/${encodeURIComponent(name)}`}/schema`;
      declared.set(name.toLowerCase(), { fragment, header: resolved });
    }
    const problems: string[] = [];
    for (const [name, { fragment, header }] of declared) {
      const value = answer.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`required header ${name} is missing`);
        continue;
      }
      // Header values are text: a header declared as an integer must be written as one.
      const typed = header.schema?.type === 'integer' ? (/^-?[0-9]+$/.test(value) ? Number(value) : value) : value;
      problems.push(...this.errorsOf(fragment, typed).map((e) => `header ${name}=${value}: ${e}`));
    }
    answer.headers.forEach((_value, name) => {
      if (!GENERIC_HEADERS.has(name) && !declared.has(name)) problems.push(`header ${name} is not declared`);
    });
    return problems;
  }
}
