// @probuy/backend-sdk 0.0.4, unmodified, against Kassa's ProBuy face.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProBuyApiError, ProBuyAuthenticationError } from '@probuy/backend-sdk';
import {
  GATEWAY, cancelOnPage, exampleOrder, kassa, payOnPage, probuy, statusBecomes,
} from './support.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

test('createCheckoutSession accepts the documented example order', async () => {
  const order = exampleOrder();
  const session = await probuy().createCheckoutSession(order);
  assert.equal(typeof session.checkout_id, 'string');
  assert.match(session.checkout_id, /^[A-Za-z0-9_-]+$/, 'the SDK puts ids in paths unencoded');
  assert.equal(session.order_reference_id, order.order_reference_id);
  assert.equal(session.status, 'new');
  assert.equal(session.checkout_url, `${GATEWAY}/probuy/checkout/${session.checkout_id}`);
  assert.match(session.created_at, ISO);
  assert.match(session.expires_at, ISO);
  assert.equal(Date.parse(session.expires_at) - Date.parse(session.created_at), 30 * 60 * 1000);
});

test('a customer pays on the redirect page: approved, authorized, then completed once captured', async () => {
  const sdk = probuy();
  const order = exampleOrder();
  const created = await sdk.createCheckoutWithRedirectUrl(order);
  assert.equal(created.redirect_url, `${GATEWAY}/probuy/checkout/${created.checkout_id}`);
  assert.equal(sdk.getCheckoutUrl(created.checkout_id), created.redirect_url);

  const page = await fetch(created.redirect_url);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /MacBook Pro 16-inch/);
  assert.match(html, /1,000\.00/);

  const paid = await payOnPage(created.redirect_url);
  assert.equal(paid.status, 303, 'the form answers with a redirect to the page');
  // The gateway's card simulator takes about a second (compat/run sets it): the payment is
  // approved and still being authorized.
  const approved = await sdk.getCheckoutDetails(created.checkout_id);
  assert.equal(approved.status, 'approved');

  const authorized = await statusBecomes(sdk, created.checkout_id, 'authorized');
  assert.equal(authorized.checkout_id, created.checkout_id);
  assert.equal(authorized.order_reference_id, order.order_reference_id);
  assert.equal(authorized.order_number, 'ORD-12345');
  assert.equal(authorized.currency, 'SAR');
  assert.equal(authorized.total_amount, 1000);
  assert.equal(authorized.tax_amount, 150);
  assert.deepEqual(authorized.consumer, { ...order.consumer });
  assert.deepEqual(authorized.merchant_url, order.merchant_url);
  for (const field of ['created_at', 'updated_at', 'expires_at']) assert.match(authorized[field], ISO);

  // The page now sends the customer back to the merchant's success URL.
  const back = await fetch(created.redirect_url, { redirect: 'manual' });
  assert.equal(back.status, 303);
  assert.ok(back.headers.get('location').startsWith(order.merchant_url.success));

  // ProBuy's SDK cannot capture; the merchant does it through Kassa's API.
  const captured = await kassa('POST', `/v1/payment_intents/${authorized.payment_intent_id}/capture`);
  assert.equal(captured.status, 'succeeded');
  assert.equal(captured.amount_captured, 100000, 'SAR 1000.00 is 100000 halalas');
  const completed = await sdk.getCheckoutDetails(created.checkout_id);
  assert.equal(completed.status, 'completed');
});

test('a declined card makes the checkout declined', async () => {
  const sdk = probuy();
  const created = await sdk.createCheckoutWithRedirectUrl(exampleOrder());
  const paid = await payOnPage(created.redirect_url, '4000000000000002');
  assert.equal(paid.status, 303);
  await statusBecomes(sdk, created.checkout_id, 'declined');
});

test('a customer who cancels makes the checkout cancelled', async () => {
  const sdk = probuy();
  const created = await sdk.createCheckoutWithRedirectUrl(exampleOrder());
  const canceled = await cancelOnPage(created.redirect_url);
  assert.equal(canceled.status, 303);
  assert.equal((await sdk.getCheckoutDetails(created.checkout_id)).status, 'cancelled');
  // The page then sends the customer to the merchant's cancel URL.
  const back = await fetch(created.redirect_url, { redirect: 'manual' });
  assert.equal(back.status, 303);
  assert.ok(back.headers.get('location').startsWith(`${GATEWAY}/health?result=cancel`));
});

test('an expired checkout is expired and can no longer be paid', async () => {
  const sdk = probuy();
  const created = await sdk.createCheckoutWithRedirectUrl(exampleOrder());
  await kassa('POST', `/v1/checkout_sessions/${created.checkout_id}/expire`);
  assert.equal((await sdk.getCheckoutDetails(created.checkout_id)).status, 'expired');
  const page = await fetch(created.redirect_url);
  assert.equal(page.status, 410);
});

test('a bad token is a ProBuyAuthenticationError', async () => {
  await assert.rejects(probuy('not-a-kassa-key').createCheckoutSession(exampleOrder()), (error) => {
    assert.ok(error instanceof ProBuyAuthenticationError);
    assert.equal(error.statusCode, 401);
    assert.equal(error.message, 'Invalid or expired API token');
    return true;
  });
  await assert.rejects(probuy('not-a-kassa-key').getCheckoutDetails('cs_anything'), ProBuyAuthenticationError);
});

test('an invalid order is a ProBuyApiError 400 naming every bad field', async () => {
  const order = exampleOrder();
  order.total_amount = 1000.005;
  order.currency = 'SAR';
  order.item.type = 'Hologram';
  order.merchant_url.success = 'not a url';
  order.billing_address = { ...order.billing_address, country_code: 'Saudi Arabia' };
  await assert.rejects(probuy().createCheckoutSession(order), (error) => {
    assert.ok(error instanceof ProBuyApiError, `${error.name}: ${error.message}`);
    assert.equal(error.statusCode, 400);
    const body = error.details.response;
    assert.equal(body.error, 'ValidationError');
    assert.equal(body.message, 'Invalid request data');
    assert.deepEqual(Object.keys(body.details).sort(), [
      'billing_address.country_code', 'item.type', 'merchant_url.success', 'total_amount',
    ]);
    return true;
  });

  const mismatch = exampleOrder();
  mismatch.total_amount = 999;
  await assert.rejects(probuy().createCheckoutSession(mismatch), (error) => {
    assert.equal(error.statusCode, 400);
    assert.match(error.details.response.details.total_amount, /1000\.00/);
    return true;
  });
});

test('an unknown checkout is a ProBuyApiError 404', async () => {
  await assert.rejects(probuy().getCheckoutDetails('cs_doesnotexist'), (error) => {
    assert.ok(error instanceof ProBuyApiError);
    assert.equal(error.statusCode, 404);
    return true;
  });
});
