import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { stripe } from './helpers.js';

const s = stripe();

test('a card saved with a setup intent is charged off-session, and listed as the customer\'s', async () => {
  const customer = await s.customers.create({ email: `saver-${Date.now()}@example.com` });
  const setup = await s.setupIntents.create({
    customer: customer.id, payment_method: 'pm_card_visa', confirm: true, usage: 'off_session',
  });
  assert.equal(setup.object, 'setup_intent');
  assert.equal(setup.status, 'succeeded');
  assert.match(setup.id, /^seti_/);
  const again = await s.setupIntents.retrieve(setup.id);
  assert.equal(again.payment_method, setup.payment_method);

  const methods = await s.customers.listPaymentMethods(customer.id);
  assert.deepEqual(methods.data.map((m) => m.id), [setup.payment_method]);
  assert.equal(methods.data[0].card.last4, '4242');
  assert.equal(methods.data[0].customer, customer.id);

  const charged = await s.paymentIntents.create({
    amount: 1999, currency: 'usd', customer: customer.id, payment_method: setup.payment_method,
    off_session: true, confirm: true,
  });
  assert.equal(charged.status, 'succeeded');
  assert.equal(charged.payment_method, setup.payment_method);
  const listed = await s.setupIntents.list({ customer: customer.id });
  assert.deepEqual(listed.data.map((i) => i.id), [setup.id]);
});

test('payment methods: created from card details, attached, detached; a refused card is a 402', async () => {
  const customer = await s.customers.create({ name: 'Card Holder' });
  const pm = await s.paymentMethods.create({ type: 'card', card: { number: '5555555555554444', exp_month: 12, exp_year: 2034, cvc: '123' } });
  assert.equal(pm.object, 'payment_method');
  assert.equal(pm.card.brand, 'mastercard');
  assert.equal(pm.customer, null);
  const attached = await s.paymentMethods.attach(pm.id, { customer: customer.id });
  assert.equal(attached.customer, customer.id);
  const byToken = await s.paymentMethods.create({ type: 'card', card: { token: 'tok_amex' } });
  assert.equal(byToken.card.brand, 'amex');
  const magic = await s.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  assert.notEqual(magic.id, 'pm_card_visa', 'a saved card of its own');
  const listed = await s.paymentMethods.list({ customer: customer.id, type: 'card' });
  assert.deepEqual(new Set(listed.data.map((m) => m.id)), new Set([pm.id, magic.id]));
  const detached = await s.paymentMethods.detach(pm.id);
  assert.equal(detached.customer, null);

  await assert.rejects(s.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id }), (err) => {
    assert.ok(err instanceof Stripe.errors.StripeCardError, err.constructor.name);
    assert.equal(err.code, 'card_declined');
    return true;
  });
  await assert.rejects(s.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_chargeDeclined', confirm: true }), (err) => {
    assert.equal(err.statusCode, 402);
    assert.equal(err.raw.setup_intent.status, 'requires_payment_method');
    return true;
  });
  await assert.rejects(
    s.paymentMethods.create({ type: 'card', card: { number: '4242424242424241', exp_month: 12, exp_year: 2034, cvc: '123' } }),
    (err) => err.statusCode === 400 && err.param === 'card[number]',
  );
});
