import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripe } from './helpers.js';

const s = stripe();

test("a payment's charge: latest_charge, retrieved, listed by payment intent, refunded by charge", async () => {
  const pi = await s.paymentIntents.create({
    amount: 2500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual',
  });
  assert.match(pi.latest_charge, /^ch_/);
  const authorized = await s.charges.retrieve(pi.latest_charge);
  assert.equal(authorized.object, 'charge');
  assert.equal(authorized.payment_intent, pi.id);
  assert.equal(authorized.captured, false);
  assert.equal(authorized.paid, true);
  assert.equal(authorized.payment_method_details.card.last4, '4242');
  assert.equal(authorized.payment_method_details.card.brand, 'visa');

  await s.paymentIntents.capture(pi.id, { amount_to_capture: 2000 });
  const captured = await s.charges.retrieve(pi.latest_charge);
  assert.equal(captured.captured, true);
  assert.equal(captured.amount_captured, 2000);
  assert.match(captured.receipt_url, /\/receipts\//);

  const listed = await s.charges.list({ payment_intent: pi.id });
  assert.deepEqual(listed.data.map((c) => c.id), [pi.latest_charge]);
  const refund = await s.refunds.create({ charge: pi.latest_charge, amount: 500 });
  assert.equal(refund.payment_intent, pi.id);
  assert.equal(refund.charge, pi.latest_charge);
  const byCharge = await s.refunds.list({ charge: pi.latest_charge });
  assert.deepEqual(byCharge.data.map((r) => r.id), [refund.id]);

  const fresh = await s.paymentIntents.create({ amount: 100, currency: 'usd' });
  assert.equal(fresh.latest_charge, null, 'no attempt, no charge');
  const recent = await s.charges.list({ limit: 3 });
  assert.ok(recent.data.every((c) => c.object === 'charge'));
  assert.ok(recent.data.some((c) => c.id === pi.latest_charge));
});

test('expand: latest_charge and customer, nested and on lists', async () => {
  const customer = await s.customers.create({ email: `exp-${Date.now()}@example.com` });
  const pi = await s.paymentIntents.create({
    amount: 900, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, customer: customer.id,
    expand: ['latest_charge', 'customer'],
  });
  assert.equal(pi.latest_charge.object, 'charge');
  assert.equal(pi.customer.id, customer.id);
  const again = await s.paymentIntents.retrieve(pi.id, { expand: ['latest_charge.customer'] });
  assert.equal(again.latest_charge.customer.email, customer.email);
  const refund = await s.refunds.create({ payment_intent: pi.id, expand: ['payment_intent'] });
  assert.equal(refund.payment_intent.id, pi.id);
  const page = await s.paymentIntents.list({ limit: 1, expand: ['data.customer'] });
  assert.equal(page.data[0].customer.object, 'customer');
  await assert.rejects(s.paymentIntents.retrieve(pi.id, { expand: ['amount'] }), (err) => err.statusCode === 400 && err.param === 'expand');
});
