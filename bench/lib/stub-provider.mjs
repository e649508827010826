// A tiny provider for the client benchmarks, in its own process: node:http, canned answers.
// Counts logins and refreshes; `expiresIn` (argv) sets the lifetime of the tokens it hands out.
import { createServer } from 'node:http';
import jwt from 'jsonwebtoken';

const expiresIn = Number(process.argv[2] ?? 3600);
const counts = { logins: 0, refreshes: 0, calls: 0 };
const campaigns = JSON.stringify({ data: [{ id: 'cmp_1', name: 'Spring' }], meta: { total: 1, page: 1, per_page: 20 } });
const affiliates = JSON.stringify({ data: [{ id: 'aff_01', name: 'Ada' }], meta: { total: 1, cursor: null } });
const key = 'stub-provider-signing-key';
let serial = 0;
const token = () => jwt.sign({ sub: 'usr_1', n: serial++ }, key, { expiresIn });
const json = (res, status, text) => {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const server = createServer((req, res) => {
  let chunks = '';
  req.on('data', (c) => (chunks += c));
  req.on('end', () => {
    const path = req.url.split('?')[0];
    if (req.method === 'POST' && (path === '/api/auth/login' || path === '/api/auth/refresh')) {
      if (path.endsWith('login')) counts.logins++;
      else counts.refreshes++;
      return json(res, 200, JSON.stringify({ access_token: token(), refresh_token: token(), token_type: 'bearer', expires_in: expiresIn }));
    }
    if (req.method === 'POST' && (path === '/v1/auth/brand/login' || path === '/v1/auth/refresh')) {
      if (path.endsWith('login')) counts.logins++;
      else counts.refreshes++;
      return json(res, 200, JSON.stringify({ data: { accessToken: token(), user: { id: 'usr_1', email: 'a@b.c', brandId: 'b1' } } }));
    }
    counts.calls++;
    if (!req.headers.authorization) return json(res, 401, '{"detail":"missing","error_code":"TOKEN_INVALID","status":401}');
    if (path === '/api/campaigns') return json(res, 200, campaigns);
    if (path === '/v1/affiliates') return json(res, 200, affiliates);
    return json(res, 404, '{}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m?.cmd === 'counts') process.send({ counts });
  if (m?.cmd === 'reset') {
    counts.logins = counts.refreshes = counts.calls = 0;
    process.send({ reset: true });
  }
});
