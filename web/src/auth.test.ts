import { describe, expect, test } from 'vitest';
import { parseKeyInput, safeNextPath } from './auth';

const SECRET = 'sk-ts-0123456789ABCDEFGHIJabcdefghijKL'; // 32 characters after the prefix
const PUBLIC = 'pk-ts-0123456789abcdef';

// What `tokenscope keys create` prints (src/cli/keys_command.cc).
const PRINTED = `Created a read-write key for project alpha:
  public key: ${PUBLIC}
  secret key: ${SECRET}
The secret key is shown only now; Tokenscope keeps only its hash. Send it as
Authorization: Bearer <secret key>, x-api-key: <secret key>, or HTTP Basic
<public key>:<secret key>.
`;

describe('parseKeyInput', () => {
  test('a bare secret key', () => {
    expect(parseKeyInput(`  ${SECRET}\n`)).toEqual({ secret: SECRET });
  });

  test('a secret with the public key from its own field', () => {
    expect(parseKeyInput(SECRET, ` ${PUBLIC} `)).toEqual({ secret: SECRET, publicId: PUBLIC });
  });

  test('public:secret', () => {
    expect(parseKeyInput(`${PUBLIC}:${SECRET}`)).toEqual({ secret: SECRET, publicId: PUBLIC });
  });

  test('the whole output of keys create, also with its line breaks stripped', () => {
    expect(parseKeyInput(PRINTED)).toEqual({ secret: SECRET, publicId: PUBLIC });
    // An <input> drops newlines, gluing "The secret key…" to the secret.
    expect(parseKeyInput(PRINTED.replace(/\n/g, ''))).toEqual({ secret: SECRET, publicId: PUBLIC });
  });

  test('the --json output of keys create', () => {
    const json = JSON.stringify({ id: PUBLIC, project: 'alpha', scope: 'read-write', secret: SECRET });
    expect(parseKeyInput(json)).toEqual({ secret: SECRET, publicId: PUBLIC });
  });

  test('a key in the pasted text wins over the public key field', () => {
    expect(parseKeyInput(PRINTED, 'pk-ts-ffffffffffffffff')).toEqual({ secret: SECRET, publicId: PUBLIC });
  });

  test('other single tokens are taken as they are; prose and blanks are not keys', () => {
    expect(parseKeyInput('my-token')).toEqual({ secret: 'my-token' });
    expect(parseKeyInput('user:pass')).toEqual({ secret: 'pass', publicId: 'user' });
    expect(parseKeyInput('   ')).toBeNull();
    expect(parseKeyInput('not a key')).toBeNull();
  });
});

describe('safeNextPath', () => {
  test('paths of the app pass', () => {
    expect(safeNextPath('/dashboard?range=1h')).toBe('/dashboard?range=1h');
    expect(safeNextPath('/traces/abc?span=1')).toBe('/traces/abc?span=1');
  });

  test('other origins, the login page and nothing go to the traces page', () => {
    for (const next of [null, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', 'dashboard', '/login', '/login?next=/x']) {
      expect(safeNextPath(next)).toBe('/');
    }
  });
});
