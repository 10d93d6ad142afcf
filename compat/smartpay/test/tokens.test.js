// Saved cards: a token session where the customer saves a card, merchant-initiated orders
// charged to it, and the token's life (disable, enable, delete).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADDRESS, GATEWAY, payOnPage, smartpay, until } from './helpers.js';

const sp = smartpay();

function tokenSession() {
  return {
    mode: 'token',
    customerInfo: { emailAddress: `saver-${Date.now()}@example.com`, firstName: 'Hanako' },
    successUrl: `${GATEWAY}/health?saved`,
    cancelUrl: `${GATEWAY}/health?canceled`,
    reference: 'subscription-7',
  };
}

function tokenOrder(token, extra = {}) {
  return {
    token,
    amount: 1200,
    currency: 'JPY',
    items: [{ name: 'Monthly tea box', amount: 1200, currency: 'JPY', quantity: 1 }],
    customerInfo: { emailAddress: 'saver@example.com' },
    shippingInfo: { address: ADDRESS },
    ...extra,
  };
}

async function savedToken() {
  const session = await sp.createCheckoutSession(tokenSession());
  assert.match(session.token.id, /^paytok_test_[0-9a-zA-Z]+$/);
  assert.equal(session.token.status, 'requires_authorization');
  const saved = await payOnPage(session.url);
  assert.equal(saved.status, 303);
  return until(() => sp.getToken({ id: session.token.id }), (t) => t.status === 'active');
}

test('a token session saves a card, and merchant-initiated orders charge it', async () => {
  const token = await savedToken();
  assert.equal(token.object, 'token');
  assert.equal(token.test, true);

  const order = await sp.createOrder(tokenOrder(token.id, { reference: 'month-1' }));
  assert.match(order.id, /^order_test_[0-9a-zA-Z]+$/);
  assert.equal(order.tokenId, token.id);
  const paid = await until(() => sp.getOrder({ id: order.id }), (o) => o.status === 'succeeded');
  assert.equal(paid.reference, 'month-1');
  assert.equal(paid.payments.length, 1);

  const manual = await sp.createOrder(tokenOrder(token.id, { captureMethod: 'manual' }));
  await until(() => sp.getOrder({ id: manual.id }), (o) => o.status === 'requires_capture');
  const payment = await sp.capture({ order: manual.id, amount: 1200, currency: 'JPY' });
  assert.equal(payment.amount, 1200);

  const listed = await sp.listTokens({ maxResults: 100 });
  assert.ok(listed.data.some((t) => t.id === token.id));
});

test('a disabled token is not charged; enabled again it is; deleted it is gone', async () => {
  const token = await savedToken();
  const disabled = await sp.disableToken({ id: token.id });
  assert.equal(disabled.status, 'disabled');
  await assert.rejects(sp.createOrder(tokenOrder(token.id)), (e) => e.statusCode >= 400 && e.statusCode < 500);

  const enabled = await sp.enableToken({ id: token.id });
  assert.equal(enabled.status, 'active');
  const order = await sp.createOrder(tokenOrder(token.id));
  await until(() => sp.getOrder({ id: order.id }), (o) => o.status === 'succeeded');

  assert.equal(await sp.deleteToken({ id: token.id }), '');
  await assert.rejects(sp.getToken({ id: token.id }), (e) => e.statusCode === 404 && e.errorCode === 'token.not-found');
});

test('a token whose card is not saved yet cannot be enabled or disabled (token.not-found)', async () => {
  const session = await sp.createCheckoutSession(tokenSession());
  for (const change of ['enableToken', 'disableToken']) {
    await assert.rejects(
      sp[change]({ id: session.token.id }),
      (e) => e.statusCode === 404 && e.errorCode === 'token.not-found',
      change,
    );
  }
  const fetched = await sp.getCheckoutSession({ id: session.id, expand: 'all' });
  assert.equal(fetched.token.id, session.token.id);
});
