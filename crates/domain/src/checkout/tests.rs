use super::*;
use crate::id::PaymentIntentId;
use proptest::prelude::*;

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn units(v: i64) -> MinorUnits {
    MinorUnits::new(v).unwrap()
}

fn line(qty: i64, unit: i64, discount: i64, tax: i64) -> LineItem {
    LineItem {
        name: "Tea".into(),
        description: None,
        kind: Some(ItemKind::Physical),
        reference: None,
        quantity: qty,
        unit_amount: units(unit),
        discount_amount: units(discount),
        tax_amount: units(tax),
        image_url: None,
    }
}

#[test]
fn totals_follow_the_documented_order() {
    // 2 × 1000 − 200 line discount = 1800; 10% promo = 180; + line tax 150 + tax 50 + shipping 300.
    let t =
        compute_totals(&[line(2, 1000, 200, 150)], units(50), units(300), Some((&CouponValue::PercentOff(10), usd())))
            .unwrap();
    assert_eq!(
        (t.subtotal.get(), t.discount.get(), t.tax.get(), t.shipping.get(), t.total.get()),
        (2000, 380, 200, 300, 1800 - 180 + 200 + 300)
    );
}

#[test]
fn percentages_round_half_up_and_amounts_off_are_capped() {
    assert_eq!(CouponValue::PercentOff(15).discount_of(units(333), usd()).unwrap().get(), 50); // 49.95
    assert_eq!(CouponValue::PercentOff(15).discount_of(units(330), usd()).unwrap().get(), 50); // 49.5
    assert_eq!(CouponValue::PercentOff(15).discount_of(units(329), usd()).unwrap().get(), 49); // 49.35
    let off = CouponValue::AmountOff { amount: Amount::new(5000).unwrap(), currency: usd() };
    assert_eq!(off.discount_of(units(1200), usd()).unwrap().get(), 1200);
    assert!(off.discount_of(units(1200), Currency::parse("EUR").unwrap()).is_err());
    assert!(
        CouponValue::percent(0).is_err() && CouponValue::percent(101).is_err() && CouponValue::percent(100).is_ok()
    );
}

#[test]
fn a_total_must_stay_positive_and_bounded() {
    assert_eq!(
        compute_totals(&[line(1, 500, 0, 0)], units(0), units(0), Some((&CouponValue::PercentOff(100), usd())))
            .unwrap_err()
            .code,
        "amount_too_small"
    );
    assert!(
        compute_totals(&[line(1, 500, 0, 0)], units(0), units(0), Some((&CouponValue::PercentOff(100), usd())))
            .is_err()
    );
    assert!(
        compute_totals(&[line(1, 500, 0, 0)], units(0), units(10), Some((&CouponValue::PercentOff(100), usd())))
            .is_ok()
    );
    assert_eq!(
        compute_totals(&[line(10_000, MAX_AMOUNT, 0, 0)], units(0), units(0), None).unwrap_err().code,
        "amount_too_large"
    );
    assert_eq!(
        compute_totals(&[line(1, 100, 101, 0)], units(0), units(0), None).unwrap_err().code,
        "invalid_discount_amount"
    );
}

fn session(expires_at: i64) -> CheckoutSession {
    CheckoutSession {
        face_notes: Default::default(),
        id: CheckoutSessionId::generate(),
        merchant_id: MerchantId::generate(),
        mode: Mode::Test,
        status: SessionStatus::Open,
        payment_status: SessionPaymentStatus::Unpaid,
        currency: usd(),
        line_items: vec![line(1, 1000, 0, 0)],
        tax_amount: units(0),
        shipping_amount: units(0),
        totals: compute_totals(&[line(1, 1000, 0, 0)], units(0), units(0), None).unwrap(),
        consumer: Consumer::default(),
        billing_address: None,
        shipping_address: None,
        success_url: "https://shop.example/ok".into(),
        failure_url: None,
        cancel_url: None,
        capture_method: CaptureMethod::Automatic,
        locale: Locale::En,
        expires_at: Timestamp(expires_at),
        promotion: None,
        order_reference: None,
        reference: None,
        order_number: None,
        promotion_misses: 0,
        metadata: Metadata::default(),
        purpose: Purpose::Payment(PaymentIntentId::generate()),
        payment_method_types: card_only(),
        customer_codes: true,
        failed_attempts: 0,
        cancellation: None,
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
    }
}

#[test]
fn sessions_move_through_their_states() {
    let mut s = session(100);
    assert_eq!(s.phase(Some(PaymentStatusOfIntent::RequiresPaymentMethod)), CheckoutPhase::AwaitingPayment);
    s.begin_payment(Timestamp(1)).unwrap();
    assert_eq!(s.begin_payment(Timestamp(2)), Err(SessionError::Processing));
    assert_eq!(s.phase(Some(PaymentStatusOfIntent::Processing)), CheckoutPhase::Authorizing);
    assert!(!s.payment_failed(3, Timestamp(3)));
    assert_eq!(s.phase(Some(PaymentStatusOfIntent::Failed)), CheckoutPhase::Declined);
    s.begin_payment(Timestamp(4)).unwrap();
    assert!(s.payment_succeeded(Timestamp(5)));
    assert_eq!(s.phase(Some(PaymentStatusOfIntent::RequiresCapture)), CheckoutPhase::Authorized);
    assert_eq!(s.phase(Some(PaymentStatusOfIntent::Succeeded)), CheckoutPhase::Paid);
    assert!(matches!(s.expire(Timestamp(6)), Err(SessionError::NotOpen { status: SessionStatus::Complete, .. })));
}

#[test]
fn declines_cancel_the_session_at_the_last_attempt() {
    let mut s = session(100);
    for attempt in 1..=3 {
        s.begin_payment(Timestamp(attempt)).unwrap();
        assert_eq!(s.payment_failed(3, Timestamp(attempt)), attempt == 3);
    }
    assert_eq!(
        (s.status, s.phase(Some(PaymentStatusOfIntent::Failed))),
        (SessionStatus::Canceled, CheckoutPhase::Failed)
    );
    let mut s = session(100);
    s.cancel_by_customer(Timestamp(1)).unwrap();
    assert_eq!(s.phase(Some(PaymentStatusOfIntent::Canceled)), CheckoutPhase::CanceledByCustomer);
}

#[test]
fn an_open_session_past_its_time_is_expired_but_a_running_payment_finishes() {
    let mut s = session(100);
    assert!(matches!(
        s.begin_payment(Timestamp(100)),
        Err(SessionError::NotOpen { status: SessionStatus::Expired, .. })
    ));
    assert_eq!(s.phase(Some(PaymentStatusOfIntent::Canceled)), CheckoutPhase::Expired);
    let mut s = session(100);
    s.begin_payment(Timestamp(99)).unwrap();
    assert_eq!(s.expire(Timestamp(150)), Err(SessionError::Processing), "a running payment is not cut off");
    assert!(s.payment_succeeded(Timestamp(150)), "a payment started in time completes");
    let mut s = session(100);
    s.expire(Timestamp(150)).unwrap();
    assert_eq!(s.status, SessionStatus::Expired);
}

fn coupon(value: CouponValue) -> Coupon {
    Coupon {
        id: CouponId::generate(),
        merchant_id: MerchantId::generate(),
        mode: Mode::Test,
        name: None,
        value,
        expires_at: None,
        max_redemptions: None,
        times_redeemed: 0,
        reserved: 0,
        active: true,
        metadata: Metadata::default(),
        created_at: Timestamp(0),
    }
}

fn promo(coupon: &Coupon) -> PromotionCode {
    PromotionCode {
        id: PromotionCodeId::generate(),
        merchant_id: coupon.merchant_id.clone(),
        mode: Mode::Test,
        code: "SPRING".into(),
        coupon_id: coupon.id.clone(),
        active: true,
        expires_at: None,
        max_redemptions: None,
        times_redeemed: 0,
        reserved: 0,
        restrictions: Restrictions::default(),
        metadata: Metadata::default(),
        created_at: Timestamp(0),
    }
}

#[test]
fn promotion_restrictions() {
    let c = coupon(CouponValue::PercentOff(10));
    let mut p = promo(&c);
    let base = units(5000);
    assert!(p.check(&c, base, usd(), None, Timestamp(1), true).is_ok());
    p.max_redemptions = Some(2);
    p.times_redeemed = 1;
    p.reserved = 1;
    assert_eq!(p.check(&c, base, usd(), None, Timestamp(1), true).unwrap_err().code, "promotion_code_used_up");
    assert!(p.check(&c, base, usd(), None, Timestamp(1), false).is_ok(), "a reserved redemption may still complete");
    let mut p = promo(&c);
    p.expires_at = Some(Timestamp(10));
    assert_eq!(p.check(&c, base, usd(), None, Timestamp(10), true).unwrap_err().code, "promotion_code_expired");
    let mut p = promo(&c);
    p.restrictions.minimum_amount = Some((Amount::new(6000).unwrap(), usd()));
    assert_eq!(p.check(&c, base, usd(), None, Timestamp(1), true).unwrap_err().code, "promotion_code_minimum_amount");
    let mut p = promo(&c);
    p.restrictions.first_time_only = true;
    p.restrictions.once_per_customer = true;
    assert_eq!(p.check(&c, base, usd(), None, Timestamp(1), true).unwrap_err().code, "promotion_code_needs_customer");
    let returning = CustomerHistory { has_paid_before: true, redeemed_this_code: false };
    assert_eq!(
        p.check(&c, base, usd(), Some(returning), Timestamp(1), true).unwrap_err().code,
        "promotion_code_first_time_only"
    );
    p.restrictions.first_time_only = false;
    let again = CustomerHistory { has_paid_before: true, redeemed_this_code: true };
    assert_eq!(
        p.check(&c, base, usd(), Some(again), Timestamp(1), true).unwrap_err().code,
        "promotion_code_already_redeemed"
    );
    let mut inactive = c.clone();
    inactive.active = false;
    assert_eq!(
        promo(&c).check(&inactive, base, usd(), None, Timestamp(1), true).unwrap_err().code,
        "promotion_code_inactive"
    );
}

proptest! {
    /// Whatever the lines and the coupon, the totals add up and a discount never exceeds its base.
    #[test]
    fn totals_add_up(
        lines in prop::collection::vec((1i64..50, 0i64..100_000, 0i64..1000, 0i64..5000), 1..8),
        tax in 0i64..10_000, shipping in 0i64..10_000, percent in 0i64..=100, amount_off in 1i64..1_000_000,
        use_percent in any::<bool>(),
    ) {
        let items: Vec<_> = lines.iter().map(|&(q, u, d, t)| line(q, u, d.min(q * u), t)).collect();
        let value = if use_percent && percent > 0 { CouponValue::PercentOff(percent as u8) }
            else { CouponValue::AmountOff { amount: Amount::new(amount_off).unwrap(), currency: usd() } };
        let subtotal: i64 = items.iter().map(|l| l.quantity * l.unit_amount.get()).sum();
        let line_discounts: i64 = items.iter().map(|l| l.discount_amount.get()).sum();
        let line_taxes: i64 = items.iter().map(|l| l.tax_amount.get()).sum();
        match compute_totals(&items, units(tax), units(shipping), Some((&value, usd()))) {
            Ok(t) => {
                let promo = t.discount.get() - line_discounts;
                prop_assert!(promo >= 0 && promo <= subtotal - line_discounts);
                prop_assert_eq!(t.subtotal.get(), subtotal);
                prop_assert_eq!(t.tax.get(), line_taxes + tax);
                prop_assert_eq!(t.total.get(), subtotal - t.discount.get() + t.tax.get() + shipping);
                prop_assert!(t.total.get() >= 1);
            }
            Err(e) => prop_assert_eq!(e.code, "amount_too_small"),
        }
    }
}

#[test]
fn a_setup_session_saves_a_card_or_fails_at_its_first_decline() {
    let mut s = session(100);
    s.purpose = Purpose::Setup(crate::id::TokenId::generate());
    assert_eq!(s.payment_intent_id(), None);
    s.begin_payment(Timestamp(1)).unwrap();
    assert!(s.payment_failed(3, Timestamp(2)), "a refused card ends a setup session");
    assert_eq!(s.phase(None), CheckoutPhase::Failed);
    let mut s = session(100);
    s.purpose = Purpose::Setup(crate::id::TokenId::generate());
    s.begin_payment(Timestamp(1)).unwrap();
    assert!(s.payment_succeeded(Timestamp(2)));
    assert_eq!(s.phase(None), CheckoutPhase::CardSaved);
}

#[test]
fn a_snapshot_names_its_purpose_and_snapshots_from_before_setup_sessions_still_read() {
    let s = session(100);
    let json = serde_json::to_value(&s).unwrap();
    let pi = s.payment_intent_id().unwrap().to_string();
    assert_eq!(json["payment_intent_id"], pi.as_str(), "the field keeps its name");
    let back: CheckoutSession = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
    let mut setup = session(100);
    setup.purpose = Purpose::Setup(crate::id::TokenId::generate());
    let json = serde_json::to_value(&setup).unwrap();
    assert!(json.get("payment_intent_id").is_none());
    assert_eq!(serde_json::from_value::<CheckoutSession>(json).unwrap(), setup);
}

#[test]
fn a_merchant_cancel_closes_an_open_session_but_not_a_running_payment() {
    let mut s = session(100);
    s.begin_payment(Timestamp(1)).unwrap();
    assert_eq!(s.cancel_by_merchant(Timestamp(2)), Err(SessionError::Processing));
    assert!(s.payment_succeeded(Timestamp(3)));
    assert!(matches!(s.cancel_by_merchant(Timestamp(4)), Err(SessionError::NotOpen { .. })));
    let mut s = session(100);
    s.cancel_by_merchant(Timestamp(2)).unwrap();
    assert_eq!(s.phase(Some(PaymentStatusOfIntent::Canceled)), CheckoutPhase::CanceledByMerchant);
}
