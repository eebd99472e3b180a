import assert from 'node:assert/strict';
import { createLogger, redactUrl } from '../src/logger.js';

describe('logger', () => {
  it('redacts the values of secret query parameters in a URL and keeps the rest', () => {
    assert.equal(
      redactUrl('/admin/sync?token=s3cret&page=2&api_key=k&client_secret=c&sig=x&code=123&X-Amz-Signature=abc&password=p&q=leave'),
      '/admin/sync?token=[redacted]&page=2&api_key=[redacted]&client_secret=[redacted]&sig=[redacted]&code=[redacted]&X-Amz-Signature=[redacted]&password=[redacted]&q=leave',
    );
    assert.equal(redactUrl('/api/chat'), '/api/chat');
  });

  it('writes no secret, wherever in a line it is: headers a library error carries, tokens and form bodies in messages', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJib3QifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const error = Object.assign(new Error('request failed'), {
      original: Object.assign(new Error('socket hang up'), { config: { headers: { Authorization: 'Bearer xoxb-1234-5678-abcdefgh' }, data: 'grant_type=client_credentials&client_secret=app-password-value&scope=x' } }),
      request: { url: 'https://smba.example/v3/conversations?sig=abc', headers: { authorization: `Bearer ${jwt}` } },
    });
    logger.error({ err: error, appPassword: 'app-password-value', url: '/x?token=query-token-value' }, `failed with ${jwt} and xapp-1-A0-secret`);
    const line = lines.join('');
    for (const secret of ['xoxb-1234', 'app-password-value', 'query-token-value', jwt, 'xapp-1-A0-secret', 'sig=abc']) assert.ok(!line.includes(secret), `${secret} in ${line}`);
    assert.match(line, /socket hang up/, 'the error itself is still there');
    JSON.parse(line);
  });

  it('writes readable lines for a person at a terminal, secrets redacted all the same', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) }, { pretty: true });
    logger.child({ component: 'turn', platform: 'slack', eventId: 'Ev42' }).info({ outcome: 'answer', token: 'plain-token-value', url: '/x?token=query-token-value' }, 'turn finished with Bearer abc.def.ghi and xoxb-1234-5678');
    const line = lines.join('');
    assert.match(line, /INFO.*\[turn\] turn finished/);
    assert.match(line, /"eventId":"Ev42"/);
    assert.throws(() => JSON.parse(line), 'not a JSON line');
    for (const secret of ['plain-token-value', 'query-token-value', 'abc.def.ghi', 'xoxb-1234']) assert.ok(!line.includes(secret), `${secret} in ${line}`);
  });

  it('writes JSON lines to a destination that is not a terminal', () => {
    const lines: string[] = [];
    createLogger('info', { write: (line: string) => void lines.push(line) }).info({ outcome: 'none' }, 'turn finished');
    assert.equal((JSON.parse(lines[0]!) as { outcome: string }).outcome, 'none');
  });
});
