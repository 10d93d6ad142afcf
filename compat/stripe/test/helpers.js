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
