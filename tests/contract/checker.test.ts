import { openApiDocument } from '../../lib/api/openapi';
import { ContractChecker } from './checker';

/** The contract test is only as good as its checker: it must see each kind of mismatch. */
const checker = new ContractChecker(openApiDocument() as unknown as Record<string, unknown>);

const answer = (status: number, headers: Record<string, string>, body: unknown = '') => ({
  status,
  headers: new Headers(headers),
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const json = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r-1' };
const health = { status: 'ok', version: '0.1.0', mongodb: { ok: true, latencyMs: 1 } };

describe('the contract checker', () => {
  it('accepts an answer the document describes', () => {
    expect(checker.check('GET', '/api/health', answer(200, json, health))).toEqual([]);
  });

  it('finds an undeclared status, a wrong body, a wrong media type and an undocumented operation', () => {
    expect(checker.check('GET', '/api/health', answer(418, json, health))).toEqual(['status 418 is not declared']);
    expect(checker.check('GET', '/api/health', answer(200, json, { ...health, status: 'fine' }))).toEqual([
      'body: /status must be equal to one of the allowed values',
    ]);
    expect(checker.check('GET', '/api/health', answer(200, { ...json, 'content-type': 'text/plain' }, 'ok'))).toEqual([
      'content type text/plain is not one of application/json',
    ]);
    expect(checker.check('DELETE', '/api/health', answer(200, json, health))).toEqual([
      'DELETE /api/health is not in the document',
    ]);
  });

  it('finds a missing required header, a malformed one and an undeclared one', () => {
    const { 'x-request-id': _id, ...noId } = json;
    expect(checker.check('GET', '/api/health', answer(200, noId, health))).toEqual([
      'required header x-request-id is missing',
    ]);
    expect(checker.check('GET', '/api/health', answer(200, { ...json, 'x-cache': 'hit' }, health))).toEqual([
      'header x-cache is not declared',
    ]);
    const unused = answer(200, { ...json, 'x-total-count': 'many' }, []);
    expect(checker.check('GET', '/api/library/{id}/unused', unused)).toEqual(
      expect.arrayContaining(['header x-total-count=many: (root) must be integer']),
    );
  });

  it('checks error codes against the enum of the answer, through shared responses', () => {
    const error = (code: string) =>
      answer(401, { ...json, 'www-authenticate': 'Bearer realm="plm"' }, { error: { code, message: 'no' } });
    expect(checker.check('GET', '/api/libraries', error('TOKEN_EXPIRED'))).toEqual([]);
    expect(checker.check('GET', '/api/libraries', error('INVALID_CREDENTIALS'))).toEqual([
      'body: /error/code must be equal to one of the allowed values',
    ]);
    expect(
      checker.check('POST', '/api/logout', answer(204, { 'x-request-id': 'r', 'content-type': 'application/json' })),
    ).toEqual(['a content type (application/json) where no body is declared']);
  });
});
