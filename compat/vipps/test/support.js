// What the tests share: the SDK pointed at the gateway (Vipps' host override, with the
// workaround for its access-token bug), a customer who approves on the hosted page over plain
// HTTP, and a proxy that loses answers so the SDK's retries can be watched.
import http from 'node:http';
import Vipps from '@vippsno/vipps-sdk';

export const GATEWAY = process.env.KASSA_URL;
export const UNIT = {
  clientId: process.env.KASSA_MERCHANT_ID,
  clientSecret: process.env.KASSA_SECRET_KEY,
  subscriptionKey: process.env.KASSA_PUBLISHABLE_KEY,
  merchantSerialNumber: process.env.KASSA_SERIAL_NUMBER,
};
if (!GATEWAY || Object.values(UNIT).some((v) => !v)) {
  throw new Error('Set KASSA_URL, KASSA_MERCHANT_ID, KASSA_SECRET_KEY, KASSA_PUBLISHABLE_KEY and '
    + 'KASSA_SERIAL_NUMBER; compat/run starts a gateway and sets them.');
}
if (!/^http:\/\/[^/:]+:\d{1,4}$/.test(GATEWAY)) {
  throw new Error(`The SDK only reaches hosts with a port of at most 4 digits, not ${GATEWAY}.`);
}

/** The official SDK, unmodified, sending everything to `host` (the gateway by default). */
export function vipps(host = GATEWAY, unit = UNIT) {
  process.env.VIPPS_HOSTNAME = host;
  const sdk = new Vipps({ ...unit, vippsSystemName: 'kassa-compat', useTestMode: true });
  // The SDK fetches tokens from apitest.vipps.no whenever VIPPS_HOSTNAME is set (wire §1).
  sdk.ePayment.accessTokenClient.hostname = host;
  return sdk;
}

/** A reference Vipps accepts (8 to 50 letters, digits, dashes), new each time. */
export function reference(prefix = 'order') {
  return `${prefix}-${Date.now()}-${Math.random().toString(16).slice(2, 10)}`;
}

/** A web-redirect payment of `value` øre. */
export function payment(value = 1000, ref = reference()) {
  return {
    amount: { currency: 'NOK', value },
    paymentMethod: { type: 'WALLET' },
    reference: ref,
    userFlow: 'WEB_REDIRECT',
    returnUrl: `${GATEWAY}/health?vipps=returned`,
    paymentDescription: 'Wool socks',
  };
}

async function formToken(pageUrl) {
  const page = await fetch(pageUrl, { redirect: 'manual' });
  const html = await page.text();
  const token = html.match(/name="csrf" value="([^"]+)"/);
  if (page.status !== 200 || !token) {
    throw new Error(`no open form at ${pageUrl} (${page.status})`);
  }
  return token[1];
}

/** The customer pays (approves) with a test card on the page at `pageUrl`. */
export async function approveOnPage(pageUrl, number = '4242424242424242') {
  const csrf = await formToken(pageUrl);
  const form = new URLSearchParams({ csrf, number, expiry: '12/34', cvc: '123', holder: 'Kari Nordmann' });
  return fetch(`${pageUrl}/pay`, { method: 'POST', body: form, redirect: 'manual' });
}

/** Asks for the payment until its state is `wanted` (or the time is up). */
export async function stateBecomes(sdk, ref, wanted, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  let found;
  do {
    found = await sdk.ePayment.getPayment(ref);
    if (found.state === wanted) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < deadline);
  throw new Error(`payment ${ref} stayed ${found.state}, expected ${wanted}`);
}

/** Listens on a free port of at most four digits (the SDK reaches no other). */
function listenLow(server) {
  return new Promise((resolve, reject) => {
    const attempt = (tries) => {
      const port = 8000 + Math.floor(Math.random() * 2000);
      server.once('error', (e) => (tries > 0 && e.code === 'EADDRINUSE' ? attempt(tries - 1) : reject(e)));
      server.listen(port, '127.0.0.1', () => resolve(port));
    };
    attempt(50);
  });
}

/**
 * A proxy in front of the gateway that forwards every request and, the first time it sees a
 * request matching `lose` (method and path), lets the gateway answer but drops the answer (the
 * connection is cut), as a network would. Returns its URL, what it saw, and `close`.
 */
export async function lossyProxy(lose) {
  const target = new URL(GATEWAY);
  const seen = [];
  let lost = false;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method, path: req.url, key: req.headers['idempotency-key'] });
      const headers = { ...req.headers, host: target.host, 'content-length': body.length };
      delete headers['transfer-encoding'];
      const upstream = http.request({
        host: target.hostname, port: target.port, method: req.method, path: req.url, headers,
      }, (answer) => {
        const dropThis = !lost && lose(req.method, req.url);
        if (dropThis) {
          lost = true;
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => req.socket.destroy());
      upstream.end(body);
    });
  });
  const port = await listenLow(server);
  return { url: `http://127.0.0.1:${port}`, seen, close: () => server.close() };
}
