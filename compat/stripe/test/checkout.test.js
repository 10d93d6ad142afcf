import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageHtml, payOnPage, stripe, successLocation } from './helpers.js';

const s = stripe();

test('a checkout session is paid on the hosted page and the customer lands on the success URL', async () => {
  const customer = await s.customers.create({ email: `buyer-${Date.now()}@example.com`, name: 'Ada Lovelace' });
  const session = await s.checkout.sessions.create({
    mode: 'payment',
    customer: customer.id,
    client_reference_id: 'order-77',
    metadata: { cart: '77' },
    line_items: [
      { price_data: { currency: 'usd', unit_amount: 1200, product_data: { name: 'T-shirt' } }, quantity: 2 },
      { price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'Socks' } }, quantity: 1 },
    ],
    success_url: 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://shop.example/cart',
  });
  assert.equal(session.object, 'checkout.session');
  assert.equal(session.amount_total, 2900);
  assert.equal(session.status, 'open');
  assert.equal(session.payment_status, 'unpaid');
  assert.equal(session.customer, customer.id);
  assert.equal(session.customer_email, customer.email);
  assert.equal(session.client_reference_id, 'order-77');
  assert.match(session.url, /\/checkout\/cs_/);
  assert.ok(!(await pageHtml(session.url)).includes('name="code"'), 'no code field unless allow_promotion_codes');

  const items = await s.checkout.sessions.listLineItems(session.id);
  assert.deepEqual(items.data.map((i) => [i.description, i.quantity, i.amount_total]), [['T-shirt', 2, 2400], ['Socks', 1, 500]]);

  assert.equal((await payOnPage(session.url)).status, 303);
  assert.equal(await successLocation(session.url), `https://shop.example/thanks?session=${session.id}`);
  const paid = await s.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
  assert.equal(paid.status, 'complete');
  assert.equal(paid.payment_status, 'paid');
  assert.equal(paid.payment_intent.status, 'succeeded');
  assert.equal(paid.payment_intent.amount_received, 2900);
  const listed = await s.checkout.sessions.list({ payment_intent: paid.payment_intent.id });
  assert.deepEqual(listed.data.map((c) => c.id), [session.id]);
});

test('a promotion code given with discounts, or typed by the customer where allowed', async () => {
  const coupon = await s.coupons.create({ name: 'Ten off', percent_off: 10, duration: 'once' });
  const code = `SAVE${Date.now()}`;
  await s.promotionCodes.create({ promotion: { type: 'coupon', coupon: coupon.id }, code });
  const line = [{ price_data: { currency: 'usd', unit_amount: 5000, product_data: { name: 'Lamp' } }, quantity: 1 }];
  const discounted = await s.checkout.sessions.create({
    mode: 'payment', line_items: line, success_url: 'https://shop.example/ok', discounts: [{ promotion_code: code }],
  });
  assert.equal(discounted.amount_total, 4500);
  assert.equal(discounted.total_details.amount_discount, 500);

  const open = await s.checkout.sessions.create({
    mode: 'payment', line_items: line, success_url: 'https://shop.example/ok', allow_promotion_codes: true,
  });
  assert.equal(open.allow_promotion_codes, true);
  assert.ok((await pageHtml(open.url)).includes('name="code"'), 'the page takes a code');
});

test('an open session expires on request; what the face does not serve is refused, named', async () => {
  const line = [{ price_data: { currency: 'eur', unit_amount: 800, product_data: { name: 'Book' } }, quantity: 1 }];
  const session = await s.checkout.sessions.create({ mode: 'payment', line_items: line, success_url: 'https://shop.example/ok' });
  const expired = await s.checkout.sessions.expire(session.id);
  assert.equal(expired.status, 'expired');
  assert.equal(expired.url, null);
  await assert.rejects(
    s.checkout.sessions.create({ mode: 'payment', line_items: [{ price: 'price_123', quantity: 1 }], success_url: 'https://shop.example/ok' }),
    (err) => err.statusCode === 400 && err.param === 'line_items[0][price]' && err.code === 'resource_missing',
  );
  await assert.rejects(
    s.checkout.sessions.create({ mode: 'subscription', line_items: line, success_url: 'https://shop.example/ok' }),
    (err) => err.statusCode === 400 && err.param === 'mode',
  );
});

test('a setup session saves the customer\'s card on the hosted page, to be charged off-session', async () => {
  const customer = await s.customers.create({ email: `setup-${Date.now()}@example.com` });
  const session = await s.checkout.sessions.create({
    mode: 'setup', customer: customer.id, currency: 'usd', client_reference_id: 'onboarding-9',
    success_url: 'https://shop.example/saved?session={CHECKOUT_SESSION_ID}',
  });
  assert.equal(session.mode, 'setup');
  assert.equal(session.payment_status, 'no_payment_required');
  assert.equal(session.client_reference_id, 'onboarding-9');
  assert.match(session.setup_intent, /^seti_/);
  assert.equal((await payOnPage(session.url)).status, 303);
  assert.equal(await successLocation(session.url), `https://shop.example/saved?session=${session.id}`);
  const done = await s.checkout.sessions.retrieve(session.id, { expand: ['setup_intent.payment_method'] });
  assert.equal(done.status, 'complete');
  assert.equal(done.setup_intent.status, 'succeeded');
  assert.equal(done.setup_intent.payment_method.card.last4, '4242');
  const methods = await s.customers.listPaymentMethods(customer.id);
  assert.deepEqual(methods.data.map((m) => m.id), [done.setup_intent.payment_method.id]);
  const charged = await s.paymentIntents.create({
    amount: 1200, currency: 'usd', customer: customer.id, payment_method: methods.data[0].id, off_session: true, confirm: true,
  });
  assert.equal(charged.status, 'succeeded');
  await assert.rejects(
    s.checkout.sessions.create({ mode: 'setup', line_items: [{ price: 'price_x', quantity: 1 }], success_url: 'https://shop.example/ok' }),
    (err) => err.statusCode === 400 && err.param === 'line_items',
  );
});
