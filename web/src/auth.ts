// API keys as the UI handles them. Pure functions, no storage or network.
//
// `tokenscope keys create` prints a public key (`pk-ts-` and 16 hex digits) and a secret key
// (`sk-ts-` and 32 base62 characters). The login page posts the secret (with the public key,
// when given; the server then also checks that the two belong together) to /api/v1/auth/login
// and keeps neither. The encode/decode helpers below are for clients that send headers.

export interface ApiCredential {
  secret: string;
  publicId?: string;
}

const SECRET = /sk-ts-[0-9A-Za-z]{1,32}/;
const PUBLIC = /pk-ts-[0-9a-fA-F]{1,16}/;

/**
 * Reads what a user typed or pasted: a secret key, `public:secret`, the text `tokenscope keys
 * create` prints (or its --json output), or, for a server that issues other keys, any one
 * token. `publicId` is what the separate public key field holds, if anything. Returns null when
 * there is no key in it.
 */
export function parseKeyInput(text: string, publicId = ''): ApiCredential | null {
  const trimmed = text.trim();
  const pub = publicId.trim();
  if (!trimmed) return null;
  const secret = SECRET.exec(trimmed)?.[0];
  if (secret) {
    const found = PUBLIC.exec(trimmed)?.[0] ?? (pub || undefined);
    return found ? { secret, publicId: found } : { secret };
  }
  // `public:secret` of some other form, or a bare token.
  if (/\s/.test(trimmed)) return null;
  const colon = trimmed.indexOf(':');
  if (colon > 0 && colon < trimmed.length - 1) {
    return { publicId: trimmed.slice(0, colon), secret: trimmed.slice(colon + 1) };
  }
  return pub ? { secret: trimmed, publicId: pub } : { secret: trimmed };
}

/**
 * Where to go after signing in: `next` when it is a path of this app (never another origin,
 * never the login page itself), else the traces page.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/login/')) return '/';
  return next;
}
