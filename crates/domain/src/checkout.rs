//! Checkout sessions, coupons and promotion codes.
//!
//! A session is an order the customer pays on the hosted page. Its totals are computed here,
//! from its lines, never taken from the client:
//!
//! ```text
//! subtotal         = Σ quantity × unit_amount
//! discounted base  = subtotal − Σ line discounts
//! promotion        = the coupon's discount of the discounted base (taxes and shipping excluded)
//! total            = discounted base − promotion + Σ line taxes + tax_amount + shipping_amount
//! ```
//!
//! A percentage is applied in integer arithmetic, rounded half up, and a discount never takes
//! the total below one minor unit.

use crate::contact::{CountryCode, Email};
use crate::id::{CheckoutSessionId, CouponId, MerchantId, PaymentIntentId, PromotionCodeId, TokenId};
use crate::merchant::Mode;
use crate::metadata::Metadata;
use crate::money::{Amount, Currency, MAX_AMOUNT, MinorUnits};
use crate::payment_intent::{CaptureMethod, Status as PaymentStatusOfIntent};
use crate::time::Timestamp;
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};

/// Most lines in one session.
pub const MAX_LINE_ITEMS: usize = 100;
/// Most units of one line.
pub const MAX_QUANTITY: i64 = 10_000;

/// Physical goods or digital ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Shipped.
    Physical,
    /// Delivered online.
    Digital,
}

impl ItemKind {
    /// Parses `physical` or `digital`, in any case (some clients write `Physical`).
    pub fn parse(s: &str) -> Result<ItemKind, Invalid> {
        match s.to_ascii_lowercase().as_str() {
            "physical" => Ok(ItemKind::Physical),
            "digital" => Ok(ItemKind::Digital),
            _ => Err(Invalid::new("invalid_item_type", "Type must be physical or digital.")),
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Physical => "physical",
            ItemKind::Digital => "digital",
        }
    }
}

/// One line of an order. Amounts are per line except `unit_amount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    /// What is sold.
    pub name: String,
    /// More about it.
    pub description: Option<String>,
    /// Physical or digital.
    pub kind: Option<ItemKind>,
    /// The merchant's reference or SKU.
    pub reference: Option<String>,
    /// How many.
    pub quantity: i64,
    /// Price of one, in minor units.
    pub unit_amount: MinorUnits,
    /// Discount on the whole line.
    pub discount_amount: MinorUnits,
    /// Tax on the whole line.
    pub tax_amount: MinorUnits,
    /// A picture of it.
    pub image_url: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Street.
    pub line1: Option<String>,
    /// More street.
    pub line2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Region, state or province.
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, uppercase.
    pub country_code: Option<CountryCode>,
    /// Phone.
    pub phone_number: Option<String>,
}

/// Who pays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumer {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Email; identifies the customer for promotion restrictions.
    pub email: Option<Email>,
    /// Phone.
    pub phone_number: Option<String>,
}

impl Consumer {
    /// The email, normalized for comparisons.
    pub fn customer_key(&self) -> Option<String> {
        self.email.as_ref().map(|e| e.as_str().trim().to_lowercase()).filter(|e| !e.is_empty())
    }
}

/// The computed amounts of a session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Σ quantity × unit amount.
    pub subtotal: MinorUnits,
    /// Σ line discounts plus the promotion's discount.
    pub discount: MinorUnits,
    /// Σ line taxes plus the order's tax.
    pub tax: MinorUnits,
    /// Shipping.
    pub shipping: MinorUnits,
    /// What the customer pays.
    pub total: MinorUnits,
}

/// A discount: a fixed amount in one currency, or a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CouponValue {
    /// This much off, in this currency.
    AmountOff {
        /// Minor units.
        amount: Amount,
        /// Only for orders in this currency.
        currency: Currency,
    },
    /// This percentage off (1–100).
    PercentOff(u8),
}

impl CouponValue {
    /// Checks a percentage.
    pub fn percent(p: i64) -> Result<CouponValue, Invalid> {
        u8::try_from(p)
            .ok()
            .filter(|p| (1..=100).contains(p))
            .map(CouponValue::PercentOff)
            .ok_or_else(|| Invalid::new("invalid_percent_off", "percent_off must be a whole number from 1 to 100."))
    }

    /// The discount of `base` in `currency`.
    pub fn discount_of(&self, base: MinorUnits, currency: Currency) -> Result<MinorUnits, Invalid> {
        match *self {
            CouponValue::AmountOff { amount, currency: c } if c == currency => {
                Ok(MinorUnits::new(amount.get().min(base.get())).unwrap_or_default())
            }
            CouponValue::AmountOff { currency: c, .. } => Err(Invalid::new(
                "promotion_code_currency_mismatch",
                format!("This code gives an amount off in {c}, but the order is in {currency}."),
            )),
            CouponValue::PercentOff(p) => {
                // Half up, in integers: (base × p + 50) / 100.
                let off = (i128::from(base.get()) * i128::from(p) + 50) / 100;
                Ok(MinorUnits::new(off as i64).unwrap_or_default())
            }
        }
    }
}

/// Why a line has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineValueError {
    /// Quantity × unit amount is beyond any amount Kassa takes.
    TooLarge,
    /// The line's discount is more than quantity × unit amount.
    DiscountExceedsValue,
}

/// A line's value: quantity × unit amount − its discount, in checked arithmetic, at most
/// [`MAX_AMOUNT`]. The one place this is computed.
pub fn line_value(quantity: i64, unit_amount: i64, discount: i64) -> Result<MinorUnits, LineValueError> {
    let gross = quantity.checked_mul(unit_amount).filter(|v| *v <= MAX_AMOUNT).ok_or(LineValueError::TooLarge)?;
    let net = gross.checked_sub(discount).ok_or(LineValueError::TooLarge)?;
    MinorUnits::new(net).ok_or(LineValueError::DiscountExceedsValue)
}

impl LineItem {
    /// Quantity × unit amount, before the line's discount (`None` past [`MAX_AMOUNT`]).
    pub fn gross(&self) -> Option<MinorUnits> {
        line_value(self.quantity, self.unit_amount.get(), 0).ok()
    }

    /// The line's value after its own discount.
    pub fn value(&self) -> Result<MinorUnits, LineValueError> {
        line_value(self.quantity, self.unit_amount.get(), self.discount_amount.get())
    }
}

/// Σ the lines' values: what a promotion applies to.
pub fn discounted_base(lines: &[LineItem]) -> Result<MinorUnits, Invalid> {
    let too_large = || Invalid::new("amount_too_large", format!("The order's total must be at most {MAX_AMOUNT}."));
    lines.iter().try_fold(MinorUnits::ZERO, |sum, line| {
        let value = line.value().map_err(|e| match e {
            LineValueError::TooLarge => too_large(),
            LineValueError::DiscountExceedsValue => {
                Invalid::new("invalid_discount_amount", "Line discounts exceed the lines' value.")
            }
        })?;
        sum.checked_add(value).filter(|v| v.get() <= MAX_AMOUNT).ok_or_else(too_large)
    })
}

/// Computes the totals of `lines` plus order-level tax and shipping, less `promotion`.
pub fn compute_totals(
    lines: &[LineItem],
    tax_amount: MinorUnits,
    shipping_amount: MinorUnits,
    promotion: Option<(&CouponValue, Currency)>,
) -> Result<Totals, Invalid> {
    let too_large = || Invalid::new("amount_too_large", format!("The order's total must be at most {MAX_AMOUNT}."));
    let mut subtotal: i128 = 0;
    let mut line_discounts: i128 = 0;
    let mut line_taxes: i128 = 0;
    for line in lines {
        subtotal += i128::from(line.gross().ok_or_else(too_large)?.get());
        line_discounts += i128::from(line.discount_amount.get());
        line_taxes += i128::from(line.tax_amount.get());
    }
    let base_units = discounted_base(lines)?;
    let base = i128::from(base_units.get());
    let promo = match promotion {
        Some((value, currency)) => value.discount_of(base_units, currency)?,
        None => MinorUnits::ZERO,
    };
    let tax = line_taxes + i128::from(tax_amount.get());
    let total = base - i128::from(promo.get()) + tax + i128::from(shipping_amount.get());
    if total > i128::from(MAX_AMOUNT) {
        return Err(too_large());
    }
    if total < 1 {
        return Err(Invalid::new("amount_too_small", "The order's total must be at least one minor unit."));
    }
    let units = |v: i128| MinorUnits::new(v as i64).unwrap_or_default();
    Ok(Totals {
        subtotal: units(subtotal),
        discount: units(line_discounts + i128::from(promo.get())),
        tax: units(tax),
        shipping: shipping_amount,
        total: units(total),
    })
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Waiting for the customer.
    Open,
    /// Paid.
    Complete,
    /// Not paid in time.
    Expired,
    /// Canceled by the customer, or after its last failed attempt.
    Canceled,
}

impl SessionStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Open => "open",
            SessionStatus::Complete => "complete",
            SessionStatus::Expired => "expired",
            SessionStatus::Canceled => "canceled",
        }
    }

    /// Every status.
    pub const ALL: [SessionStatus; 4] =
        [SessionStatus::Open, SessionStatus::Complete, SessionStatus::Expired, SessionStatus::Canceled];

    /// Parses a wire name.
    pub fn parse(s: &str) -> Result<SessionStatus, Invalid> {
        SessionStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| Invalid::new("invalid_status", "Status must be open, complete, expired or canceled."))
    }
}

/// Where the session's payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionPaymentStatus {
    /// No attempt yet.
    Unpaid,
    /// An attempt is being authorized.
    Processing,
    /// Authorized (manual capture) or captured.
    Paid,
    /// The last attempt was declined.
    Failed,
}

impl SessionPaymentStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionPaymentStatus::Unpaid => "unpaid",
            SessionPaymentStatus::Processing => "processing",
            SessionPaymentStatus::Paid => "paid",
            SessionPaymentStatus::Failed => "failed",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<SessionPaymentStatus> {
        [
            SessionPaymentStatus::Unpaid,
            SessionPaymentStatus::Processing,
            SessionPaymentStatus::Paid,
            SessionPaymentStatus::Failed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// Why a session was canceled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionCancellation {
    /// The customer chose to cancel.
    Customer,
    /// The last allowed attempt was declined.
    PaymentFailed,
    /// The merchant canceled the session's payment before it was paid.
    Merchant,
}

/// A promotion applied to a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedPromotion {
    /// The code.
    pub promotion_code_id: PromotionCodeId,
    /// Its coupon.
    pub coupon_id: CouponId,
    /// As the customer typed it.
    pub code: String,
    /// The coupon's value.
    pub value: CouponValue,
    /// Whether a redemption is reserved for the running attempt.
    pub reserved: bool,
}

/// A checkout session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutSession {
    /// `cs_…`
    pub id: CheckoutSessionId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// Where it stands.
    pub status: SessionStatus,
    /// Where its payment stands.
    pub payment_status: SessionPaymentStatus,
    /// The order's currency.
    pub currency: Currency,
    /// The lines.
    pub line_items: Vec<LineItem>,
    /// Tax on the order, beyond the lines' taxes.
    pub tax_amount: MinorUnits,
    /// Shipping.
    pub shipping_amount: MinorUnits,
    /// The computed amounts.
    pub totals: Totals,
    /// Who pays.
    pub consumer: Consumer,
    /// Billing address.
    pub billing_address: Option<Address>,
    /// Shipping address.
    pub shipping_address: Option<Address>,
    /// Where the customer goes after paying (`?session_id=` is appended).
    pub success_url: String,
    /// Where the customer goes after the last failed attempt.
    pub failure_url: Option<String>,
    /// Where the customer goes on cancel.
    pub cancel_url: Option<String>,
    /// Capture method of the payment.
    pub capture_method: CaptureMethod,
    /// Page language.
    pub locale: Locale,
    /// When it expires.
    pub expires_at: Timestamp,
    /// The promotion applied, if any.
    pub promotion: Option<AppliedPromotion>,
    /// The merchant's order reference (free text, shown back).
    pub order_reference: Option<String>,
    /// The merchant's own reference, unique among its sessions in the mode (its payment intent
    /// carries the same one).
    #[serde(default)]
    pub reference: Option<crate::reference::Reference>,
    /// The merchant's order number.
    pub order_number: Option<String>,
    /// Promotion codes the customer tried that did not apply; past
    /// [`CheckoutSession::MAX_PROMOTION_MISSES`] the page takes no more.
    #[serde(default)]
    pub promotion_misses: u32,
    /// Annotations.
    pub metadata: Metadata,
    /// What a face remembers of it that Kassa has no field for (not the merchant's metadata).
    #[serde(default, skip_serializing_if = "crate::FaceNotes::is_empty")]
    pub face_notes: crate::FaceNotes,
    /// How the customer may pay on the page: `card`, or a connector's provider.
    #[serde(default = "card_only")]
    pub payment_method_types: Vec<String>,
    /// Whether the customer may type a promotion code on the page (the merchant may still
    /// apply one when creating the session).
    #[serde(default = "yes")]
    pub customer_codes: bool,
    /// What the session is for: its payment, or the token it saves a card for.
    #[serde(flatten)]
    pub purpose: Purpose,
    /// Declined attempts so far.
    pub failed_attempts: u32,
    /// Why it was canceled.
    pub cancellation: Option<SessionCancellation>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// What a session is for. Stored flattened into the session's snapshot as `payment_intent_id`
/// or `token_id`, so snapshots written before setup sessions read as payment sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    /// Collect a payment: the intent created with the session, confirmed when the customer pays.
    #[serde(rename = "payment_intent_id")]
    Payment(PaymentIntentId),
    /// Save a card for later payments: the token created with the session, activated when the
    /// card is verified. Nothing is charged.
    #[serde(rename = "token_id")]
    Setup(TokenId),
}

/// Why a session refused an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The session is not open (or has expired).
    #[error("This checkout session is {}; it can no longer be {action}.", status.as_str())]
    NotOpen {
        /// What was attempted.
        action: &'static str,
        /// Its status.
        status: SessionStatus,
    },
    /// A payment attempt is running.
    #[error("A payment for this checkout session is being processed.")]
    Processing,
    /// The change is invalid (e.g. a promotion that does not apply).
    #[error("{0}")]
    Invalid(Invalid),
}

/// What a session written before the page could be asked not to take codes does.
fn yes() -> bool {
    true
}

/// What a session written before sessions named their payment methods takes.
pub fn card_only() -> Vec<String> {
    vec!["card".to_owned()]
}

impl CheckoutSession {
    fn ensure_open(&mut self, action: &'static str, now: Timestamp) -> Result<(), SessionError> {
        if self.status == SessionStatus::Open
            && now >= self.expires_at
            && self.payment_status != SessionPaymentStatus::Processing
        {
            self.status = SessionStatus::Expired;
        }
        if self.status != SessionStatus::Open {
            return Err(SessionError::NotOpen { action, status: self.status });
        }
        if self.payment_status == SessionPaymentStatus::Processing {
            return Err(SessionError::Processing);
        }
        Ok(())
    }

    /// The session's payment intent (a payment session's).
    pub fn payment_intent_id(&self) -> Option<&PaymentIntentId> {
        match &self.purpose {
            Purpose::Payment(id) => Some(id),
            Purpose::Setup(_) => None,
        }
    }

    /// The token the session saves a card for (a setup session's).
    pub fn token_id(&self) -> Option<&TokenId> {
        match &self.purpose {
            Purpose::Setup(id) => Some(id),
            Purpose::Payment(_) => None,
        }
    }

    /// Codes a customer may get wrong on one session before its promotion form locks: enough
    /// for typos, too few to guess codes.
    pub const MAX_PROMOTION_MISSES: u32 = 5;

    /// Whether the session takes no more promotion codes (too many misses).
    pub fn promotion_locked(&self) -> bool {
        self.promotion_misses >= CheckoutSession::MAX_PROMOTION_MISSES
    }

    /// A code the customer tried did not apply.
    pub fn promotion_missed(&mut self, now: Timestamp) {
        self.promotion_misses = self.promotion_misses.saturating_add(1);
        self.updated_at = now;
    }

    /// Recomputes the totals with `promotion` (or without any).
    pub fn apply_promotion(&mut self, promotion: Option<AppliedPromotion>, now: Timestamp) -> Result<(), SessionError> {
        self.ensure_open("changed", now)?;
        let totals = compute_totals(
            &self.line_items,
            self.tax_amount,
            self.shipping_amount,
            promotion.as_ref().map(|p| (&p.value, self.currency)),
        )
        .map_err(SessionError::Invalid)?;
        self.totals = totals;
        self.promotion = promotion;
        self.updated_at = now;
        Ok(())
    }

    /// The customer submitted a card: an attempt starts.
    pub fn begin_payment(&mut self, now: Timestamp) -> Result<(), SessionError> {
        self.ensure_open("paid", now)?;
        self.payment_status = SessionPaymentStatus::Processing;
        self.updated_at = now;
        Ok(())
    }

    /// The attempt was authorized (or captured): the session is complete.
    pub fn payment_succeeded(&mut self, now: Timestamp) -> bool {
        if self.status != SessionStatus::Open {
            return false;
        }
        self.status = SessionStatus::Complete;
        self.payment_status = SessionPaymentStatus::Paid;
        self.updated_at = now;
        true
    }

    /// The attempt was declined. After `max_attempts` declines the session is canceled; a
    /// setup session after its first (a refused card is not saved; its token is rejected).
    /// Returns whether it was canceled.
    pub fn payment_failed(&mut self, max_attempts: u32, now: Timestamp) -> bool {
        if self.status != SessionStatus::Open {
            return false;
        }
        let max_attempts = if matches!(self.purpose, Purpose::Setup(_)) { 1 } else { max_attempts };
        self.failed_attempts += 1;
        self.payment_status = SessionPaymentStatus::Failed;
        self.updated_at = now;
        if self.failed_attempts >= max_attempts {
            self.status = SessionStatus::Canceled;
            self.cancellation = Some(SessionCancellation::PaymentFailed);
            return true;
        }
        false
    }

    /// Expires the session (its time is up, or the merchant asked); not while a payment runs.
    pub fn expire(&mut self, now: Timestamp) -> Result<(), SessionError> {
        if self.status != SessionStatus::Open {
            return Err(SessionError::NotOpen { action: "expired", status: self.status });
        }
        if self.payment_status == SessionPaymentStatus::Processing {
            return Err(SessionError::Processing);
        }
        self.status = SessionStatus::Expired;
        self.updated_at = now;
        Ok(())
    }

    /// The customer canceled.
    pub fn cancel_by_customer(&mut self, now: Timestamp) -> Result<(), SessionError> {
        self.ensure_open("canceled", now)?;
        self.status = SessionStatus::Canceled;
        self.cancellation = Some(SessionCancellation::Customer);
        self.updated_at = now;
        Ok(())
    }

    /// The merchant canceled the payment while the session was open: the session closes.
    pub fn cancel_by_merchant(&mut self, now: Timestamp) -> Result<(), SessionError> {
        if self.status != SessionStatus::Open {
            return Err(SessionError::NotOpen { action: "canceled", status: self.status });
        }
        if self.payment_status == SessionPaymentStatus::Processing {
            return Err(SessionError::Processing);
        }
        self.status = SessionStatus::Canceled;
        self.cancellation = Some(SessionCancellation::Merchant);
        self.updated_at = now;
        Ok(())
    }

    /// Where the checkout stands, given its payment's status (`None` for a setup session):
    /// what each face and the hosted page put in their own words.
    pub fn phase(&self, payment: Option<PaymentStatusOfIntent>) -> CheckoutPhase {
        match (self.status, self.payment_status) {
            (SessionStatus::Open, SessionPaymentStatus::Processing) => CheckoutPhase::Authorizing,
            (SessionStatus::Open, SessionPaymentStatus::Failed) => CheckoutPhase::Declined,
            (SessionStatus::Open, _) => CheckoutPhase::AwaitingPayment,
            (SessionStatus::Complete, _) if matches!(self.purpose, Purpose::Setup(_)) => CheckoutPhase::CardSaved,
            (SessionStatus::Complete, _) if payment == Some(PaymentStatusOfIntent::RequiresCapture) => {
                CheckoutPhase::Authorized
            }
            (SessionStatus::Complete, _) => CheckoutPhase::Paid,
            (SessionStatus::Expired, _) => CheckoutPhase::Expired,
            (SessionStatus::Canceled, _) if self.cancellation == Some(SessionCancellation::PaymentFailed) => {
                CheckoutPhase::Failed
            }
            (SessionStatus::Canceled, _) if self.cancellation == Some(SessionCancellation::Merchant) => {
                CheckoutPhase::CanceledByMerchant
            }
            (SessionStatus::Canceled, _) => CheckoutPhase::CanceledByCustomer,
        }
    }
}

/// Where a checkout stands, from its session and its payment together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckoutPhase {
    /// Open; no payment attempt yet.
    AwaitingPayment,
    /// Open; an attempt is being authorized.
    Authorizing,
    /// Open; the last attempt was declined and the customer may try again.
    Declined,
    /// Complete; the funds are held for a manual capture.
    Authorized,
    /// Complete; the funds are captured.
    Paid,
    /// Complete; a setup session's card is verified and saved.
    CardSaved,
    /// Closed unpaid when its time ran out.
    Expired,
    /// Closed by the customer.
    CanceledByCustomer,
    /// Closed because the merchant canceled its payment.
    CanceledByMerchant,
    /// Closed after its last declined attempt.
    Failed,
}

/// The languages of the hosted page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// English.
    En,
    /// Arabic (right to left).
    Ar,
    /// Japanese.
    Ja,
    /// Norwegian Bokmål.
    Nb,
}

impl Locale {
    /// Parses `en`, `ar`, `ja`, `nb` (or `no`), with or without a region (`en-US`).
    pub fn parse(s: &str) -> Result<Locale, Invalid> {
        let lang = s.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match lang.as_str() {
            "en" => Ok(Locale::En),
            "ar" => Ok(Locale::Ar),
            "ja" => Ok(Locale::Ja),
            "nb" | "no" | "nn" => Ok(Locale::Nb),
            _ => Err(Invalid::new("invalid_locale", "Locale must be one of en, ar, ja, nb.")),
        }
    }

    /// The BCP 47 tag.
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ar => "ar",
            Locale::Ja => "ja",
            Locale::Nb => "nb",
        }
    }

    /// Whether the page is laid out right to left.
    pub fn is_rtl(self) -> bool {
        self == Locale::Ar
    }
}

/// A coupon: a discount that promotion codes hand out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coupon {
    /// `co_…`
    pub id: CouponId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// Shown to customers.
    pub name: Option<String>,
    /// The discount.
    pub value: CouponValue,
    /// Redeemable until.
    pub expires_at: Option<Timestamp>,
    /// Most redemptions, over all its codes.
    pub max_redemptions: Option<i64>,
    /// Redemptions of paid checkouts.
    pub times_redeemed: i64,
    /// Redemptions reserved by running payments.
    pub reserved: i64,
    /// Whether it can be redeemed.
    pub active: bool,
    /// Annotations.
    pub metadata: Metadata,
    /// Created.
    pub created_at: Timestamp,
}

/// Conditions a promotion code puts on its use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restrictions {
    /// The order (before the discount) must be at least this much, in this currency.
    pub minimum_amount: Option<(Amount, Currency)>,
    /// Only for customers who have never paid this merchant.
    pub first_time_only: bool,
    /// Each customer may redeem it once.
    pub once_per_customer: bool,
}

/// A code customers type to get a coupon's discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionCode {
    /// `promo_…`
    pub id: PromotionCodeId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// The code as created.
    pub code: String,
    /// Its coupon.
    pub coupon_id: CouponId,
    /// Whether it can be used.
    pub active: bool,
    /// Usable until.
    pub expires_at: Option<Timestamp>,
    /// Most redemptions of this code.
    pub max_redemptions: Option<i64>,
    /// Redemptions of paid checkouts.
    pub times_redeemed: i64,
    /// Redemptions reserved by running payments.
    pub reserved: i64,
    /// Conditions.
    pub restrictions: Restrictions,
    /// Annotations.
    pub metadata: Metadata,
    /// Created.
    pub created_at: Timestamp,
}

/// Checks a code's shape: 3–40 letters, digits, `-` or `_`.
pub fn parse_code(s: &str) -> Result<String, Invalid> {
    let ok = (3..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then(|| s.to_owned())
        .ok_or_else(|| Invalid::new("invalid_code", "A code is 3 to 40 letters, digits, dashes or underscores."))
}

/// What is known about the customer when a code is used.
#[derive(Debug, Clone, Copy, Default)]
pub struct CustomerHistory {
    /// They have paid this merchant before.
    pub has_paid_before: bool,
    /// They have redeemed this code before.
    pub redeemed_this_code: bool,
}

impl PromotionCode {
    /// Whether the code (with its coupon) may be applied to an order of `base` in `currency`
    /// at `now`; `counting_reservations` also counts redemptions reserved by running payments
    /// (when a new reservation is about to be made).
    pub fn check(
        &self,
        coupon: &Coupon,
        base: MinorUnits,
        currency: Currency,
        customer: Option<CustomerHistory>,
        now: Timestamp,
        counting_reservations: bool,
    ) -> Result<(), Invalid> {
        let refuse = |code, message: &str| Err(Invalid::new(code, message.to_owned()));
        if !self.active || !coupon.active {
            return refuse("promotion_code_inactive", "This code is no longer active.");
        }
        if self.expires_at.is_some_and(|t| now >= t) || coupon.expires_at.is_some_and(|t| now >= t) {
            return refuse("promotion_code_expired", "This code has expired.");
        }
        let used = |redeemed: i64, reserved: i64| redeemed + if counting_reservations { reserved } else { 0 };
        if self.max_redemptions.is_some_and(|m| used(self.times_redeemed, self.reserved) >= m)
            || coupon.max_redemptions.is_some_and(|m| used(coupon.times_redeemed, coupon.reserved) >= m)
        {
            return refuse("promotion_code_used_up", "This code has been used as many times as it may be.");
        }
        if let Some((minimum, min_currency)) = self.restrictions.minimum_amount {
            if min_currency != currency {
                return refuse(
                    "promotion_code_currency_mismatch",
                    "This code does not apply to orders in this currency.",
                );
            }
            if base < minimum.units() {
                return Err(Invalid::new(
                    "promotion_code_minimum_amount",
                    format!(
                        "This code needs an order of at least {}.",
                        crate::money::Money::new(minimum.units(), min_currency)
                    ),
                ));
            }
        }
        if self.restrictions.first_time_only || self.restrictions.once_per_customer {
            let Some(history) = customer else {
                return refuse("promotion_code_needs_customer", "This code needs the customer's email.");
            };
            if self.restrictions.first_time_only && history.has_paid_before {
                return refuse("promotion_code_first_time_only", "This code is for first-time customers only.");
            }
            if self.restrictions.once_per_customer && history.redeemed_this_code {
                return refuse("promotion_code_already_redeemed", "You have already used this code.");
            }
        }
        coupon.value.discount_of(base, currency).map(|_| ())
    }
}

#[cfg(test)]
mod tests;
