// Webhook endpoints through the SDK, and deliveries an express app receives with the SDK's
// middleware and verifies with its helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Smartpay from '@smartpay/sdk-node';
import { authorizedOrder, smartpay, until, webhookReceiver } from './helpers.js';

const sp = smartpay();

test('the SDK verifies its own test vector (the scheme Kassa signs with)', () => {
  const data = '1653028612220.{"id":"evt_test_dwPfFKu5iSEKyHR2LFj9Lx","object":"event","createdAt":1653028523052,"test":true,"eventData":{"type":"payment.created","version":"2022-02-18","data":{"id":"payment_test_35LxgmF5KM22XKG38BjpJg","object":"payment","test":true,"createdAt":1653028523020,"updatedAt":1653028523020,"amount":200,"currency":"JPY","order":"order_test_RiYq2rthzRHrkKVGeucSwn","reference":"order_ref_1234567","status":"processed","metadata":{}}}}';
  assert.ok(Smartpay.verifyWebhookSignature({
    data,
    secret: 'gybcsjixKyBW2d4z6iNPlaYzHUMtawnodwZt3W0q',
    signature: '68007ada8485ea0ceca7c5e879ae860a50412b7af95ab8e81b32a3e13f3c0832',
  }));
});

test('webhook endpoints: create, get, update, list, delete', async () => {
  const endpoint = await sp.createWebhookEndpoint({
    url: 'https://merchant.example/hooks', eventSubscriptions: ['order.authorized'], description: 'orders',
  });
  assert.match(endpoint.id, /^webhookendpoint_test_[0-9a-zA-Z]+$/);
  assert.match(endpoint.signingSecret, /^[0-9a-zA-Z]+$/);
  assert.deepEqual(endpoint.eventSubscriptions, ['order.authorized']);
  assert.equal(endpoint.active, true);
  assert.equal((await sp.getWebhookEndpoint({ id: endpoint.id })).url, 'https://merchant.example/hooks');
  const updated = await sp.updateWebhookEndpoint({
    id: endpoint.id, active: false, eventSubscriptions: ['order.authorized', 'payment.created'],
  });
  assert.equal(updated.active, false);
  assert.deepEqual(updated.eventSubscriptions, ['order.authorized', 'payment.created']);
  const listed = await sp.listWebhookEndpoints({ maxResults: 100 });
  assert.ok(listed.data.some((e) => e.id === endpoint.id));
  assert.equal(await sp.deleteWebhookEndpoint({ id: endpoint.id }), '');
  await assert.rejects(
    sp.getWebhookEndpoint({ id: endpoint.id }),
    (e) => e.statusCode === 404 && e.errorCode === 'webhook-endpoint.not-found',
  );
  await assert.rejects(
    sp.createWebhookEndpoint({ url: 'https://merchant.example/hooks', eventSubscriptions: ['order.teleported'] }),
    (e) => e.statusCode === 400 && e.errorCode === 'request.invalid',
  );
});

test('deliveries arrive in Smartpay\'s envelope, signed so the SDK\'s middleware verifies them', async () => {
  const secrets = new Map();
  const receiver = await webhookReceiver((subscriptionId) => secrets.get(subscriptionId));
  try {
    const endpoint = await sp.createWebhookEndpoint({
      url: receiver.url, eventSubscriptions: ['order.authorized', 'payment.created', 'refund.created'],
    });
    secrets.set(endpoint.id, endpoint.signingSecret);

    const order = await authorizedOrder(sp);
    const payment = await sp.capture({ order: order.id, amount: 200, currency: 'JPY' });
    const refund = await sp.refund({ payment: payment.id, amount: 50, currency: 'JPY', reason: 'requested_by_customer' });

    const mine = () => receiver.received.filter((r) => r.headers['smartpay-subscription-id'] === endpoint.id);
    await until(() => mine().length, (n) => n >= 3, 30);
    const byType = Object.fromEntries(mine().map((r) => [r.body.eventData.type, r]));
    assert.deepEqual(Object.keys(byType).sort(), ['order.authorized', 'payment.created', 'refund.created']);
    for (const delivery of mine()) {
      assert.ok(delivery.verified, 'calculated-signature equals smartpay-signature');
      const { body, headers } = delivery;
      assert.equal(body.object, 'event');
      assert.match(body.id, /^evt_test_[0-9a-zA-Z]+$/);
      assert.equal(headers['smartpay-event-id'], body.id);
      assert.equal(body.test, true);
      assert.equal(body.eventData.version, '2022-02-18');
      assert.ok(Smartpay.verifyWebhookSignature({
        data: `${headers['smartpay-signature-timestamp']}.${JSON.stringify(body)}`,
        secret: endpoint.signingSecret,
        signature: headers['smartpay-signature'],
      }), 'the helper agrees over the re-serialized body');
    }
    assert.equal(byType['order.authorized'].body.eventData.data.id, order.id);
    assert.equal(byType['order.authorized'].body.eventData.data.status, 'requires_capture');
    assert.equal(byType['payment.created'].body.eventData.data.id, payment.id);
    assert.equal(byType['payment.created'].body.eventData.data.amount, 200);
    assert.equal(byType['refund.created'].body.eventData.data.id, refund.id);
    assert.ok(!mine().some((r) => r.body.eventData.type.startsWith('token.')), 'only what was subscribed');
  } finally {
    receiver.close();
  }
});
