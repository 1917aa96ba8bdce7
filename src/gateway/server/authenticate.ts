import type { IncomingMessage } from 'node:http';
import type { JWTVerifyGetKey } from 'jose';
import type { ResolvedConfig } from '../../shared/config/index.ts';
import { ConfigError } from '../../shared/errors/index.ts';
import type { Viewer } from '../context.ts';
import { GraphQLError } from '../graphqlJs.ts';

/** Verifies a bearer token; resolves undefined for anonymous callers when auth is optional. */
export type Authenticate = (token: string | undefined) => Promise<Viewer | undefined>;

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Extracts the token of an `Authorization: Bearer <token>` header or connection param. */
export function bearerToken(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  return match ? match[1] : value.trim();
}

/**
 * Creates the JWT check of `gateway.auth`: HS256 with `jwtSecret` or any JWKS algorithm with
 * `jwksUrl`, optional issuer/audience. Without `auth` every caller is anonymous. An `auth` section
 * without exactly one key is refused (config validation refuses it first; this guards configs built
 * in code), so a missing key can never let callers in.
 */
export function createAuthenticate(config: ResolvedConfig): Authenticate {
  const auth = config.gateway.auth;
  if (!auth) return async () => undefined;
  if (!auth.jwtSecret === !auth.jwksUrl) {
    throw new ConfigError(
      'Validation failed: gateway.auth needs exactly one of jwtSecret and jwksUrl to verify tokens.',
    );
  }
  // jose is loaded only by a gateway that checks tokens (it is about 10 MB of memory).
  const jose = import('jose');
  const jwksUrl = auth.jwtSecret ? undefined : new URL(auth.jwksUrl!);
  const key: Promise<Uint8Array | JWTVerifyGetKey> = jwksUrl
    ? jose.then(({ createRemoteJWKSet }) => createRemoteJWKSet(jwksUrl))
    : Promise.resolve(new TextEncoder().encode(auth.jwtSecret));
  const options = {
    issuer: auth.issuer,
    audience: auth.audience,
    algorithms: auth.jwtSecret ? ['HS256'] : undefined,
  };
  return async (token) => {
    if (!token) {
      if (auth.required) throw unauthenticated('Authentication required: send Authorization: Bearer <JWT>.');
      return undefined;
    }
    const [{ jwtVerify }, resolvedKey] = await Promise.all([jose, key]);
    try {
      const { payload } =
        resolvedKey instanceof Uint8Array
          ? await jwtVerify(token, resolvedKey, options)
          : await jwtVerify(token, resolvedKey, options);
      return { subject: payload.sub, claims: payload as Record<string, unknown> };
    } catch (error) {
      throw unauthenticated(`Invalid token: ${(error as Error).message}`);
    }
  };
}

/** The viewer of an HTTP request; rejects like {@link Authenticate}. */
export type RequestViewer = (request: IncomingMessage) => Promise<Viewer | undefined>;

/**
 * Authenticates each HTTP request once: the rate limit (keyed by the token's subject) and yoga's
 * context both ask, and get the same verification.
 */
export function createRequestViewer(authenticate: Authenticate): RequestViewer {
  const viewers = new WeakMap<IncomingMessage, Promise<Viewer | undefined>>();
  return (request) => {
    let viewer = viewers.get(request);
    if (!viewer) {
      viewer = authenticate(bearerToken(request.headers.authorization));
      // Stored rejections are handled by whoever asks; keep an unasked one from being "unhandled".
      viewer.catch(() => {});
      viewers.set(request, viewer);
    }
    return viewer;
  };
}
