// Vipps' Webhooks API (not part of the SDK): registered with the SDK's own access token,
// deliveries of epayments.payment.*.v1 events checked with Vipps' HMAC scheme, as a
// merchant's receiver would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { GATEWAY, UNIT, payment, vipps } from './support.js';

/** A merchant's receiver: collects deliveries and checks each one's signature. */
async function receiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/vipps/hooks`, received, close: () => server.close() };
}

/** Vipps' scheme (webhooks-api request-authentication.md). */
function expectedAuthorization(secret, { path, headers, body }) {
  const contentHash = crypto.createHash('sha256').update(body).digest('base64');
  assert.equal(headers['x-ms-content-sha256'], contentHash);
  const signed = `POST\n${path}\n${headers['x-ms-date']};${headers.host};${contentHash}`;
  const signature = crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(signed).digest('base64');
  return `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`;
}

async function webhooksApi(sdk, method, path, body) {
  const token = await sdk.ePayment.accessTokenClient.get();
  const res = await fetch(`${GATEWAY}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'ocp-apim-subscription-key': UNIT.subscriptionKey,
      'merchant-serial-number': UNIT.merchantSerialNumber,
      'content-type': 'application/json',
    },
    body: body && JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

test('ePayment events reach a registered webhook, signed the Vipps way', async () => {
  const sdk = vipps();
  const hooks = await receiver();
  try {
    const events = ['epayments.payment.authorized.v1', 'epayments.payment.captured.v1', 'epayments.payment.refunded.v1'];
    const registered = await webhooksApi(sdk, 'POST', '/webhooks/v1/webhooks', { url: hooks.url, events });
    assert.equal(registered.status, 201);
    assert.equal(typeof registered.body.secret, 'string');

    const order = payment(800);
    await sdk.ePayment.createPayment(order);
    await sdk.ePayment.forceApprovePayment(order.reference);
    await sdk.ePayment.capturePayment(order.reference, { modificationAmount: { currency: 'NOK', value: 800 } });
    await sdk.ePayment.refundPayment(order.reference, { modificationAmount: { currency: 'NOK', value: 300 } });

    const deadline = Date.now() + 20000;
    while (hooks.received.length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const bodies = hooks.received.map((r) => JSON.parse(r.body));
    assert.deepEqual(bodies.map((b) => [b.name, b.amount.value]), [['AUTHORIZED', 800], ['CAPTURED', 800], ['REFUNDED', 300]]);
    for (const delivery of hooks.received) {
      assert.equal(delivery.headers.authorization, expectedAuthorization(registered.body.secret, delivery));
    }
    assert.ok(bodies.every((b) => b.reference === order.reference && b.msn === UNIT.merchantSerialNumber));

    const listed = await webhooksApi(sdk, 'GET', '/webhooks/v1/webhooks');
    assert.ok(listed.body.webhooks.some((w) => w.id === registered.body.id && w.url === hooks.url));
    const deleted = await webhooksApi(sdk, 'DELETE', `/webhooks/v1/webhooks/${registered.body.id}`);
    assert.equal(deleted.status, 204);
  } finally {
    hooks.close();
  }
});
