import assert from 'node:assert/strict';
import { test } from 'node:test';
import { payOnPage, stripe, successLocation } from './helpers.js';

const s = stripe();

test('products and prices: created, found by lookup key, paid for in a checkout session', async () => {
  const key = `mug-${Date.now()}`;
  const product = await s.products.create({ name: 'Mug', description: 'Stoneware', metadata: { sku: 'M-1' } });
  assert.equal(product.object, 'product');
  assert.match(product.id, /^prod_/);
  const price = await s.prices.create({ product: product.id, currency: 'usd', unit_amount: 1500, lookup_key: key });
  assert.equal(price.object, 'price');
  assert.equal(price.type, 'one_time');
  assert.equal(price.unit_amount, 1500);
  assert.equal(price.product, product.id);
  const made = await s.prices.create({ currency: 'usd', unit_amount: 700, product_data: { name: 'Coaster' }, expand: ['product'] });
  assert.equal(made.product.name, 'Coaster');

  const found = await s.prices.list({ lookup_keys: [key], expand: ['data.product'] });
  assert.deepEqual(found.data.map((p) => p.id), [price.id]);
  assert.equal(found.data[0].product.name, 'Mug');
  const renamed = await s.products.update(product.id, { name: 'Big mug' });
  assert.equal(renamed.name, 'Big mug');

  const session = await s.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ price: price.id, quantity: 2 }, { price: made.id, quantity: 1 }],
    success_url: 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}',
  });
  assert.equal(session.amount_total, 3700);
  const items = await s.checkout.sessions.listLineItems(session.id);
  assert.deepEqual(items.data.map((i) => [i.description, i.price.id, i.quantity]), [['Big mug', price.id, 2], ['Coaster', made.id, 1]]);
  assert.equal((await payOnPage(session.url)).status, 303);
  assert.equal(await successLocation(session.url), `https://shop.example/thanks?session=${session.id}`);

  await s.prices.update(price.id, { active: false });
  await assert.rejects(
    s.checkout.sessions.create({ mode: 'payment', line_items: [{ price: price.id, quantity: 1 }], success_url: 'https://shop.example/ok' }),
    (err) => err.statusCode === 400 && err.param === 'line_items[0][price]',
  );
  await assert.rejects(
    s.prices.create({ product: product.id, currency: 'usd', unit_amount: 900, recurring: { interval: 'month' } }),
    (err) => err.statusCode === 400 && err.param === 'recurring',
  );
});
