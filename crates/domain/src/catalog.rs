//! What a merchant sells: products, and their prices (one-off, in one currency each). A
//! checkout line may name a price instead of giving its amount.

use crate::id::{MerchantId, PriceId, ProductId};
use crate::merchant::Mode;
use crate::metadata::Metadata;
use crate::money::{Currency, MinorUnits};
use crate::time::Timestamp;
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest product name.
pub const MAX_NAME: usize = 250;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 1000;
/// Longest price nickname and lookup key.
pub const MAX_KEY: usize = 200;

/// A product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// `prod_…`
    pub id: ProductId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// Shown to customers.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// For sale.
    pub active: bool,
    /// Annotations.
    pub metadata: Metadata,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A product's changes: `None` leaves a field; metadata merges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductChanges {
    /// Name.
    pub name: Option<String>,
    /// Description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// For sale.
    pub active: Option<bool>,
    /// Keys to set (or, empty, to remove).
    pub metadata: Option<BTreeMap<String, String>>,
}

impl Product {
    /// Applies `changes`; whether anything changed.
    pub fn update(&mut self, changes: ProductChanges, now: Timestamp) -> Result<bool, Invalid> {
        let before = self.clone();
        if let Some(metadata) = changes.metadata {
            self.metadata = self.metadata.merged(metadata)?;
        }
        if let Some(name) = changes.name {
            self.name = name;
        }
        if let Some(description) = changes.description {
            self.description = description;
        }
        if let Some(active) = changes.active {
            self.active = active;
        }
        let changed = *self != before;
        if changed {
            self.updated_at = now;
        }
        Ok(changed)
    }
}

/// A one-off price of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    /// `price_…`
    pub id: PriceId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// What it is the price of.
    pub product_id: ProductId,
    /// Its currency.
    pub currency: Currency,
    /// How much, in minor units (0 for a free item).
    pub unit_amount: MinorUnits,
    /// Usable in new checkouts.
    pub active: bool,
    /// The merchant's name for it.
    pub nickname: Option<String>,
    /// The merchant's key to find it by (unique among the merchant's active prices).
    pub lookup_key: Option<String>,
    /// Annotations.
    pub metadata: Metadata,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A price's changes (its amount and currency never change: make a new price).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceChanges {
    /// Usable.
    pub active: Option<bool>,
    /// Nickname (`Some(None)` clears it).
    pub nickname: Option<Option<String>>,
    /// Lookup key (`Some(None)` clears it).
    pub lookup_key: Option<Option<String>>,
    /// Keys to set (or, empty, to remove).
    pub metadata: Option<BTreeMap<String, String>>,
}

impl Price {
    /// Applies `changes`; whether anything changed.
    pub fn update(&mut self, changes: PriceChanges, now: Timestamp) -> Result<bool, Invalid> {
        let before = self.clone();
        if let Some(metadata) = changes.metadata {
            self.metadata = self.metadata.merged(metadata)?;
        }
        if let Some(active) = changes.active {
            self.active = active;
        }
        if let Some(nickname) = changes.nickname {
            self.nickname = nickname;
        }
        if let Some(key) = changes.lookup_key {
            self.lookup_key = key;
        }
        let changed = *self != before;
        if changed {
            self.updated_at = now;
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_changes_its_labels_never_its_amount() {
        let mut price = Price {
            id: PriceId::generate(),
            merchant_id: MerchantId::generate(),
            mode: Mode::Test,
            product_id: ProductId::generate(),
            currency: Currency::parse("USD").unwrap(),
            unit_amount: MinorUnits::new(500).unwrap(),
            active: true,
            nickname: None,
            lookup_key: Some("standard".into()),
            metadata: Metadata::default(),
            created_at: Timestamp(1),
            updated_at: Timestamp(1),
        };
        let off = PriceChanges { active: Some(false), lookup_key: Some(None), ..Default::default() };
        assert_eq!(price.update(off, Timestamp(2)), Ok(true));
        assert_eq!((price.active, price.lookup_key.clone(), price.unit_amount.get()), (false, None, 500));
        assert_eq!(price.update(PriceChanges::default(), Timestamp(3)), Ok(false));
        assert_eq!(price.updated_at, Timestamp(2));
    }
}
