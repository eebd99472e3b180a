// The Bot Framework's token issuer, locally: an OpenID metadata document and its signing keys
// (endorsed for msteams), and tokens signed with them, so that a bot's token validation can be
// exercised on the path that accepts a request; and the forgeries an attacker would try with them.
import { createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const encodeParts = (header: object, payload: unknown) => `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
const rs256 = (signed: string, key: KeyObject) => `${signed}.${base64url(createSign('RSA-SHA256').update(signed).sign(key))}`;

/** The issuer of Entra ID tokens that botbuilder takes as the Bot Framework Emulator's. */
export const emulatorIssuer = 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/';

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

  /** The claims of a token for `appId` and `serviceUrl`, as the Bot Framework writes them. */
  claims(appId: string, serviceUrl: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return { iss: this.issuer, aud: appId, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + 3600, ...overrides };
  }

  /** Any header and claims, signed with the real key (RS256, under its kid unless the header says otherwise). */
  sign(claims: unknown, header: Record<string, unknown> = {}): string {
    return rs256(encodeParts({ alg: 'RS256', typ: 'JWT', kid: this.kid, ...header }, claims), this.keys.privateKey);
  }

  /** A token as the Bot Framework sends it with an activity for the bot `appId`. */
  token(appId: string, serviceUrl: string, overrides: Record<string, unknown> = {}): string {
    return this.sign(this.claims(appId, serviceUrl, overrides));
  }

  /**
   * A token of the kind botbuilder accepts from the Bot Framework Emulator: issued by Entra ID to
   * the bot's own app id (signed here with the same key), with no serviceurl claim.
   */
  emulatorToken(appId: string): string {
    const now = Math.floor(Date.now() / 1000);
    return this.sign({ iss: emulatorIssuer, aud: appId, appid: appId, ver: '1.0', nbf: now - 60, iat: now - 60, exp: now + 3600 });
  }

  /** Tokens for `appId` and `serviceUrl` that a careful bot refuses, by how they were forged. */
  forgedTokens(appId: string, serviceUrl: string): Record<string, string> {
    const claims = this.claims(appId, serviceUrl);
    const [header, payload, signature] = this.token(appId, serviceUrl).split('.') as [string, string, string];
    // The key as botbuilder holds it (PKCS#1 PEM), used as an HMAC secret: the classic algorithm confusion.
    const publicPem = (this.keys.publicKey as KeyObject).export({ type: 'pkcs1', format: 'pem' }).toString();
    const hs256Input = encodeParts({ alg: 'HS256', typ: 'JWT', kid: this.kid }, claims);
    const flipped = (text: string) => `${text.slice(0, 10)}${text[10] === 'A' ? 'B' : 'A'}${text.slice(11)}`;
    return {
      'alg none with the real kid': `${encodeParts({ alg: 'none', typ: 'JWT', kid: this.kid }, claims)}.`,
      'HS256 keyed with the RSA public key': `${hs256Input}.${createHmac('sha256', publicPem).update(hs256Input).digest('base64url')}`,
      'signed by another RSA key under the real kid': rs256(encodeParts({ alg: 'RS256', typ: 'JWT', kid: this.kid }, claims), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
      'nbf an hour in the future': this.token(appId, serviceUrl, { nbf: Math.floor(Date.now() / 1000) + 3600 }),
      'signature stripped': `${header}.${payload}.`,
      'no signature part': `${header}.${payload}`,
      'signature altered': `${header}.${payload}.${flipped(signature)}`,
      'claims altered after signing': `${header}.${base64url(JSON.stringify({ ...claims, aud: appId, serviceurl: 'https://elsewhere.example/' }))}.${signature}`,
      'unknown kid': this.sign(claims, { kid: 'no-such-key' }),
    };
  }
}
