// What the tests share: the official stripe package, unmodified, pointed at the gateway's
// Stripe face (its own port), with the merchant's own Kassa test secret key.
import Stripe from 'stripe';

export const SECRET_KEY = process.env.KASSA_SECRET_KEY;
export const PORT = Number(process.env.KASSA_STRIPE_PORT);
if (!SECRET_KEY || !PORT) {
  throw new Error('Set KASSA_SECRET_KEY and KASSA_STRIPE_PORT; compat/run starts a gateway and sets them.');
}
export const BASE = `http://127.0.0.1:${PORT}`;

/** The official SDK, unmodified (retries as stripe-node's default: 2). */
export function stripe(key = SECRET_KEY, options = {}) {
  return new Stripe(key, { host: '127.0.0.1', port: PORT, protocol: 'http', ...options });
}

async function formToken(pageUrl) {
  const page = await fetch(pageUrl, { redirect: 'manual' });
  const html = await page.text();
  const token = html.match(/name="csrf" value="([^"]+)"/);
  if (page.status !== 200 || !token) throw new Error(`no open form at ${pageUrl} (${page.status})`);
  return { csrf: token[1], html };
}

/** The hosted page's HTML. */
export async function pageHtml(url) {
  return (await fetch(url, { redirect: 'manual' })).text();
}

/** The customer pays with a test card on the hosted page. */
export async function payOnPage(url, number = '4242424242424242') {
  const { csrf } = await formToken(url);
  const form = new URLSearchParams({ csrf, number, expiry: '12/34', cvc: '123', holder: 'Ada Lovelace' });
  return fetch(`${url}/pay`, { method: 'POST', body: form, redirect: 'manual' });
}

/** Where the page sends the customer once the payment is through (polling the page). */
export async function successLocation(url, seconds = 20) {
  for (let i = 0; i < seconds * 10; i += 1) {
    const page = await fetch(url, { redirect: 'manual' });
    if (page.status === 303) return page.headers.get('location');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the page at ${url} never sent the customer on`);
}
