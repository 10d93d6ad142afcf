import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { BASE, SECRET_KEY } from './helpers.js';
import Stripe from 'stripe';

/** A proxy in front of the face that loses the answer to the first payment it forwards: the
 * gateway acted, the client never heard. */
async function lossyProxy() {
  let lost = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const upstream = await fetch(`${BASE}${req.url}`, {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')),
        body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      if (req.method === 'POST' && req.url === '/v1/payment_intents' && lost === 0) {
        lost += 1;
        req.socket.destroy();
        return;
      }
      res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: server.address().port, lost: () => lost };
}

test('an answer lost on the way back is retried by the SDK with its key, and the card is charged once', async () => {
  const proxy = await lossyProxy();
  try {
    const s = new Stripe(SECRET_KEY, { host: '127.0.0.1', port: proxy.port, protocol: 'http', maxNetworkRetries: 2 });
    const run = `lost${Date.now()}`;
    const pi = await s.paymentIntents.create({
      amount: 4100, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { run },
    });
    assert.equal(proxy.lost(), 1, 'the first answer was lost');
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.lastResponse.headers['idempotent-replayed'], 'true');
    const made = await s.paymentIntents.search({ query: `metadata["run"]:"${run}"` });
    assert.deepEqual(made.data.map((p) => p.id), [pi.id], 'one payment, charged once');
  } finally {
    proxy.server.close();
  }
});
