// What the tests share: the SDK pointed at the gateway, the documented example order, and a
// customer who pays on the hosted page over plain HTTP (the page needs no JavaScript).
import { ProBuyBackendSDK } from '@probuy/backend-sdk';

export const GATEWAY = process.env.KASSA_URL;
export const SECRET_KEY = process.env.KASSA_SECRET_KEY;
if (!GATEWAY || !SECRET_KEY) {
  throw new Error('Set KASSA_URL and KASSA_SECRET_KEY; compat/run starts a gateway and sets both.');
}

/** The official SDK, unmodified; only its two base URLs are pointed at Kassa. */
export function probuy(apiToken = SECRET_KEY) {
  const sdk = new ProBuyBackendSDK({ apiToken, environment: 'sandbox' });
  sdk.baseUrl = `${GATEWAY}/probuy`;
  sdk.companyPortalUrl = `${GATEWAY}/probuy`;
  return sdk;
}

/** The example order of ProBuy's documentation, with the consumer email the SDK requires. */
export function exampleOrder() {
  const person = { first_name: 'Ahmed', last_name: 'Ali', phone_number: '+966501234567' };
  const address = {
    city: 'Riyadh', country_code: 'SA', ...person,
    line1: '123 King Fahd Road', line2: 'Apt 456', region: 'Riyadh',
  };
  return {
    order_reference_id: `ref-${Date.now()}-${Math.random().toString(16).slice(2)}`,
    order_number: 'ORD-12345',
    currency: 'SAR',
    total_amount: 1000,
    shipping_amount: 0,
    tax_amount: 150,
    item: {
      name: 'MacBook Pro 16-inch',
      description: 'Apple M2 Pro chip with powerful performance',
      type: 'Physical',
      reference_id: 'prod-123',
      sku: 'MBPRO-16-M2',
      quantity: 1,
      discount_amount: 0,
      tax_amount: 150,
      unit_price: 1000,
      total_amount: 1000,
    },
    consumer: { ...person, email: 'ahmed@example.com' },
    country_code: 'SA',
    merchant_url: {
      success: `${GATEWAY}/health?result=success`,
      failure: `${GATEWAY}/health?result=failure`,
      cancel: `${GATEWAY}/health?result=cancel`,
    },
    billing_address: address,
    shipping_address: address,
  };
}

async function formToken(pageUrl) {
  const page = await fetch(pageUrl, { redirect: 'manual' });
  const html = await page.text();
  const token = html.match(/name="csrf" value="([^"]+)"/);
  if (page.status !== 200 || !token) {
    throw new Error(`no open checkout form at ${pageUrl} (${page.status})`);
  }
  return token[1];
}

/** The customer submits the card form of the page at `pageUrl`; returns the response. */
export async function payOnPage(pageUrl, number = '4242424242424242') {
  const csrf = await formToken(pageUrl);
  const form = new URLSearchParams({ csrf, number, expiry: '12/34', cvc: '123', holder: 'Ahmed Ali' });
  return fetch(`${pageUrl}/pay`, { method: 'POST', body: form, redirect: 'manual' });
}

/** The customer presses cancel on the page at `pageUrl`. */
export async function cancelOnPage(pageUrl) {
  const csrf = await formToken(pageUrl);
  return fetch(`${pageUrl}/cancel`, { method: 'POST', body: new URLSearchParams({ csrf }), redirect: 'manual' });
}

/** A call to Kassa's own API (`/v1`), for what ProBuy's SDK has no method for. */
export async function kassa(method, path) {
  const res = await fetch(`${GATEWAY}${path}`, {
    method,
    headers: { authorization: `Bearer ${SECRET_KEY}` },
  });
  const body = await res.json();
  if (!res.ok) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
  }
  return body;
}

/** Asks for the checkout until its status is `wanted` (or the time is up). */
export async function statusBecomes(sdk, checkoutId, wanted, seconds = 15) {
  const deadline = Date.now() + seconds * 1000;
  let details;
  do {
    details = await sdk.getCheckoutDetails(checkoutId);
    if (details.status === wanted) return details;
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < deadline);
  throw new Error(`checkout ${checkoutId} stayed ${details.status}, expected ${wanted}`);
}
