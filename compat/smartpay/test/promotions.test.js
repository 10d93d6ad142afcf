// Coupons and promotion codes with Smartpay's fields, and a code the customer applies on the
// hosted page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Smartpay from '@smartpay/sdk-node';
import { applyCodeOnPage, pageHtml, pageOf, payOnPage, sessionPayload, smartpay, until } from './helpers.js';

const sp = smartpay();
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

test('coupons: create, get, update, list', async () => {
  const coupon = await sp.createCoupon({
    name: 'Spring', discountType: Smartpay.COUPON_DISCOUNT_TYPE_AMOUNT, discountAmount: 100, currency: 'JPY',
    maxRedemptionCount: 10, metadata: { campaign: 'spring' },
  });
  assert.match(coupon.id, /^coupon_test_[0-9a-zA-Z]+$/);
  assert.equal(coupon.discountType, 'amount');
  assert.equal(coupon.discountAmount, 100);
  assert.equal(coupon.active, true);
  assert.equal(coupon.redemptionCount, 0);
  assert.equal((await sp.getCoupon({ id: coupon.id })).name, 'Spring');
  assert.equal((await sp.updateCoupon({ id: coupon.id })).name, 'Spring', 'an empty update changes nothing');
  const renamed = await sp.updateCoupon({ id: coupon.id, name: 'Spring sale', active: false });
  assert.equal(renamed.name, 'Spring sale');
  assert.equal(renamed.active, false);
  const percent = await sp.createCoupon({ name: 'Ten off', discountType: 'percentage', discountPercentage: 10 });
  assert.equal(percent.discountPercentage, 10);
  const listed = await sp.listCoupons({ maxResults: 100 });
  assert.ok(listed.data.some((c) => c.id === percent.id));
  await assert.rejects(sp.getCoupon({ id: 'coupon_test_nope' }), (e) => e.statusCode === 404 && e.errorCode === 'coupon.not-found');
});

test('promotion codes: unique whatever their case, updated, listed', async () => {
  const coupon = await sp.createCoupon({ name: 'Ten off', discountType: 'percentage', discountPercentage: 10 });
  const code = `TEA${unique()}`;
  const promo = await sp.createPromotionCode({
    code, coupon: coupon.id, onePerCustomer: true, minimumAmount: 300, currency: 'JPY',
  });
  assert.match(promo.id, /^promotioncode_test_[0-9a-zA-Z]+$/);
  assert.equal(promo.code, code);
  assert.equal(promo.coupon, coupon.id);
  assert.equal(promo.onePerCustomer, true);
  assert.equal(promo.minimumAmount, 300);
  await assert.rejects(
    sp.createPromotionCode({ code: code.toLowerCase(), coupon: coupon.id }),
    (e) => e.statusCode === 409 && e.errorCode === 'promotion-code.exists',
  );
  const off = await sp.updatePromotionCode({ id: promo.id, active: false, metadata: { note: 'paused' } });
  assert.equal(off.active, false);
  assert.deepEqual(off.metadata, { note: 'paused' });
  assert.equal((await sp.getPromotionCode({ id: promo.id })).active, false);
  const listed = await sp.listPromotionCodes({ maxResults: 100 });
  assert.ok(listed.data.some((p) => p.id === promo.id));
});

test('a code given with the session, or applied by the customer, discounts the order', async () => {
  const coupon = await sp.createCoupon({ name: '100 off', discountType: 'amount', discountAmount: 100, currency: 'JPY' });
  const code = `GIFT${unique()}`;
  await sp.createPromotionCode({ code, coupon: coupon.id });

  const withCode = await sp.createCheckoutSession(sessionPayload({ promotionCode: code }));
  assert.equal(withCode.order.amount, 500, '600 less 100');
  assert.equal(withCode.order.discountAmount, 100);

  const session = await sp.createCheckoutSession(sessionPayload());
  const link = Smartpay.getSessionURL(session, { promotionCode: code });
  assert.match(await pageHtml(link), new RegExp(`value="${code}"`), 'the link fills in the code');
  const applied = await applyCodeOnPage(pageOf(session.url), code);
  assert.ok([200, 303].includes(applied.status), `applying answered ${applied.status}`);
  assert.equal(await payOnPage(session.url).then((r) => r.status), 303);
  const order = await until(() => sp.getOrder({ id: session.order.id }), (o) => o.status === 'succeeded');
  assert.equal(order.amount, 500);
  assert.equal((await sp.getCoupon({ id: coupon.id })).redemptionCount, 1);
});
