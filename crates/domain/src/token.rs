//! Saved cards: a customer lets a merchant charge a card later, without being present.
//!
//! A token is created `requires_authorization` with the setup checkout session that collects
//! its card. The card is verified (the network authorizes a zero amount): the token becomes
//! `active`, holding the card's displayable details and the network's token for it, or
//! `rejected`. The merchant may `disable` and `enable` an active token, and `delete` any token
//! (terminal: a deleted token no longer exists for the merchant). Only an active token can be
//! charged.

use crate::card::CardDetails;
use crate::event::EventType;
use crate::id::{CheckoutSessionId, MerchantId, TokenId};
use crate::merchant::Mode;
use crate::metadata::Metadata;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Where a token stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    /// Its card has not been verified yet (the setup session is open).
    RequiresAuthorization,
    /// Verified; can be charged.
    Active,
    /// The card was refused, or the customer never saved one.
    Rejected,
    /// Verified, but the merchant turned it off.
    Disabled,
    /// Gone for good.
    Deleted,
}

impl TokenStatus {
    /// Every status.
    pub const ALL: [TokenStatus; 5] = [
        TokenStatus::RequiresAuthorization,
        TokenStatus::Active,
        TokenStatus::Rejected,
        TokenStatus::Disabled,
        TokenStatus::Deleted,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::RequiresAuthorization => "requires_authorization",
            TokenStatus::Active => "active",
            TokenStatus::Rejected => "rejected",
            TokenStatus::Disabled => "disabled",
            TokenStatus::Deleted => "deleted",
        }
    }

    /// Reads a wire name.
    pub fn from_name(s: &str) -> Option<TokenStatus> {
        TokenStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The card behind an active token: what can be shown, and what the network charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedCard {
    /// Brand, last four, expiry, fingerprint (never the number).
    pub details: CardDetails,
    /// The network's token for the card.
    pub network_token: String,
    /// The payment method id the card was given when it was collected.
    pub payment_method_id: String,
}

/// A saved card of one customer, for one merchant and mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// `tok_…`
    pub id: TokenId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// Where it stands.
    pub status: TokenStatus,
    /// The merchant's customer (the setup session's customer email, normalized).
    pub customer: Option<String>,
    /// The setup session that collects (or collected) the card.
    pub checkout_session_id: Option<CheckoutSessionId>,
    /// The card, once verified.
    pub card: Option<SavedCard>,
    /// Free text.
    pub description: Option<String>,
    /// Annotations.
    pub metadata: Metadata,
    /// What a face remembers of it that Kassa has no field for (not the merchant's metadata).
    #[serde(default, skip_serializing_if = "crate::FaceNotes::is_empty")]
    pub face_notes: crate::FaceNotes,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// Why a token refused a change. The token is unchanged when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The change is not allowed in the token's status.
    #[error("This token's status is {}; it cannot be {action}.", status.as_str())]
    UnexpectedState {
        /// What was attempted, as a past participle.
        action: &'static str,
        /// The status that forbids it.
        status: TokenStatus,
    },
}

impl Token {
    /// A token waiting for the card its setup session will collect.
    pub fn new(
        id: TokenId,
        merchant_id: MerchantId,
        mode: Mode,
        customer: Option<String>,
        session: CheckoutSessionId,
        (metadata, face_notes): (Metadata, crate::FaceNotes),
        now: Timestamp,
    ) -> (Token, EventType) {
        let token = Token {
            id,
            merchant_id,
            mode,
            status: TokenStatus::RequiresAuthorization,
            customer,
            checkout_session_id: Some(session),
            card: None,
            description: None,
            metadata,
            face_notes,
            created_at: now,
            updated_at: now,
        };
        (token, EventType::TokenCreated)
    }

    /// A token for a card given through the API (no setup session): its card is verified
    /// next, as a session's is.
    pub fn for_card(
        id: TokenId,
        merchant_id: MerchantId,
        mode: Mode,
        customer: Option<String>,
        (metadata, face_notes): (Metadata, crate::FaceNotes),
        now: Timestamp,
    ) -> (Token, EventType) {
        let token = Token {
            id,
            merchant_id,
            mode,
            status: TokenStatus::RequiresAuthorization,
            customer,
            checkout_session_id: None,
            card: None,
            description: None,
            metadata,
            face_notes,
            created_at: now,
            updated_at: now,
        };
        (token, EventType::TokenCreated)
    }

    /// Gives the token to another customer (or to none).
    pub fn assign(&mut self, customer: Option<String>, now: Timestamp) -> Result<Option<EventType>, TokenError> {
        if self.status == TokenStatus::Deleted {
            return self.refuse("assigned");
        }
        if self.customer == customer {
            return Ok(None);
        }
        let event = if customer.is_some() { EventType::TokenAttached } else { EventType::TokenDetached };
        self.customer = customer;
        self.updated_at = now;
        Ok(Some(event))
    }

    fn refuse<T>(&self, action: &'static str) -> Result<T, TokenError> {
        Err(TokenError::UnexpectedState { action, status: self.status })
    }

    fn set(&mut self, status: TokenStatus, now: Timestamp, event: EventType) -> Option<EventType> {
        self.status = status;
        self.updated_at = now;
        Some(event)
    }

    /// The network verified the card: the token can be charged. Applies once; a repeat (a job
    /// retried after its answer was applied) changes nothing.
    pub fn approve(&mut self, card: SavedCard, now: Timestamp) -> Result<Option<EventType>, TokenError> {
        match self.status {
            TokenStatus::RequiresAuthorization => {
                self.card = Some(card);
                Ok(self.set(TokenStatus::Active, now, EventType::TokenApproved))
            }
            TokenStatus::Active if self.card.as_ref() == Some(&card) => Ok(None),
            _ => self.refuse("approved"),
        }
    }

    /// The card was refused, or the session closed without one: the token is rejected.
    pub fn reject(&mut self, now: Timestamp) -> Result<Option<EventType>, TokenError> {
        match self.status {
            TokenStatus::RequiresAuthorization => Ok(self.set(TokenStatus::Rejected, now, EventType::TokenRejected)),
            TokenStatus::Rejected => Ok(None),
            _ => self.refuse("rejected"),
        }
    }

    /// The merchant turns an active token off (again: nothing changes).
    pub fn disable(&mut self, now: Timestamp) -> Result<Option<EventType>, TokenError> {
        match self.status {
            TokenStatus::Active => Ok(self.set(TokenStatus::Disabled, now, EventType::TokenDisabled)),
            TokenStatus::Disabled => Ok(None),
            _ => self.refuse("disabled"),
        }
    }

    /// The merchant turns a disabled token back on (again: nothing changes).
    pub fn enable(&mut self, now: Timestamp) -> Result<Option<EventType>, TokenError> {
        match self.status {
            TokenStatus::Disabled => Ok(self.set(TokenStatus::Active, now, EventType::TokenEnabled)),
            TokenStatus::Active => Ok(None),
            _ => self.refuse("enabled"),
        }
    }

    /// The merchant deletes the token, whatever its status; a deleted token stays deleted.
    pub fn delete(&mut self, now: Timestamp) -> Result<Option<EventType>, TokenError> {
        match self.status {
            TokenStatus::Deleted => self.refuse("deleted"),
            _ => Ok(self.set(TokenStatus::Deleted, now, EventType::TokenDeleted)),
        }
    }

    /// The card to charge for a payment without the customer: only an active token has one.
    pub fn charge(&self) -> Result<&SavedCard, TokenError> {
        match (self.status, &self.card) {
            (TokenStatus::Active, Some(card)) => Ok(card),
            _ => self.refuse("charged"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::CardBrand;

    fn token() -> Token {
        let now = Timestamp(1_000);
        Token::new(
            TokenId::generate(),
            MerchantId::generate(),
            Mode::Test,
            Some("a@example.com".into()),
            CheckoutSessionId::generate(),
            Default::default(),
            now,
        )
        .0
    }

    fn card() -> SavedCard {
        SavedCard {
            details: CardDetails {
                brand: CardBrand::Visa,
                last4: "4242".into(),
                exp_month: 12,
                exp_year: 2030,
                fingerprint: "f".into(),
            },
            network_token: "sim:success:x".into(),
            payment_method_id: "pm_x".into(),
        }
    }

    #[test]
    fn a_verified_token_can_be_charged_disabled_enabled_and_deleted() {
        let mut t = token();
        assert!(t.charge().is_err());
        assert_eq!(t.approve(card(), Timestamp(2)).unwrap(), Some(EventType::TokenApproved));
        assert_eq!(t.approve(card(), Timestamp(3)).unwrap(), None, "a repeated approval changes nothing");
        assert_eq!(t.charge().unwrap().network_token, "sim:success:x");
        assert_eq!(t.disable(Timestamp(4)).unwrap(), Some(EventType::TokenDisabled));
        assert_eq!(t.disable(Timestamp(4)).unwrap(), None);
        assert!(t.charge().is_err(), "a disabled token cannot be charged");
        assert_eq!(t.enable(Timestamp(5)).unwrap(), Some(EventType::TokenEnabled));
        assert!(t.charge().is_ok());
        assert_eq!(t.delete(Timestamp(6)).unwrap(), Some(EventType::TokenDeleted));
        assert!(t.delete(Timestamp(7)).is_err());
        assert!(t.charge().is_err());
        assert!(t.enable(Timestamp(8)).is_err());
    }

    #[test]
    fn a_token_not_yet_authorized_cannot_be_enabled_or_disabled() {
        let mut t = token();
        let before = t.clone();
        let refused = |action| Err(TokenError::UnexpectedState { action, status: TokenStatus::RequiresAuthorization });
        assert_eq!(t.enable(Timestamp(2)), refused("enabled"));
        assert_eq!(t.disable(Timestamp(2)), refused("disabled"));
        assert_eq!(t, before);
    }

    #[test]
    fn a_rejected_token_stays_rejected() {
        let mut t = token();
        assert_eq!(t.reject(Timestamp(2)).unwrap(), Some(EventType::TokenRejected));
        assert_eq!(t.reject(Timestamp(3)).unwrap(), None);
        assert!(t.approve(card(), Timestamp(4)).is_err());
        assert!(t.enable(Timestamp(4)).is_err());
        assert_eq!(t.status, TokenStatus::Rejected);
        assert_eq!(t.delete(Timestamp(5)).unwrap(), Some(EventType::TokenDeleted));
    }
}
