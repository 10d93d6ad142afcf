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

test('one change may be several Stripe events: charges, saved cards and setup intents each get theirs', async () => {
  const endpoint = await s.webhookEndpoints.create({
    url,
    enabled_events: [
      'payment_intent.amount_capturable_updated', 'charge.succeeded', 'charge.captured', 'charge.failed',
      'charge.refunded', 'setup_intent.succeeded', 'payment_method.attached', 'payment_method.detached',
    ],
  });
  const verified = async (matches) => {
    const got = await delivery(matches);
    return s.webhooks.constructEvent(got.body, got.signature, endpoint.secret);
  };

  // An authorization: the intent's event and the charge's, each its own id; then the capture
  // and a refund of part of it.
  const pi = await s.paymentIntents.create({
    amount: 4100, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual',
  });
  const capturable = await verified((e) => e.type === 'payment_intent.amount_capturable_updated' && e.data.object.id === pi.id);
  const charged = await verified((e) => e.type === 'charge.succeeded' && e.data.object.payment_intent === pi.id);
  assert.notEqual(charged.id, capturable.id);
  assert.equal(charged.data.object.id, pi.latest_charge);
  assert.equal(charged.data.object.captured, false);
  assert.equal((await s.events.retrieve(charged.id)).type, 'charge.succeeded');
  await s.paymentIntents.capture(pi.id, { amount_to_capture: 3000 });
  const captured = await verified((e) => e.type === 'charge.captured' && e.data.object.payment_intent === pi.id);
  assert.equal(captured.data.object.amount_captured, 3000);
  await s.refunds.create({ payment_intent: pi.id, amount: 1000 });
  const refunded = await verified((e) => e.type === 'charge.refunded' && e.data.object.payment_intent === pi.id);
  assert.equal(refunded.data.object.amount_refunded, 1000);
  const charges = await s.events.list({ type: 'charge.succeeded', limit: 10 });
  assert.ok(charges.data.some((e) => e.id === charged.id));
  assert.ok(charges.data.every((e) => e.type === 'charge.succeeded'));

  // A decline is a failed charge.
  await assert.rejects(s.paymentIntents.create({
    amount: 4200, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true,
  }));
  const failed = await verified((e) => e.type === 'charge.failed' && e.data.object.amount === 4200);
  assert.equal(failed.data.object.status, 'failed');

  // A card set up for a customer: the setup intent succeeded and the payment method was
  // attached; detached later.
  const customer = await s.customers.create({ email: 'events@example.com' });
  const setup = await s.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
  const succeeded = await verified((e) => e.type === 'setup_intent.succeeded' && e.data.object.id === setup.id);
  assert.equal(succeeded.data.object.status, 'succeeded');
  const attached = await verified((e) => e.type === 'payment_method.attached' && e.data.object.id === setup.payment_method);
  assert.equal(attached.data.object.customer, customer.id);
  await s.paymentMethods.detach(setup.payment_method);
  const detached = await verified((e) => e.type === 'payment_method.detached' && e.data.object.id === setup.payment_method);
  assert.equal(detached.data.object.customer, null);
  await s.webhookEndpoints.del(endpoint.id);
});

test('each use of a test payment method is a payment method of its own', async () => {
  const one = await s.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
  const two = await s.paymentIntents.create({ amount: 600, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
  assert.match(one.payment_method, /^pm_/);
  assert.notEqual(one.payment_method, 'pm_card_visa');
  assert.notEqual(one.payment_method, two.payment_method);
  const method = await s.paymentMethods.retrieve(one.payment_method);
  assert.equal(method.card.last4, '4242');
  assert.equal(method.customer, null);
  const expanded = await s.paymentIntents.retrieve(two.id, { expand: ['payment_method'] });
  assert.equal(expanded.payment_method.id, two.payment_method);
  const charge = await s.charges.retrieve(one.latest_charge);
  assert.equal(charge.payment_method, one.payment_method);
});
