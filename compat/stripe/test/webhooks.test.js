import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import Stripe from 'stripe';
import { stripe } from './helpers.js';

const s = stripe();
const received = [];
let server;
let url;

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks), signature: req.headers['stripe-signature'] });
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}/hook`;
});
after(() => server.close());

async function delivery(matches) {
  for (let i = 0; i < 200; i += 1) {
    const found = received.find((r) => matches(JSON.parse(r.body.toString())));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no such delivery arrived');
}

test('deliveries are signed so that stripe.webhooks.constructEvent accepts them', async () => {
  const endpoint = await s.webhookEndpoints.create({
    url,
    enabled_events: ['payment_intent.succeeded', 'payment_intent.payment_failed'],
    description: 'compat',
  });
  assert.equal(endpoint.object, 'webhook_endpoint');
  assert.match(endpoint.secret, /^whsec_/);
  assert.deepEqual(endpoint.enabled_events, ['payment_intent.succeeded', 'payment_intent.payment_failed']);

  const pi = await s.paymentIntents.create({ amount: 3100, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
  const got = await delivery((e) => e.type === 'payment_intent.succeeded' && e.data.object.id === pi.id);
  const event = s.webhooks.constructEvent(got.body, got.signature, endpoint.secret);
  assert.equal(event.object, 'event');
  assert.equal(event.data.object.amount_received, 3100);
  assert.equal(event.livemode, false);
  assert.match(event.id, /^evt_/);
  assert.throws(
    () => s.webhooks.constructEvent(got.body, got.signature, 'whsec_not_the_secret'),
    Stripe.errors.StripeSignatureVerificationError,
  );
  const again = await s.events.retrieve(event.id);
  assert.equal(again.type, 'payment_intent.succeeded');
  assert.equal(again.data.object.id, pi.id);
  const listed = await s.events.list({ type: 'payment_intent.succeeded', limit: 5 });
  assert.ok(listed.data.some((e) => e.id === event.id));
  assert.ok(listed.data.every((e) => e.type === 'payment_intent.succeeded'));

  // A declined payment reaches the endpoint too; an event it did not ask for does not.
  await assert.rejects(s.paymentIntents.create({
    amount: 3200, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true,
  }));
  await delivery((e) => e.type === 'payment_intent.payment_failed' && e.data.object.amount === 3200);
  assert.ok(!received.some((r) => JSON.parse(r.body.toString()).type === 'payment_intent.created'));

  const shown = await s.webhookEndpoints.retrieve(endpoint.id);
  assert.equal(shown.secret, undefined, 'the secret is shown once');
  const disabled = await s.webhookEndpoints.update(endpoint.id, { disabled: true });
  assert.equal(disabled.status, 'disabled');
  const all = await s.webhookEndpoints.list();
  assert.ok(all.data.some((e) => e.id === endpoint.id));
  const deleted = await s.webhookEndpoints.del(endpoint.id);
  assert.equal(deleted.deleted, true);
  await assert.rejects(s.webhookEndpoints.retrieve(endpoint.id), (err) => err.statusCode === 404);
});

test('an event type Kassa does not send is refused, named', async () => {
  await assert.rejects(
    s.webhookEndpoints.create({ url, enabled_events: ['invoice.paid'] }),
    (err) => err.statusCode === 400 && err.param === 'enabled_events' && /invoice\.paid/.test(err.message),
  );
});
