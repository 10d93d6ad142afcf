import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { stripe } from './helpers.js';

const s = stripe();

test('customers: created, updated (an empty value clears), listed by email, deleted', async () => {
  const email = `ada-${Date.now()}@example.com`;
  const ada = await s.customers.create({ email, name: 'Ada Lovelace', metadata: { tier: 'gold', source: 'shop' } });
  assert.equal(ada.object, 'customer');
  assert.match(ada.id, /^cus_/);
  assert.equal(ada.email, email);
  assert.equal(typeof ada.created, 'number');

  const updated = await s.customers.update(ada.id, { name: '', phone: '+47 912 34 567', metadata: { tier: '' } });
  assert.equal(updated.name, null);
  assert.equal(updated.phone, '+47 912 34 567');
  assert.deepEqual(updated.metadata, { source: 'shop' });

  const found = await s.customers.list({ email: email.toUpperCase() });
  assert.deepEqual(found.data.map((c) => c.id), [ada.id]);

  const pi = await s.paymentIntents.create({
    amount: 1200, currency: 'usd', customer: ada.id, payment_method: 'pm_card_visa', confirm: true,
  });
  assert.equal(pi.customer, ada.id);
  await assert.rejects(
    s.paymentIntents.create({ amount: 1200, currency: 'usd', customer: 'cus_nobody' }),
    (err) => err instanceof Stripe.errors.StripeInvalidRequestError && err.param === 'customer' && err.code === 'resource_missing',
  );

  const deleted = await s.customers.del(ada.id);
  assert.deepEqual(deleted, { ...deleted, id: ada.id, object: 'customer', deleted: true });
  const gone = await s.customers.retrieve(ada.id);
  assert.equal(gone.deleted, true);
  await assert.rejects(s.customers.update(ada.id, { name: 'x' }), (err) => err.statusCode === 404);
});

test('a bad email is a 400 naming it', async () => {
  await assert.rejects(s.customers.create({ email: 'not-an-address' }), (err) => err.statusCode === 400 && err.param === 'email');
});
