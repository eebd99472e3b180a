// The Bot Framework's token issuer, locally: an OpenID metadata document and its signing keys
// (endorsed for msteams), and tokens signed with them, so that a bot's token validation can be
// exercised on the path that accepts a request.
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export class FakeBotFrameworkAuth {
  readonly issuer = 'https://api.botframework.com';
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly kid = 'fake-signing-key';
  private server: http.Server | null = null;
  url = '';

  get metadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/.well-known/openidconfiguration') {
        res.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${this.url}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      } else if (req.url === '/v1/.well-known/keys') {
        const jwk = (this.keys.publicKey as KeyObject).export({ format: 'jwk' });
        res.end(JSON.stringify({ keys: [{ ...jwk, kty: 'RSA', use: 'sig', kid: this.kid, endorsements: ['msteams'] }] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A token as the Bot Framework sends it with an activity for the bot `appId`. */
  token(appId: string, serviceUrl: string, overrides: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.kid }));
    const payload = base64url(JSON.stringify({ iss: this.issuer, aud: appId, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + 3600, ...overrides }));
    const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(this.keys.privateKey);
    return `${header}.${payload}.${base64url(signature)}`;
  }
}
