import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripe } from './helpers.js';

const s = stripe();

test('customers and payment intents are found with Stripe\'s query language, page by page', async () => {
  const run = `r${Date.now()}`;
  const ada = await s.customers.create({ email: `ada-${run}@example.com`, name: 'Ada Lovelace', metadata: { run } });
  await s.customers.create({ email: `grace-${run}@example.com`, name: 'Grace Hopper', metadata: { run } });
  const byEmail = await s.customers.search({ query: `email:"ADA-${run}@example.com"` });
  assert.equal(byEmail.object, 'search_result');
  assert.deepEqual(byEmail.data.map((c) => c.id), [ada.id]);
  const both = await s.customers.search({ query: `metadata["run"]:"${run}"`, limit: 1 });
  assert.equal(both.data.length, 1);
  assert.equal(both.has_more, true);
  assert.ok(both.next_page);
  const all = await s.customers.search({ query: `metadata["run"]:"${run}"`, limit: 1 }).autoPagingToArray({ limit: 10 });
  assert.equal(all.length, 2);
  const notAda = await s.customers.search({ query: `metadata["run"]:"${run}" AND -name~"lovelace"` });
  assert.deepEqual(notAda.data.map((c) => c.name), ['Grace Hopper']);

  for (const amount of [500, 1500, 2500]) {
    await s.paymentIntents.create({ amount, currency: 'usd', metadata: { run } });
  }
  const big = await s.paymentIntents.search({ query: `metadata["run"]:"${run}" AND amount>=1500` });
  assert.deepEqual(big.data.map((p) => p.amount), [2500, 1500]);
  const waiting = await s.paymentIntents.search({ query: `metadata["run"]:"${run}" AND status:"requires_payment_method"` });
  assert.equal(waiting.data.length, 3);
  await assert.rejects(s.customers.search({ query: 'colour:"red"' }), (err) => err.statusCode === 400 && err.param === 'query');
});
