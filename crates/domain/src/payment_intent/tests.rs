use super::*;
use crate::card::{CardBrand, CardDetails};
use proptest::prelude::*;

fn card() -> PaymentMethod {
    PaymentMethod {
        id: "pm_card_visa".into(),
        card: CardDetails {
            brand: CardBrand::Visa,
            last4: "4242".into(),
            exp_month: 12,
            exp_year: 2034,
            fingerprint: "f".into(),
        },
        network_token: "sim:success".into(),
    }
}

fn intent(amount: i64, capture_method: CaptureMethod) -> PaymentIntent {
    let new = NewPaymentIntent {
        face_notes: Default::default(),
        amount: Amount::new(amount).unwrap(),
        currency: Currency::parse("USD").unwrap(),
        capture_method,
        payment_method: None,
        customer: None,
        description: None,
        statement_descriptor: None,
        metadata: Metadata::default(),
        reference: None,
        token: None,
    };
    PaymentIntent::create(PaymentIntentId::generate(), MerchantId::generate(), Mode::Test, new, Timestamp(0)).0
}

fn approve(pi: &mut PaymentIntent) {
    pi.confirm(Some(card()), Timestamp(1)).unwrap();
    pi.authorized(Authorization { id: "auth".into(), code: "123456".into() }, Timestamp(2)).unwrap();
}

fn refund_of(pi: &mut PaymentIntent, amount: Option<i64>) -> Result<Refund, TransitionError> {
    let new = NewRefund {
        face_notes: Default::default(),
        id: RefundId::generate(),
        amount: amount.map(|a| Amount::new(a).unwrap()),
        reason: None,
        metadata: Metadata::default(),
    };
    pi.begin_refund(new, None, Timestamp(3)).map(|(r, _)| r)
}

fn declined() -> PaymentFailure {
    PaymentFailure { code: "card_declined".into(), decline_code: Some("generic_decline".into()), message: "no".into() }
}

#[test]
fn automatic_capture_succeeds_in_one_step() {
    let mut pi = intent(1000, CaptureMethod::Automatic);
    assert_eq!(pi.status, Status::RequiresPaymentMethod);
    approve(&mut pi);
    assert_eq!(pi.status, Status::Succeeded);
    assert_eq!(pi.amount_captured.get(), 1000);
    pi.check_invariants().unwrap();
}

#[test]
fn partial_non_final_captures_then_final_release() {
    let mut pi = intent(1000, CaptureMethod::Manual);
    approve(&mut pi);
    let c = pi.begin_capture(CaptureId::generate(), Some(Amount::new(300).unwrap()), false, Timestamp(3)).unwrap();
    assert_eq!(pi.capture_succeeded(&c.id, Timestamp(4)).unwrap(), vec![EventType::PaymentIntentPartiallyCaptured]);
    assert_eq!(pi.status, Status::RequiresCapture);
    assert_eq!(pi.amount_capturable().get(), 700);
    let c = pi.begin_capture(CaptureId::generate(), Some(Amount::new(200).unwrap()), true, Timestamp(5)).unwrap();
    pi.capture_succeeded(&c.id, Timestamp(6)).unwrap();
    assert_eq!((pi.status, pi.amount_captured.get(), pi.amount_canceled.get()), (Status::Succeeded, 500, 500));
    pi.check_invariants().unwrap();
}

#[test]
fn capture_over_the_authorization_is_refused() {
    let mut pi = intent(1000, CaptureMethod::Manual);
    approve(&mut pi);
    let before = pi.clone();
    let err =
        pi.begin_capture(CaptureId::generate(), Some(Amount::new(1001).unwrap()), true, Timestamp(3)).unwrap_err();
    assert_eq!(
        err,
        TransitionError::CaptureExceedsAuthorized {
            capturable: Money::new(MinorUnits::new(1000).unwrap(), pi.currency)
        }
    );
    assert_eq!(pi, before);
}

#[test]
fn refunds_stop_at_the_captured_amount() {
    let mut pi = intent(1000, CaptureMethod::Automatic);
    approve(&mut pi);
    let mut r1 = refund_of(&mut pi, Some(600)).unwrap();
    assert_eq!(
        refund_of(&mut pi, Some(401)).unwrap_err(),
        TransitionError::RefundExceedsCaptured { refundable: Money::new(MinorUnits::new(400).unwrap(), pi.currency) }
    );
    let mut r2 = refund_of(&mut pi, None).unwrap();
    assert_eq!(r2.amount.get(), 400);
    assert_eq!(refund_of(&mut pi, Some(1)).unwrap_err(), TransitionError::AlreadyRefunded);
    pi.refund_failed(&mut r1, None, declined(), Timestamp(5)).unwrap();
    assert_eq!(pi.amount_refundable().get(), 600, "a failed refund gives its reservation back");
    pi.refund_succeeded(&mut r2, None, Timestamp(6)).unwrap();
    assert_eq!(pi.refund_succeeded(&mut r2, None, Timestamp(7)).unwrap_err(), TransitionError::NotPending);
    assert_eq!(pi.amount_refunded.get(), 400);
    pi.check_invariants().unwrap();
}

#[test]
fn illegal_transitions_name_the_current_status() {
    let mut pi = intent(500, CaptureMethod::Automatic);
    let err = pi.begin_capture(CaptureId::generate(), None, true, Timestamp(1)).unwrap_err();
    assert_eq!(err, TransitionError::UnexpectedState { action: "captured", status: Status::RequiresPaymentMethod });
    assert!(err.to_string().contains("requires_payment_method"));
    assert_eq!(pi.confirm(None, Timestamp(1)).unwrap_err(), TransitionError::MissingPaymentMethod);
    approve(&mut pi);
    assert!(matches!(
        pi.cancel(None, Timestamp(3)),
        Err(TransitionError::UnexpectedState { status: Status::Succeeded, .. })
    ));
    assert!(matches!(pi.confirm(Some(card()), Timestamp(3)), Err(TransitionError::UnexpectedState { .. })));
}

#[test]
fn a_failed_attempt_can_be_confirmed_again_or_canceled() {
    let mut pi = intent(500, CaptureMethod::Automatic);
    pi.confirm(Some(card()), Timestamp(1)).unwrap();
    pi.authorization_failed(declined(), Timestamp(2)).unwrap();
    assert_eq!(pi.status, Status::Failed);
    pi.confirm(None, Timestamp(3)).unwrap();
    assert_eq!(pi.status, Status::Processing);
    assert!(pi.last_error.is_none());
    pi.authorization_failed(declined(), Timestamp(4)).unwrap();
    let out = pi.cancel(Some(CancellationReason::Abandoned), Timestamp(5)).unwrap();
    assert_eq!((pi.status, out.released), (Status::Canceled, MinorUnits::ZERO));
}

#[test]
fn cancel_after_a_partial_capture_releases_the_rest_and_succeeds() {
    let mut pi = intent(1000, CaptureMethod::Manual);
    approve(&mut pi);
    let c = pi.begin_capture(CaptureId::generate(), Some(Amount::new(250).unwrap()), false, Timestamp(3)).unwrap();
    assert_eq!(pi.cancel(None, Timestamp(3)).unwrap_err(), TransitionError::CaptureInProgress);
    pi.capture_succeeded(&c.id, Timestamp(4)).unwrap();
    let out = pi.cancel(None, Timestamp(5)).unwrap();
    assert_eq!((pi.status, out.released.get(), pi.amount_canceled.get()), (Status::Succeeded, 750, 750));
    pi.check_invariants().unwrap();
}

#[test]
fn updates_only_before_confirmation() {
    let mut pi = intent(500, CaptureMethod::Automatic);
    let changes = PaymentIntentUpdate { description: Some("d".into()), ..Default::default() };
    pi.update(changes.clone(), Timestamp(1)).unwrap();
    approve(&mut pi);
    assert!(matches!(pi.update(changes, Timestamp(3)), Err(UpdateError::Transition(_))));
}

/// One step a merchant or the processor can take.
#[derive(Debug, Clone)]
enum Op {
    Confirm,
    Approve,
    Decline,
    Capture { amount: Option<i64>, final_capture: bool },
    CaptureSettles { ok: bool },
    Cancel,
    Refund { amount: Option<i64> },
    RefundSettles { index: usize, ok: bool },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::Confirm),
        3 => Just(Op::Approve),
        1 => Just(Op::Decline),
        3 => (prop::option::of(1i64..1200), any::<bool>()).prop_map(|(amount, final_capture)| Op::Capture { amount, final_capture }),
        3 => any::<bool>().prop_map(|ok| Op::CaptureSettles { ok }),
        1 => Just(Op::Cancel),
        4 => prop::option::of(1i64..700).prop_map(|amount| Op::Refund { amount }),
        4 => (0usize..8, any::<bool>()).prop_map(|(index, ok)| Op::RefundSettles { index, ok }),
    ]
}

proptest! {
    /// Any sequence of operations keeps the money rules; a refused operation changes nothing;
    /// and the intent's totals agree with an independent ledger of what was settled.
    #[test]
    fn money_rules_hold_under_any_sequence(
        amount in 1i64..1000,
        manual in any::<bool>(),
        ops in prop::collection::vec(op(), 1..40),
    ) {
        let mut pi = intent(amount, if manual { CaptureMethod::Manual } else { CaptureMethod::Automatic });
        let mut refunds: Vec<Refund> = Vec::new();
        let (mut captured, mut refunded) = (0i64, 0i64);
        for (step, op) in ops.into_iter().enumerate() {
            let now = Timestamp(step as i64 + 10);
            let before = pi.clone();
            let accepted = match op {
                Op::Confirm => pi.confirm(Some(card()), now).is_ok(),
                Op::Approve => {
                    let ok = pi.authorized(Authorization { id: "a".into(), code: "c".into() }, now).is_ok();
                    if ok && pi.status == Status::Succeeded { captured += pi.amount_captured.get(); }
                    ok
                }
                Op::Decline => pi.authorization_failed(declined(), now).is_ok(),
                Op::Capture { amount, final_capture } => pi
                    .begin_capture(CaptureId::generate(), amount.map(|a| Amount::new(a).unwrap()), final_capture, now)
                    .is_ok(),
                Op::CaptureSettles { ok } => match pi.pending_capture.clone() {
                    Some(p) if ok => {
                        let r = pi.capture_succeeded(&p.id, now).is_ok();
                        if r { captured += p.amount.get(); }
                        r
                    }
                    Some(p) => pi.capture_failed(&p.id, declined(), now).is_ok(),
                    None => pi.capture_succeeded(&CaptureId::generate(), now).is_ok(),
                },
                Op::Cancel => pi.cancel(None, now).is_ok(),
                Op::Refund { amount } => match refund_of(&mut pi, amount) {
                    Ok(r) => { refunds.push(r); true }
                    Err(_) => false,
                },
                Op::RefundSettles { index, ok } => match refunds.get_mut(index) {
                    Some(r) => {
                        let was_pending = r.status == RefundStatus::Pending;
                        let res = if ok { pi.refund_succeeded(r, None, now) } else { pi.refund_failed(r, None, declined(), now) };
                        prop_assert_eq!(res.is_ok(), was_pending, "only pending refunds settle");
                        if res.is_ok() && ok { refunded += r.amount.get(); }
                        res.is_ok()
                    }
                    None => false,
                },
            };
            if !accepted {
                prop_assert_eq!(&pi, &before, "a refused operation must leave the intent unchanged");
            }
            prop_assert!(pi.check_invariants().is_ok(), "{}", pi.check_invariants().unwrap_err());
            prop_assert_eq!(pi.amount_captured.get(), captured);
            prop_assert_eq!(pi.amount_refunded.get(), refunded);
            let pending: i64 = refunds.iter().filter(|r| r.status == RefundStatus::Pending).map(|r| r.amount.get()).sum();
            prop_assert_eq!(pi.amount_refund_pending.get(), pending);
            prop_assert!(refunded + pending <= captured);
        }
    }
}

#[test]
fn facts_say_what_each_operation_moved() {
    use crate::fact::{Fact, Moved, Movement};
    let moved = |movement, amount| Some(Moved { movement, amount: MinorUnits::new(amount).unwrap() });
    let mut pi = intent(1000, CaptureMethod::Manual);
    pi.confirm(Some(card()), Timestamp(1)).unwrap();
    let before = pi.clone();
    let events = pi.authorized(Authorization { id: "auth".into(), code: "1".into() }, Timestamp(2)).unwrap();
    assert_eq!(Fact::payment_intent(events[0], Some(&before), &pi).moved(), moved(Movement::Authorized, 1000));

    let c = pi.begin_capture(CaptureId::generate(), Some(Amount::new(300).unwrap()), false, Timestamp(3)).unwrap();
    let before = pi.clone();
    let events = pi.capture_succeeded(&c.id, Timestamp(4)).unwrap();
    assert_eq!(Fact::payment_intent(events[0], Some(&before), &pi).moved(), moved(Movement::Captured, 300));

    let c = pi.begin_capture(CaptureId::generate(), Some(Amount::new(200).unwrap()), true, Timestamp(5)).unwrap();
    let before = pi.clone();
    let events = pi.capture_succeeded(&c.id, Timestamp(6)).unwrap();
    let facts: Vec<_> = events.iter().map(|e| Fact::payment_intent(*e, Some(&before), &pi).moved()).collect();
    assert_eq!(facts, [moved(Movement::Captured, 200), moved(Movement::Canceled, 500)]);

    let refund = refund_of(&mut pi, Some(150)).unwrap();
    assert_eq!(Fact::refund(EventType::RefundCreated, &refund).moved(), moved(Movement::RefundRequested, 150));
    // Creating or annotating moves nothing; neither does an event without a before.
    assert_eq!(Fact::payment_intent(EventType::PaymentIntentCaptured, None, &pi).moved(), None);
    let fresh = intent(500, CaptureMethod::Automatic);
    assert_eq!(Fact::payment_intent(EventType::PaymentIntentCreated, Some(&fresh), &fresh).moved(), None);
}

#[test]
fn refunds_of_a_capture_never_exceed_it() {
    use crate::capture::{Capture, CaptureNotes, CaptureStatus};
    let mut pi = intent(1000, CaptureMethod::Manual);
    approve(&mut pi);
    let mut captures = Vec::new();
    for (amount, at) in [(300, 3), (200, 5)] {
        let p =
            pi.begin_capture(CaptureId::generate(), Some(Amount::new(amount).unwrap()), false, Timestamp(at)).unwrap();
        assert_eq!(pi.latest_capture.as_ref(), Some(&p.id));
        let mut c = Capture::pending(&pi, &p, CaptureNotes::default(), Timestamp(at));
        assert_eq!(c.refundable(), MinorUnits::ZERO, "nothing to refund before it succeeds");
        pi.capture_succeeded(&p.id, Timestamp(at + 1)).unwrap();
        c.succeeded(Timestamp(at + 1));
        captures.push(c);
    }
    let new = |amount: Option<i64>| NewRefund {
        face_notes: Default::default(),
        id: RefundId::generate(),
        amount: amount.map(|a| Amount::new(a).unwrap()),
        reason: None,
        metadata: Metadata::default(),
    };
    let (first, second) = captures.split_at_mut(1);
    let (a, b) = (&mut first[0], &mut second[0]);
    let (mut r1, _) = pi.begin_refund(new(Some(250)), Some(a), Timestamp(8)).unwrap();
    assert_eq!(r1.capture_id.as_ref(), Some(&a.id));
    assert_eq!(
        pi.begin_refund(new(Some(51)), Some(a), Timestamp(9)).unwrap_err(),
        TransitionError::RefundExceedsCapture { refundable: Money::new(MinorUnits::new(50).unwrap(), pi.currency) }
    );
    // Without an amount: the rest of the capture.
    let (r2, _) = pi.begin_refund(new(None), Some(a), Timestamp(9)).unwrap();
    assert_eq!(r2.amount.get(), 50);
    pi.refund_failed(&mut r1, Some(a), declined(), Timestamp(10)).unwrap();
    assert_eq!(a.refundable().get(), 250, "a failed refund releases the capture's reservation");
    // Another capture's refund cannot settle against this one.
    let (mut r3, _) = pi.begin_refund(new(Some(200)), Some(b), Timestamp(11)).unwrap();
    assert_eq!(pi.refund_succeeded(&mut r3, Some(a), Timestamp(12)).unwrap_err(), TransitionError::NotPending);
    pi.refund_succeeded(&mut r3, Some(b), Timestamp(12)).unwrap();
    assert_eq!((b.amount_refunded.get(), b.refundable().get(), b.status), (200, 0, CaptureStatus::Succeeded));
    assert_eq!(pi.amount_refunded.get(), 200);
    pi.check_invariants().unwrap();
}

#[test]
fn an_automatic_capture_is_a_capture_record() {
    use crate::capture::Capture;
    let mut pi = intent(700, CaptureMethod::Automatic);
    approve(&mut pi);
    let c = Capture::automatic(&pi, Timestamp(2)).expect("a capture");
    assert_eq!((Some(&c.id), c.amount.get(), c.final_capture), (pi.latest_capture.as_ref(), 700, true));
    assert!(Capture::automatic(&intent(700, CaptureMethod::Manual), Timestamp(2)).is_none());
}

fn through_connector() -> ConnectorPayment {
    ConnectorPayment {
        connector_id: crate::ConnectorId::generate(),
        provider: "elsewhere".into(),
        reference: Some("stale".into()),
        redirect_url: Some("https://stale.example".into()),
        return_url: "https://shop.example/back".into(),
        billing: Default::default(),
    }
}

#[test]
fn a_payment_through_a_connector_waits_for_the_customer_then_is_authorized_like_any_other() {
    let mut pi = intent(1000, CaptureMethod::Manual);
    assert_eq!(pi.confirm_through(through_connector(), Timestamp(1)), Ok(vec![EventType::PaymentIntentProcessing]));
    let payment = pi.connector.clone().unwrap();
    assert_eq!((payment.reference, payment.redirect_url), (None, None), "nothing of an earlier attempt is kept");
    assert_eq!(pi.payment_method, None);
    let events = pi.awaiting_customer("ref-1".into(), "https://provider.example/approve".into(), Timestamp(2));
    assert_eq!(events, Ok(vec![EventType::PaymentIntentRequiresAction]));
    assert_eq!(pi.status, Status::RequiresAction);
    pi.check_invariants().unwrap();
    // Asked twice (a retried job): refused, unchanged.
    let before = pi.clone();
    assert!(pi.awaiting_customer("ref-2".into(), "https://other".into(), Timestamp(3)).is_err());
    assert_eq!(pi, before);
    pi.authorized(Authorization { id: "ref-1".into(), code: String::new() }, Timestamp(4)).unwrap();
    assert_eq!(pi.status, Status::RequiresCapture);
    assert_eq!(pi.connector.as_ref().unwrap().redirect_url, None, "nowhere to send the customer any more");
    assert_eq!(pi.connector.as_ref().unwrap().reference.as_deref(), Some("ref-1"));
    pi.check_invariants().unwrap();
}

#[test]
fn a_customer_who_aborts_fails_the_attempt_and_a_card_may_follow() {
    let mut pi = intent(1000, CaptureMethod::Automatic);
    pi.confirm_through(through_connector(), Timestamp(1)).unwrap();
    pi.awaiting_customer("ref-1".into(), "https://provider.example/approve".into(), Timestamp(2)).unwrap();
    pi.authorization_failed(declined(), Timestamp(3)).unwrap();
    assert_eq!(pi.status, Status::Failed);
    pi.confirm(Some(card()), Timestamp(4)).unwrap();
    assert_eq!(pi.connector, None);
    pi.check_invariants().unwrap();
}

#[test]
fn a_payment_waiting_for_the_customer_can_be_canceled_and_releases_nothing() {
    let mut pi = intent(1000, CaptureMethod::Manual);
    pi.confirm_through(through_connector(), Timestamp(1)).unwrap();
    assert!(pi.cancel(None, Timestamp(2)).is_err(), "not while the provider is being asked");
    pi.awaiting_customer("ref-1".into(), "https://provider.example/approve".into(), Timestamp(2)).unwrap();
    let outcome = pi.cancel(Some(CancellationReason::Abandoned), Timestamp(3)).unwrap();
    assert_eq!(outcome.released, MinorUnits::ZERO);
    assert_eq!(pi.status, Status::Canceled);
    pi.check_invariants().unwrap();
}
