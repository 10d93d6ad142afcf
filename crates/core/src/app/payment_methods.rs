//! Turning what a merchant sends (a test payment method's name, or raw card data) into the
//! card a payment keeps: details, a keyed fingerprint and the network's token. The card
//! number is dropped here.

use super::error::field;
use super::{App, AppError, AppResult, Ctx, ErrorKind};
use crate::connector::{CardToTokenize, TokenizeError};
use hmac::{Hmac, Mac};
use kassa_domain::card::{CardDetails, Expiry, Pan};
use kassa_domain::id::random_base62;
use kassa_domain::payment_intent::PaymentMethod;
use kassa_domain::{Invalid, Mode, PaymentMethodId};
use kassa_store::{Store, settings};
use sha2::Sha256;

/// A payment method as supplied, parsed.
#[derive(Debug)]
pub enum PaymentMethodInput {
    /// A named test payment method such as `pm_card_visa`.
    Named(String),
    /// Raw card data (its security code was checked and dropped).
    Card {
        /// The number.
        pan: Pan,
        /// Expiry.
        expiry: Expiry,
    },
    /// Paying through the merchant's connector to a provider: the customer approves there.
    Connector(Box<super::ThroughConnector>),
}

/// The gateway's key for card fingerprints, created on first start.
pub(super) async fn load_fingerprint_key(store: &Store) -> AppResult<Vec<u8>> {
    let mut tx = store.begin().await?;
    let initial = random_base62(43);
    let key = settings::get_or_init(&mut tx, "card_fingerprint_key", &initial).await?;
    // Settings queue no work.
    let _: kassa_store::Queued = tx.commit().await?;
    Ok(key.into_bytes())
}

impl App {
    /// Resolves a payment method for `ctx`'s merchant and mode. Errors name the field the
    /// input came from: [`field::PAYMENT_METHOD`] or [`field::CARD_NUMBER`].
    pub(crate) async fn resolve_payment_method(
        &self,
        ctx: &Ctx,
        input: PaymentMethodInput,
    ) -> AppResult<PaymentMethod> {
        let param = field::PAYMENT_METHOD;
        let (id, pan, expiry, number_param) = match input {
            PaymentMethodInput::Named(name) => {
                let number = match (ctx.scope.mode, self.inner.connector.test_card_number(&name)) {
                    (Mode::Test, Some(number)) => number,
                    (Mode::Live, Some(_)) => {
                        return Err(AppError::invalid_field(
                            param,
                            Invalid::new(
                                "testmode_payment_method_in_livemode",
                                format!("`{name}` is a test payment method; it can only be used with test keys."),
                            ),
                        ));
                    }
                    (_, None) => {
                        return Err(AppError::invalid_field(
                            param,
                            Invalid::new(
                                "invalid_payment_method",
                                format!(
                                    "No such payment method: `{name}`. Use a test payment method such as \
                                     pm_card_visa, or payment_method_data with a card."
                                ),
                            ),
                        ));
                    }
                };
                let pan = Pan::parse(number).map_err(AppError::internal)?;
                let (year, _) = self.clock().year_month();
                (name, pan, Expiry { month: 12, year: year + 5 }, param.to_owned())
            }
            PaymentMethodInput::Card { pan, expiry } => {
                (PaymentMethodId::generate().to_string(), pan, expiry, field::CARD_NUMBER.to_owned())
            }
            PaymentMethodInput::Connector(through) => {
                return Err(AppError::invalid_field(
                    field::PAYMENT_METHOD_TYPE,
                    Invalid::new(
                        "payment_method_unavailable",
                        format!("A {} payment cannot be made here; pay with a card.", through.provider),
                    ),
                ));
            }
        };
        let processor = self.card_processor_for(ctx, Some(&number_param))?;
        let card = CardToTokenize { pan: &pan, expiry, mode: ctx.scope.mode };
        let network_token = processor.tokenize(card).await.map_err(|e| match e {
            TokenizeError::Rejected(invalid) => AppError::invalid_field(number_param, invalid),
            TokenizeError::Unavailable(e) => {
                AppError::new(ErrorKind::Unavailable, "processor_unavailable", e.to_string()).with_retry_after(1)
            }
        })?;
        Ok(PaymentMethod {
            id,
            card: CardDetails {
                brand: pan.brand(),
                last4: pan.last4().to_owned(),
                exp_month: expiry.month,
                exp_year: expiry.year,
                fingerprint: self.fingerprint(ctx, &pan),
            },
            network_token,
        })
    }

    /// [`App::resolve_payment_method`] for an optional input.
    pub(crate) async fn resolve_optional_payment_method(
        &self,
        ctx: &Ctx,
        input: Option<PaymentMethodInput>,
    ) -> AppResult<Option<PaymentMethod>> {
        match input {
            Some(input) => Ok(Some(self.resolve_payment_method(ctx, input).await?)),
            None => Ok(None),
        }
    }

    /// Whether `name` is a test payment method of the connector (`pm_card_visa` …).
    pub fn knows_payment_method(&self, name: &str) -> bool {
        self.inner.connector.test_card_number(name).is_some()
    }

    /// A payment intent's client secret: `{id}_secret_{mac}`, which only this gateway can
    /// make. For faces whose clients expect one; no Kassa endpoint takes it yet.
    pub fn client_secret(&self, id: &kassa_domain::PaymentIntentId) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.inner.secrets.forms_key()).expect("HMAC takes any key length");
        mac.update(b"client-secret:");
        mac.update(id.as_str().as_bytes());
        format!("{id}_secret_{}", hex::encode(&mac.finalize().into_bytes()[..12]))
    }

    /// Same card and merchant, same fingerprint; without both the database's key and the
    /// master key it reveals nothing (a copy of the database cannot search card numbers).
    fn fingerprint(&self, ctx: &Ctx, pan: &Pan) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.inner.fingerprint_key).expect("HMAC takes any key length");
        mac.update(ctx.scope.merchant_id.as_str().as_bytes());
        mac.update(b":");
        mac.update(pan.expose_digits().as_bytes());
        self.inner.secrets.fingerprint(&hex::encode(&mac.finalize().into_bytes()[..8]))
    }
}
