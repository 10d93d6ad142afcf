import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import Stripe from 'stripe';
import { BASE, SECRET_KEY, stripe } from './helpers.js';

const s = stripe();

test('a payment intent confirmed with pm_card_visa at creation answers succeeded, as Stripe does', async () => {
  const pi = await s.paymentIntents.create({
    amount: 2000,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    confirm: true,
    automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    metadata: { order_id: '6735' },
  });
  assert.equal(pi.object, 'payment_intent');
  assert.equal(pi.status, 'succeeded');
  assert.equal(pi.amount_received, 2000);
  assert.equal(pi.currency, 'usd');
  assert.equal(typeof pi.created, 'number');
  assert.equal(pi.metadata.order_id, '6735');
  assert.match(pi.client_secret, new RegExp(`^${pi.id}_secret_`));
  assert.match(pi.lastResponse.requestId, /^req_/);
  const again = await s.paymentIntents.retrieve(pi.id);
  assert.equal(again.status, 'succeeded');
  assert.equal(again.amount_received, 2000);
});

test('manual capture: authorized, then part captured, the rest released', async () => {
  const pi = await s.paymentIntents.create({
    amount: 1500, currency: 'eur', payment_method: 'pm_card_mastercard', confirm: true, capture_method: 'manual',
  });
  assert.equal(pi.status, 'requires_capture');
  assert.equal(pi.amount_capturable, 1500);
  const captured = await s.paymentIntents.capture(pi.id, { amount_to_capture: 600 });
  assert.equal(captured.status, 'succeeded');
  assert.equal(captured.amount_received, 600);
  assert.equal(captured.amount_capturable, 0);
});

test('a declined card is a 402 StripeCardError carrying the payment intent, back at requires_payment_method', async () => {
  await assert.rejects(
    s.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }),
    (err) => {
      assert.ok(err instanceof Stripe.errors.StripeCardError, err.constructor.name);
      assert.equal(err.statusCode, 402);
      assert.equal(err.code, 'card_declined');
      assert.equal(err.decline_code, 'generic_decline');
      assert.equal(err.raw.payment_intent.status, 'requires_payment_method');
      assert.equal(err.raw.payment_intent.last_payment_error.code, 'card_declined');
      return true;
    },
  );
  await assert.rejects(
    s.paymentIntents.create({
      amount: 1000, currency: 'usd', payment_method: 'pm_card_chargeDeclinedInsufficientFunds', confirm: true,
    }),
    (err) => err.decline_code === 'insufficient_funds' && err.statusCode === 402,
  );
});

test('created, updated, then confirmed; a confirmed payment cannot be updated; canceled', async () => {
  const pi = await s.paymentIntents.create({ amount: 700, currency: 'usd', description: 'draft' });
  assert.equal(pi.status, 'requires_payment_method');
  const updated = await s.paymentIntents.update(pi.id, { description: 'Two coffees', metadata: { table: '4' } });
  assert.equal(updated.description, 'Two coffees');
  assert.equal(updated.metadata.table, '4');
  const confirmed = await s.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
  assert.equal(confirmed.status, 'succeeded');
  await assert.rejects(s.paymentIntents.cancel(pi.id), (err) => err.statusCode === 400 && err.type === 'StripeInvalidRequestError');

  const other = await s.paymentIntents.create({ amount: 900, currency: 'usd' });
  const canceled = await s.paymentIntents.cancel(other.id, { cancellation_reason: 'requested_by_customer' });
  assert.equal(canceled.status, 'canceled');
  assert.equal(canceled.cancellation_reason, 'requested_by_customer');
});

test('lists page newest first, and auto-paging walks every page', async () => {
  const made = [];
  for (let i = 0; i < 3; i += 1) {
    made.push((await s.paymentIntents.create({ amount: 100 + i, currency: 'usd' })).id);
  }
  const first = await s.paymentIntents.list({ limit: 2 });
  assert.equal(first.object, 'list');
  assert.equal(first.url, '/v1/payment_intents');
  assert.deepEqual(first.data.map((p) => p.id), [made[2], made[1]]);
  assert.equal(first.has_more, true);
  const next = await s.paymentIntents.list({ limit: 2, starting_after: made[1] });
  assert.equal(next.data[0].id, made[0]);
  const before = await s.paymentIntents.list({ limit: 1, ending_before: made[1] });
  assert.deepEqual(before.data.map((p) => p.id), [made[2]]);
  const all = await s.paymentIntents.list({ limit: 2 }).autoPagingToArray({ limit: 5 });
  assert.deepEqual(all.slice(0, 3).map((p) => p.id), [made[2], made[1], made[0]]);
  const ids = new Set();
  for await (const pi of s.paymentIntents.list({ limit: 3 })) {
    assert.ok(!ids.has(pi.id), 'no payment twice');
    ids.add(pi.id);
  }
  assert.ok(made.every((id) => ids.has(id)));
});

test('refunds: partial, listed by payment intent, retrieved', async () => {
  const pi = await s.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
  const refund = await s.refunds.create({ payment_intent: pi.id, amount: 1200, reason: 'requested_by_customer' });
  assert.equal(refund.object, 'refund');
  assert.equal(refund.amount, 1200);
  assert.equal(refund.payment_intent, pi.id);
  assert.ok(['pending', 'succeeded'].includes(refund.status), refund.status);
  await s.refunds.create({ payment_intent: pi.id });
  const listed = await s.refunds.list({ payment_intent: pi.id });
  assert.deepEqual(listed.data.map((r) => r.amount).sort((a, b) => a - b), [1200, 3800]);
  const again = await s.refunds.retrieve(refund.id);
  assert.equal(again.id, refund.id);
  await assert.rejects(s.refunds.create({ payment_intent: pi.id, amount: 1 }), (err) => err.statusCode === 400);
});

test("Stripe's errors: 404 resource_missing, 400 parameter_unknown, 401, unrecognized URLs", async () => {
  await assert.rejects(s.paymentIntents.retrieve('pi_doesnotexist'), (err) => {
    assert.ok(err instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(err.statusCode, 404);
    assert.equal(err.code, 'resource_missing');
    return true;
  });
  await assert.rejects(s.paymentIntents.create({ amount: 100, currency: 'usd', colour: 'blue' }), (err) => {
    assert.equal(err.statusCode, 400);
    assert.equal(err.code, 'parameter_unknown');
    assert.equal(err.param, 'colour');
    return true;
  });
  await assert.rejects(s.paymentIntents.create({ amount: -5, currency: 'usd' }), (err) => err.statusCode === 400 && err.param === 'amount');
  await assert.rejects(stripe('sk_test_notakey').paymentIntents.list(), (err) => {
    assert.ok(err instanceof Stripe.errors.StripeAuthenticationError, err.constructor.name);
    return true;
  });
  const unknown = await fetch(`${BASE}/v1/teleports`, { headers: { authorization: `Bearer ${SECRET_KEY}` } });
  assert.equal(unknown.status, 404);
  assert.match((await unknown.json()).error.message, /Unrecognized request URL/);
});

test('idempotency: the same key and parameters replay the first answer; other parameters are an idempotency error', async () => {
  const key = randomUUID();
  const first = await s.paymentIntents.create({ amount: 4200, currency: 'usd' }, { idempotencyKey: key });
  const replay = await s.paymentIntents.create({ amount: 4200, currency: 'usd' }, { idempotencyKey: key });
  assert.equal(replay.id, first.id);
  assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');
  await assert.rejects(
    s.paymentIntents.create({ amount: 4300, currency: 'usd' }, { idempotencyKey: key }),
    (err) => err instanceof Stripe.errors.StripeIdempotencyError && err.statusCode === 400,
  );
});

test('every answer echoes the Stripe-Version asked for', async () => {
  const pi = await stripe(SECRET_KEY, { apiVersion: '2024-12-18.acacia' }).paymentIntents.create({ amount: 100, currency: 'usd' });
  assert.equal(pi.lastResponse.apiVersion, '2024-12-18.acacia');
});
