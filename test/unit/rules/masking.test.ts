import { describe, expect, it } from 'vitest';
import { excerpt } from '../../../src/rules/evidence.js';
import { FindingMasker } from '../../../src/rules/finding-masker.js';
import { maskEvidence, maskText } from '../../../src/rules/masking.js';
import { isSecretName } from '../../../src/rules/secret-names.js';

const S = 'S3CR3T-value-42';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('isSecretName: the contract list, whole words for the short names', () => {
  it.each([
    'token', 'accessToken', 'refresh_token', 'secret', 'client_secret', 'password', 'passwd', 'pwd', 'apiKey', 'api_key', 'x-api-key',
    'authorization', 'session', 'sessionId', 'cookie', 'set-cookie', 'credential', 'credentials', 'private_key', 'privateKey',
    'card', 'cardNumber', 'card_number', 'pan', 'cvv', 'cvc', 'ssn', 'PASSWORD', 'jsessionid', 'JSESSIONID',
  ])('%s is a secret', (name) => expect(isSecretName(name)).toBe(true));
  it.each(['id', 'name', 'company', 'expand', 'className', 'discard', 'cardinality', 'status', 'message', 'location', 'content-type', 'panel'])(
    '%s is not',
    (name) => expect(isSecretName(name)).toBe(false),
  );
  it('takes configured names as they are', () => {
    expect(isSecretName('x-tenant', new Set(['x-tenant']))).toBe(true);
  });
});

describe('maskText: every quoting and every form', () => {
  const cases: Array<[string, string]> = [
    ['JSON member', `{"password":"${S}","id":1}`],
    ['JSON member with spaces', `{ "token" : "${S}" }`],
    ['single-quoted (Python) member', `{'password': '${S}', 'id': 1}`],
    ['\\u-escaped name', `{"\\u0070assword": "${S}"}`],
    ['fully \\u-escaped name', `{"\\u0074\\u006f\\u006b\\u0065\\u006e": "${S}"}`],
    ['escaped quotes (JSON in a string)', `{\\"secret\\":\\"${S}\\"}`],
    ['bare value', `{"ssn": ${S}}`],
    ['nested object under a secret name', `{'card': {'number': '${S}', 'exp': '12/30'}}`],
    ['form-encoded', `user=bob&password=${S}&x=1`],
    ['query parameter of a URL', `https://app.example/cb?state=1&access_token=${S}`],
    ['fragment parameter', `https://app.example/cb#token=${S}`],
    ['; path parameter', `/cart;jsessionid=${S}/items`],
    ['Bearer in text', `denied for Bearer ${S} at 12:00`],
    ['Basic in text', `Authorization: Basic ${Buffer.from(`u:${S}`).toString('base64')}`],
    ['JWT in text', `session expired: ${JWT} (renew)`],
    ['header line', `Cookie: sid=${S}; theme=dark`],
    ['YAML-ish', `api_key: ${S}\nname: x`],
  ];
  it.each(cases)('%s', (_what, text) => {
    const masked = maskText(text);
    expect(masked).not.toContain(S);
    expect(masked).not.toContain(JWT.split('.')[1]);
    expect(masked).not.toContain(Buffer.from(`u:${S}`).toString('base64'));
    expect(masked).toContain('***');
  });
  it('a CVV number member is masked', () => {
    expect(maskText('{"cvv": 123, "id": 7}')).toBe('{"cvv": ***, "id": 7}');
  });
  it('leaves ordinary text and auth parameters alone', () => {
    expect(maskText('{"id":42,"name":"widget"}')).toBe('{"id":42,"name":"widget"}');
    expect(maskText('Bearer realm="api", error="invalid_token"')).toBe('Bearer realm="api", error="invalid_token"');
  });
  it('keeps the quotes of a masked quoted value', () => {
    expect(maskText(`{"password":"${S}","id":1}`)).toBe('{"password":"***","id":1}');
    expect(maskText(`{'password': '${S}'}`)).toBe("{'password': '***'}");
  });
});

describe('excerpt and evidence', () => {
  it('masks members nested deeper than any fixed depth', () => {
    let deep: Record<string, unknown> = { password: S };
    for (let i = 0; i < 15; i++) deep = { level: deep };
    const text = JSON.stringify(deep);
    expect(excerpt(text, JSON.parse(text))).not.toContain(S);
    expect(excerpt(text)).not.toContain(S);
    expect(JSON.stringify(maskEvidence({ body: deep }))).not.toContain(S);
  });
  it('masks before it cuts: a long prefix does not expose the secret', () => {
    const text = `${'x'.repeat(190)} token=${S}`;
    expect(excerpt(text)).not.toContain(S.slice(0, 4));
  });
  it('masks secret-named evidence members and headers, keeps booleans, bounds strings', () => {
    const masker = new FindingMasker(['x-tenant']);
    const finding = masker.mask('custom', 'error', {
      message: `GET /x answered with Location https://a/b?token=${S}`,
      evidence: {
        credentialsPresent: false,
        headers: { 'set-cookie': [`sid=${S}`], authorization: `Bearer ${S}`, 'x-tenant': S, location: `/next?code=1&api_key=${S}` },
        long: 'y'.repeat(10_000),
      },
    });
    const text = JSON.stringify(finding);
    expect(text).not.toContain(S);
    expect(finding.evidence.credentialsPresent).toBe(false);
    expect((finding.evidence.long as string).length).toBeLessThanOrEqual(300);
    expect(text.length).toBeLessThan(2000);
  });
});
