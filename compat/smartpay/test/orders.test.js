// Checkout sessions, orders, payments (captures) and refunds through the official SDK: the
// upstream live test's flow, and the refusals each method can meet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Smartpay from '@smartpay/sdk-node';
import {
  authorizedOrder, pageHtml, payOnPage, sessionPayload, smartpay, until,
} from './helpers.js';

const sp = smartpay();

test('a flat session is an order the customer pays on the hosted page', async () => {
  const session = await sp.createCheckoutSession(sessionPayload({ captureMethod: 'manual' }));
  assert.match(session.id, /^checkout_test_[0-9a-zA-Z]+$/);
  assert.equal(session.object, 'checkoutSession');
  assert.equal(session.test, true);
  assert.equal(typeof session.createdAt, 'number');
  assert.match(session.order.id, /^order_test_[0-9a-zA-Z]+$/);
  assert.equal(session.order.status, 'requires_authorization');
  assert.equal(session.order.amount, 600);
  assert.equal(session.order.currency, 'JPY');
  assert.equal(session.order.reference, 'order_ref_1234567');
  assert.equal(session.order.shippingInfo.feeAmount, 100);
  assert.match(await pageHtml(session.url), /Matcha/);

  const byId = await sp.getCheckoutSession({ id: session.id });
  assert.equal(byId.order, session.order.id, 'without expand, the order is named by id');
  const expanded = await sp.getCheckoutSession({ id: session.id, expand: 'all' });
  assert.equal(expanded.order.id, session.order.id);

  const paid = await payOnPage(session.url);
  assert.equal(paid.status, 303);
  const order = await until(() => sp.getOrder({ id: session.order.id }), (o) => o.status === 'requires_capture');
  assert.deepEqual(order.payments, []);
});

test('automatic capture: the order succeeds with one payment of the whole amount', async () => {
  const order = await authorizedOrder(sp, { captureMethod: 'automatic' });
  assert.equal(order.status, 'succeeded');
  const found = await until(() => sp.getOrder({ id: order.id }), (o) => o.payments.length === 1);
  const payment = await sp.getPayment({ id: found.payments[0] });
  assert.equal(payment.amount, 600);
  assert.equal(payment.order, order.id);
});

test('the SDK\'s misspelled constant "autommatic" is automatic', async () => {
  assert.equal(Smartpay.CAPTURE_METHOD_AUTOMATIC, 'autommatic');
  const order = await authorizedOrder(sp, { captureMethod: Smartpay.CAPTURE_METHOD_AUTOMATIC });
  assert.equal(order.status, 'succeeded');
});

test('partial captures, their refunds, updates and the refusals of too much', async () => {
  const order = await authorizedOrder(sp);
  const first = await sp.capture({ order: order.id, amount: 150, currency: 'JPY', cancelRemainder: 'manual' });
  assert.match(first.id, /^payment_test_[0-9a-zA-Z]+$/);
  assert.equal(first.amount, 150);
  assert.equal(first.status, 'processed');
  const second = await sp.createPayment({ order: order.id, amount: 150, currency: 'JPY', cancelRemainder: 'manual' });
  assert.equal(second.amount, 150);

  const afterTwo = await sp.getOrder({ id: order.id });
  assert.deepEqual(afterTwo.payments, [first.id, second.id]);
  assert.equal(afterTwo.status, 'requires_capture', '300 of 600 captured, the rest still held');

  await assert.rejects(
    sp.capture({ order: order.id, amount: 1000, currency: 'JPY' }),
    (e) => e.name === 'SmartpayError' && e.statusCode === 400 && e.errorCode === 'payment.excessive-amount',
  );

  const updated = await sp.updatePayment({ id: first.id, reference: 'updated', description: 'first box' });
  assert.equal(updated.reference, 'updated');
  assert.equal((await sp.getPayment({ id: first.id })).reference, 'updated');

  const refund = await sp.refund({ payment: first.id, amount: 1, currency: 'JPY', reason: 'requested_by_customer' });
  assert.match(refund.id, /^refund_test_[0-9a-zA-Z]+$/);
  assert.equal(refund.amount, 1);
  assert.equal(refund.payment, first.id);
  assert.equal(refund.status, 'succeeded');
  const again = await sp.createRefund({ payment: first.id, amount: 49, currency: 'JPY', reason: 'fraudulent' });
  assert.equal(again.reason, 'fraudulent');
  await assert.rejects(
    sp.refund({ payment: first.id, amount: 101, currency: 'JPY', reason: 'requested_by_customer' }),
    (e) => e.statusCode === 400 && e.errorCode === 'amount.insufficient',
  );
  const updatedRefund = await sp.updateRefund({ id: refund.id, reference: 'r-1', metadata: { ticket: '42' } });
  assert.equal(updatedRefund.reference, 'r-1');
  assert.deepEqual((await sp.getRefund({ id: refund.id })).metadata, { ticket: '42' });
  assert.deepEqual((await sp.getPayment({ id: first.id })).refunds, [refund.id, again.id]);

  const last = await sp.capture({
    order: order.id, amount: 100, currency: 'JPY', cancelRemainder: Smartpay.CANCEL_REMAINDER_AUTOMATIC,
  });
  assert.equal(last.amount, 100);
  const done = await sp.getOrder({ id: order.id });
  assert.equal(done.status, 'succeeded', 'cancelRemainder releases the 200 left');
  assert.equal(done.payments.length, 3);
});

test('an authorized order is canceled; an unauthorized one cannot be captured', async () => {
  const order = await authorizedOrder(sp);
  const canceled = await sp.cancelOrder({ id: order.id });
  assert.equal(canceled.status, 'canceled');
  assert.equal((await sp.getOrder({ id: order.id })).status, 'canceled');
  await assert.rejects(
    sp.capture({ order: order.id, amount: 100, currency: 'JPY' }),
    (e) => e.statusCode === 409 && e.errorCode === 'order.cannot-capture',
  );

  const unpaid = await sp.createCheckoutSession(sessionPayload());
  await assert.rejects(
    sp.capture({ order: unpaid.order.id, amount: 100, currency: 'JPY' }),
    (e) => e.statusCode === 409 && e.errorCode === 'order.cannot-capture',
  );
});

test('an idempotency key replays the first answer, PUT included', async () => {
  const order = await authorizedOrder(sp);
  const key = `capture-${Date.now()}`;
  const partial = { order: order.id, amount: 100, currency: 'JPY', cancelRemainder: 'manual', idempotencyKey: key };
  const one = await sp.capture(partial);
  const two = await sp.capture(partial);
  assert.equal(two.id, one.id);
  assert.equal((await sp.getOrder({ id: order.id })).payments.length, 1, 'one capture, not two');

  const cancelKey = `cancel-${Date.now()}`;
  const c1 = await sp.cancelOrder({ id: order.id, idempotencyKey: cancelKey });
  const c2 = await sp.cancelOrder({ id: order.id, idempotencyKey: cancelKey });
  assert.equal(c2.status, c1.status);

  const sessionKey = `session-${Date.now()}`;
  const s1 = await sp.createCheckoutSession({ ...sessionPayload(), idempotencyKey: sessionKey });
  const s2 = await sp.createCheckoutSession({ ...sessionPayload({ customerInfo: s1.customerInfo }), idempotencyKey: sessionKey });
  assert.equal(s2.id, s1.id);
});

test('lists walk page by page with maxResults and pageToken', async () => {
  for (let i = 0; i < 3; i += 1) {
    await sp.createCheckoutSession(sessionPayload());
  }
  const seen = new Set();
  let page = await sp.listOrders({ maxResults: 1 });
  assert.equal(page.object, 'collection');
  for (let n = 0; n < 3; n += 1) {
    assert.equal(page.data.length, 1);
    assert.equal(page.results, 1);
    assert.equal(page.maxResults, 1);
    seen.add(page.data[0].id);
    assert.ok(page.nextPageToken, 'more pages follow');
    const token = page.nextPageToken;
    page = await sp.listOrders({ maxResults: 1, pageToken: token });
    assert.equal(page.pageToken, token, 'a page says which token asked for it');
  }
  assert.equal(seen.size, 3, 'no order twice');

  for (const list of ['listCheckoutSessions', 'listPayments', 'listRefunds']) {
    const found = await sp[list]({ maxResults: 2, expand: 'all' });
    assert.equal(found.object, 'collection', list);
    assert.ok(found.data.length <= 2, list);
  }
});

test('every refusal is a SmartpayError with a status, a code and the bad fields', async () => {
  await assert.rejects(
    smartpay('sk_test_NotAKeyOfThisGateway').listOrders(),
    (e) => e.statusCode === 401 && e.errorCode === 'unauthorized' && !/undefined/.test(e.message),
  );
  await assert.rejects(
    sp.getOrder({ id: 'order_test_doesNotExist' }),
    (e) => e.statusCode === 404 && e.errorCode === 'order.not-found',
  );
  await assert.rejects(
    sp.getPayment({ id: 'payment_test_doesNotExist' }),
    (e) => e.statusCode === 404 && e.errorCode === 'payment.not-found',
  );
  // The SDK checks its own schema first; a raw request shows the server lists every bad field.
  const raw = await fetch(`${process.env.KASSA_URL}/smartpay/v1/checkout-sessions`, {
    method: 'POST',
    headers: { Authorization: `Basic ${process.env.KASSA_SECRET_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: [{ name: 'x', amount: -1 }], currency: 'JPY', amount: 5, successUrl: 'nope' }),
  });
  assert.equal(raw.status, 400);
  const body = await raw.json();
  assert.equal(body.statusCode, 400);
  assert.equal(body.errorCode, 'request.invalid');
  for (const field of ['items.0.amount', 'shippingInfo', 'customerInfo', 'successUrl', 'cancelUrl']) {
    assert.ok(body.details.some((d) => d.startsWith(`${field}:`)), `${field} in ${JSON.stringify(body.details)}`);
  }
});
