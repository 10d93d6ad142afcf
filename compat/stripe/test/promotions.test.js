import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripe } from './helpers.js';

const s = stripe();

test('coupons: percent and amount off, updated, listed, deleted (no longer valid)', async () => {
  const percent = await s.coupons.create({ percent_off: 25, duration: 'once', name: 'Quarter off', max_redemptions: 5 });
  assert.equal(percent.object, 'coupon');
  assert.equal(percent.percent_off, 25);
  assert.equal(percent.valid, true);
  const amount = await s.coupons.create({ amount_off: 500, currency: 'usd', duration: 'forever' });
  assert.equal(amount.amount_off, 500);
  assert.equal(amount.currency, 'usd');
  const renamed = await s.coupons.update(percent.id, { name: 'Spring', metadata: { campaign: 'spring' } });
  assert.equal(renamed.name, 'Spring');
  const listed = await s.coupons.list({ limit: 2 });
  assert.deepEqual(listed.data.map((c) => c.id), [amount.id, percent.id]);
  const deleted = await s.coupons.del(amount.id);
  assert.equal(deleted.deleted, true);
  assert.equal((await s.coupons.retrieve(amount.id)).valid, false);
  await assert.rejects(s.coupons.create({ percent_off: 10, duration: 'repeating', duration_in_months: 3 }), (err) => err.statusCode === 400);
  await assert.rejects(s.coupons.create({ amount_off: 500 }), (err) => err.statusCode === 400 && err.param === 'currency');
});

test('promotion codes: made for a coupon (a code of their own when none is given), listed by code, deactivated', async () => {
  const coupon = await s.coupons.create({ percent_off: 15, duration: 'once' });
  const code = `WELCOME${Date.now()}`;
  const promo = await s.promotionCodes.create({
    promotion: { type: 'coupon', coupon: coupon.id }, code, max_redemptions: 100,
    restrictions: { first_time_transaction: true, minimum_amount: 1000, minimum_amount_currency: 'usd' },
  });
  assert.equal(promo.object, 'promotion_code');
  assert.equal(promo.code, code);
  assert.equal(promo.promotion.coupon.id, coupon.id);
  assert.equal(promo.restrictions.minimum_amount, 1000);
  assert.equal(promo.restrictions.minimum_amount_currency, 'usd');
  const generated = await s.promotionCodes.create({ promotion: { type: 'coupon', coupon: coupon.id } });
  assert.match(generated.code, /^[A-Z0-9]{8}$/);
  const found = await s.promotionCodes.list({ code });
  assert.deepEqual(found.data.map((p) => p.id), [promo.id]);
  const off = await s.promotionCodes.update(promo.id, { active: false });
  assert.equal(off.active, false);
  await assert.rejects(s.promotionCodes.create({ promotion: { type: 'coupon', coupon: 'co_nothing' }, code: `X${Date.now()}` }), (err) => err.statusCode === 400 || err.statusCode === 404);
});
