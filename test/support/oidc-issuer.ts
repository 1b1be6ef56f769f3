import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';

/**
 * Stands in for Google's token issuer: serves its public keys in the format of
 * Google's federated sign-on PEM endpoint and signs RS256 ID tokens like the ones
 * Pub/Sub attaches to push requests.
 */
export interface TestIssuer {
  certsUrl: string;
  token(claims: Record<string, unknown>, opts?: { key?: KeyObject; kid?: string }): string;
  /** A key the issuer does not publish (for forged tokens). */
  foreignKey: KeyObject;
  close(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export async function startTestIssuer(): Promise<TestIssuer> {
  const kid = 'test-key-1';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'public, max-age=3600');
    res.end(JSON.stringify({ [kid]: publicKey.export({ type: 'spki', format: 'pem' }) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    certsUrl: `http://127.0.0.1:${port}/oauth2/v1/certs`,
    foreignKey,
    token(claims, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: opts.kid ?? kid }));
      const payload = b64url(
        JSON.stringify({ iss: 'https://accounts.google.com', iat: now, exp: now + 3600, sub: '1234567890', ...claims }),
      );
      const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), opts.key ?? privateKey);
      return `${header}.${payload}.${b64url(signature)}`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
