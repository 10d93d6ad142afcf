// @vippsno/vipps-sdk 0.9.13, unmodified, against Kassa's Vipps face: access token, every
// ePayment method, the customer approving on the hosted page, a lost answer retried by the SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  GATEWAY, UNIT, approveOnPage, lossyProxy, payment, reference, stateBecomes, vipps,
} from './support.js';

const amounts = (aggregate) => [
  aggregate.authorizedAmount.value, aggregate.capturedAmount.value,
  aggregate.refundedAmount.value, aggregate.cancelledAmount.value,
];

test('a payment approved on the hosted page is captured in parts, refunded and logged', async () => {
  const sdk = vipps();
  const order = payment(1000);
  const created = await sdk.ePayment.createPayment(order);
  assert.equal(created.reference, order.reference);
  assert.ok(created.redirectUrl.startsWith(`${GATEWAY}/checkout/cs_`), created.redirectUrl);

  const fresh = await sdk.ePayment.getPayment(order.reference);
  assert.equal(fresh.state, 'CREATED');
  assert.deepEqual(fresh.amount, { currency: 'NOK', value: 1000 });
  assert.deepEqual(amounts(fresh.aggregate), [0, 0, 0, 0]);
  assert.equal(fresh.paymentMethod.type, 'WALLET');
  assert.equal(typeof fresh.pspReference, 'string');

  const approved = await approveOnPage(created.redirectUrl);
  assert.equal(approved.status, 303);
  const authorized = await stateBecomes(sdk, order.reference, 'AUTHORIZED');
  assert.deepEqual(amounts(authorized.aggregate), [1000, 0, 0, 0]);

  const part = await sdk.ePayment.capturePayment(order.reference, { modificationAmount: { currency: 'NOK', value: 300 } });
  assert.equal(part.state, 'AUTHORIZED');
  assert.deepEqual(amounts(part.aggregate), [1000, 300, 0, 0]);
  const rest = await sdk.ePayment.capturePayment(order.reference, { modificationAmount: { currency: 'NOK', value: 700 } });
  assert.deepEqual(amounts(rest.aggregate), [1000, 1000, 0, 0]);
  const refunded = await sdk.ePayment.refundPayment(order.reference, { modificationAmount: { currency: 'NOK', value: 250 } });
  assert.deepEqual(amounts(refunded.aggregate), [1000, 1000, 250, 0]);
  assert.equal(refunded.reference, order.reference);
  assert.equal(refunded.pspReference, fresh.pspReference);

  const log = await sdk.ePayment.getPaymentEventLog(order.reference);
  assert.deepEqual(log.map((e) => [e.name, e.amount.value, e.success]), [
    ['CREATED', 1000, true], ['AUTHORIZED', 1000, true], ['CAPTURED', 300, true],
    ['CAPTURED', 700, true], ['REFUNDED', 250, true],
  ]);
  assert.ok(log.every((e) => e.reference === order.reference && !Number.isNaN(Date.parse(e.timestamp))));
  // The SDK sends a fresh UUID per mutating call; each operation's event carries its own.
  const keys = log.map((e) => e.idempotencyKey);
  assert.match(keys[0], /^[0-9a-f-]{36}$/);
  assert.equal(keys[1], null, 'the customer approved; no merchant request did');
  assert.equal(new Set([keys[0], keys[2], keys[3], keys[4]]).size, 4);
});

test('forceApprove, then cancel releases what is left: TERMINATED', async () => {
  const sdk = vipps();
  const order = payment(2000);
  await sdk.ePayment.createPayment(order);
  const approved = await sdk.ePayment.forceApprovePayment(order.reference, { customer: { phoneNumber: '4791234567' } });
  assert.equal(approved, null, 'forceApprove answers without a body');
  const authorized = await sdk.ePayment.getPayment(order.reference);
  assert.equal(authorized.state, 'AUTHORIZED');
  await sdk.ePayment.capturePayment(order.reference, { modificationAmount: { currency: 'NOK', value: 500 } });
  const canceled = await sdk.ePayment.cancelPayment(order.reference);
  assert.equal(canceled.state, 'TERMINATED');
  assert.deepEqual(amounts(canceled.aggregate), [2000, 500, 0, 1500]);
  const log = await sdk.ePayment.getPaymentEventLog(order.reference);
  assert.deepEqual(log.map((e) => e.name), ['CREATED', 'AUTHORIZED', 'CAPTURED', 'CANCELLED']);

  const waiting = payment(700);
  await sdk.ePayment.createPayment(waiting);
  const closed = await sdk.ePayment.cancelPayment(waiting.reference);
  assert.equal(closed.state, 'TERMINATED');
});

test('a capture whose answer is lost is retried by the SDK and captures once', async () => {
  const proxy = await lossyProxy((method, path) => method === 'POST' && path.endsWith('/capture'));
  try {
    const sdk = vipps(proxy.url);
    const order = payment(1500);
    await sdk.ePayment.createPayment(order);
    await sdk.ePayment.forceApprovePayment(order.reference);
    const captured = await sdk.ePayment.capturePayment(order.reference, { modificationAmount: { currency: 'NOK', value: 600 } });
    assert.deepEqual(amounts(captured.aggregate), [1500, 600, 0, 0], 'the retry replays the first capture');
    const sent = proxy.seen.filter((r) => r.path.endsWith('/capture'));
    assert.equal(sent.length, 2, 'the SDK sent the capture again after losing the answer');
    assert.equal(sent[0].key, sent[1].key, 'with the same Idempotency-Key');
    const log = await sdk.ePayment.getPaymentEventLog(order.reference);
    assert.deepEqual(log.filter((e) => e.name === 'CAPTURED').map((e) => e.amount.value), [600]);
  } finally {
    proxy.close();
  }
});

test('refusals reach the SDK as errors that carry Vipps problems', async () => {
  const sdk = vipps();
  const order = payment(900);
  await sdk.ePayment.createPayment(order);
  const wrongUnit = vipps(GATEWAY, { ...UNIT, clientSecret: 'sk_test_not-a-key' });
  // The SDK retries every failure for about 15–30 s; they run side by side.
  const [duplicate, overRefund, badCredentials, missing] = await Promise.allSettled([
    sdk.ePayment.createPayment({ ...order }),
    (async () => {
      await sdk.ePayment.forceApprovePayment(order.reference);
      await sdk.ePayment.capturePayment(order.reference, { modificationAmount: { currency: 'NOK', value: 100 } });
      return sdk.ePayment.refundPayment(order.reference, { modificationAmount: { currency: 'NOK', value: 101 } });
    })(),
    wrongUnit.ePayment.getPayment(order.reference),
    sdk.ePayment.getPayment(reference('missing')),
  ]);
  assert.equal(duplicate.status, 'rejected');
  assert.match(duplicate.reason.message, /statusCode=409/);
  assert.match(duplicate.reason.message, /"traceId"/);
  assert.equal(overRefund.status, 'rejected');
  assert.match(overRefund.reason.message, /statusCode=400/);
  assert.equal(badCredentials.status, 'rejected');
  assert.match(badCredentials.reason.message, /statusCode=401/);
  assert.equal(missing.status, 'rejected');
  assert.match(missing.reason.message, /statusCode=404/);
});

test('a Checkout session is paid on its frontend URL, its callback told, then captured through ePayment', async () => {
  const sdk = vipps();
  const ref = reference('checkout');
  const calls = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      calls.push({ authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks)) });
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const session = await sdk.checkout.createSession({
    merchantInfo: {
      callbackUrl: `http://127.0.0.1:${server.address().port}/vipps/callback`,
      returnUrl: `${GATEWAY}/health?vipps=returned`,
      callbackAuthorizationToken: 'a-token-of-the-merchant',
    },
    transaction: { amount: { currency: 'NOK', value: 4900 }, reference: ref, paymentDescription: 'Two mugs' },
  });
  assert.ok(session.checkoutFrontendUrl.startsWith(`${GATEWAY}/checkout/cs_`), session.checkoutFrontendUrl);
  assert.equal(session.pollingUrl, `${GATEWAY}/checkout/v3/session/${ref}`);
  assert.equal(typeof session.token, 'string');
  const created = await sdk.checkout.getSessionDetails(ref);
  assert.equal(created.sessionState, 'SessionCreated');
  assert.equal(created.reference, ref);

  assert.equal((await approveOnPage(session.checkoutFrontendUrl)).status, 303);
  const deadline = Date.now() + 20000;
  let details;
  do {
    details = await sdk.checkout.getSessionDetails(ref);
    if (details.sessionState === 'PaymentSuccessful') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < deadline);
  assert.equal(details.sessionState, 'PaymentSuccessful');
  assert.equal(details.paymentDetails.state, 'AUTHORIZED');
  assert.equal(details.paymentDetails.aggregate.authorizedAmount.value, 4900);

  const until = Date.now() + 20000;
  while (calls.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
  server.close();
  assert.equal(calls.length, 1, 'the callback came once');
  assert.equal(calls[0].authorization, 'a-token-of-the-merchant');
  assert.equal(calls[0].body.sessionState, 'PaymentSuccessful');
  assert.equal(calls[0].body.reference, ref);

  const captured = await sdk.ePayment.capturePayment(ref, { modificationAmount: { currency: 'NOK', value: 4900 } });
  assert.deepEqual(amounts(captured.aggregate), [4900, 4900, 0, 0]);
});
