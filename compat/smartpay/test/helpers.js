// What the tests share: the official SDK pointed at the gateway's Smartpay face, a customer who
// pays or saves a card on the hosted page over plain HTTP, and a webhook receiver built with
// the SDK's own express middleware.
import express from 'express';
import Smartpay from '@smartpay/sdk-node';

export const GATEWAY = process.env.KASSA_URL;
export const SECRET_KEY = process.env.KASSA_SECRET_KEY;
if (!GATEWAY || !SECRET_KEY) {
  throw new Error('Set KASSA_URL and KASSA_SECRET_KEY; compat/run starts a gateway and sets them.');
}
export const API_PREFIX = `${GATEWAY}/smartpay/v1`;

/** The official SDK, unmodified, with the merchant's own Kassa key. */
export function smartpay(key = SECRET_KEY) {
  return new Smartpay(key, { apiPrefix: API_PREFIX });
}

export const ADDRESS = { line1: '北青山 3-6-7', locality: '港区', postalCode: '107-0061', country: 'JP' };

/** A flat checkout session payload: 2 × 250 JPY and a 100 JPY shipping fee (600 in all). */
export function sessionPayload(extra = {}) {
  return {
    items: [{ name: 'Matcha', amount: 250, currency: 'JPY', quantity: 2 }],
    shippingInfo: { address: ADDRESS, feeAmount: 100 },
    customerInfo: { emailAddress: `buyer-${Date.now()}-${Math.random().toString(16).slice(2, 8)}@example.com` },
    reference: 'order_ref_1234567',
    successUrl: `${GATEWAY}/health?paid`,
    cancelUrl: `${GATEWAY}/health?canceled`,
    ...extra,
  };
}

async function formToken(pageUrl) {
  const page = await fetch(pageUrl, { redirect: 'manual' });
  const html = await page.text();
  const token = html.match(/name="csrf" value="([^"]+)"/);
  if (page.status !== 200 || !token) {
    throw new Error(`no open form at ${pageUrl} (${page.status})`);
  }
  return { csrf: token[1], html };
}

/** The page's address without the query the SDK adds. */
export function pageOf(sessionUrl) {
  return sessionUrl.split('?')[0];
}

/** The customer pays (or saves their card) with a test card on the hosted page. */
export async function payOnPage(sessionUrl, number = '4242424242424242') {
  const page = pageOf(sessionUrl);
  const { csrf } = await formToken(page);
  const form = new URLSearchParams({ csrf, number, expiry: '12/34', cvc: '123', holder: 'Taro Yamada' });
  return fetch(`${page}/pay`, { method: 'POST', body: form, redirect: 'manual' });
}

/** The customer applies a promotion code on the hosted page. */
export async function applyCodeOnPage(sessionUrl, code) {
  const page = pageOf(sessionUrl);
  const { csrf } = await formToken(page);
  return fetch(`${page}/promotion`, { method: 'POST', body: new URLSearchParams({ csrf, code }), redirect: 'manual' });
}

/** The page's HTML. */
export async function pageHtml(url) {
  return (await fetch(url)).text();
}

/** Polls `read` until `done(value)` (or the time is up). */
export async function until(read, done, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  let value;
  do {
    value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < deadline);
  throw new Error(`gave up waiting; last value: ${JSON.stringify(value)}`);
}

/** An order the customer has authorized on the page (manual capture unless told otherwise). */
export async function authorizedOrder(sp, extra = {}) {
  const session = await sp.createCheckoutSession(sessionPayload({ captureMethod: 'manual', ...extra }));
  const paid = await payOnPage(session.url);
  if (paid.status !== 303) throw new Error(`paying answered ${paid.status}`);
  const wanted = (extra.captureMethod ?? 'manual') === 'manual' ? 'requires_capture' : 'succeeded';
  return until(() => sp.getOrder({ id: session.order.id }), (o) => o.status === wanted);
}

/**
 * An express app that receives Smartpay webhooks the way the SDK's documentation says:
 * `express.json({ verify: Smartpay.expressWebhookMiddleware(secretFor) })`, then compares
 * `calculated-signature` with `smartpay-signature`.
 */
export async function webhookReceiver(secretFor) {
  const app = express();
  const received = [];
  app.use(express.json({ verify: Smartpay.expressWebhookMiddleware(secretFor) }));
  app.post('/hooks', (req, res) => {
    received.push({
      headers: req.headers,
      body: req.body,
      verified: Boolean(req.headers['smartpay-signature'])
        && req.headers['calculated-signature'] === req.headers['smartpay-signature'],
    });
    res.status(200).send('ok');
  });
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${server.address().port}/hooks`, received, close: () => server.close() };
}
