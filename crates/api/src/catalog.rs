//! What a merchant sells: `/v1/products` and `/v1/prices` (one-off prices, one currency each).

use crate::list::{ListParams, Range};
use crate::{Currency, Metadata};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    /// `prod_…`
    pub id: String,
    /// Always `product`.
    pub object: String,
    /// Test or live.
    pub livemode: bool,
    /// Shown to customers.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// For sale.
    pub active: bool,
    /// Your annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
}

/// `POST /v1/products`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateProduct {
    /// Shown to customers (≤ 250 characters).
    pub name: String,
    /// Free text (≤ 1000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// For sale (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Your annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `POST /v1/products/{id}`: a field given replaces (an empty description clears it); metadata
/// merges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateProduct {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// For sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Keys to set (or, empty, to remove).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// A one-off price of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Price {
    /// `price_…`
    pub id: String,
    /// Always `price`.
    pub object: String,
    /// Test or live.
    pub livemode: bool,
    /// Its product (`prod_…`).
    pub product: String,
    /// ISO 4217, uppercase.
    pub currency: Currency,
    /// Amount in minor units.
    pub unit_amount: i64,
    /// Usable in new checkouts.
    pub active: bool,
    /// Your name for it.
    #[serde(default)]
    pub nickname: Option<String>,
    /// Your key to find it by (one active price per key).
    #[serde(default)]
    pub lookup_key: Option<String>,
    /// Your annotations.
    #[serde(default)]
    pub metadata: Metadata,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
}

/// `POST /v1/prices`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatePrice {
    /// Its product (`prod_…`).
    pub product: String,
    /// ISO 4217, uppercase.
    pub currency: Currency,
    /// Amount in minor units (0 to 99 999 999 999).
    pub unit_amount: i64,
    /// Usable (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Your name for it (≤ 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Your key to find it by (≤ 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_key: Option<String>,
    /// Your annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `POST /v1/prices/{id}`: labels and whether it is active (its amount never changes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdatePrice {
    /// Usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// New nickname (empty clears it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// New lookup key (empty clears it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_key: Option<String>,
    /// Keys to set (or, empty, to remove).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `GET /v1/prices`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPrices {
    /// Paging.
    pub page: ListParams,
    /// Only this product's.
    pub product: Option<String>,
    /// Only active (or inactive) prices.
    pub active: Option<bool>,
    /// Only prices with one of these lookup keys.
    pub lookup_keys: Vec<String>,
    /// Only created in this range.
    pub created: Range,
}

impl ListPrices {
    /// The query pairs for this filter.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        self.page.push_query(&mut q);
        if let Some(product) = &self.product {
            q.push(("product".into(), product.clone()));
        }
        if let Some(active) = self.active {
            q.push(("active".into(), active.to_string()));
        }
        for key in &self.lookup_keys {
            q.push(("lookup_keys[]".into(), key.clone()));
        }
        self.created.push_query("created", &mut q);
        q
    }
}

impl CreateProduct {
    /// A product called `name`.
    pub fn named(name: impl Into<String>) -> Self {
        CreateProduct { name: name.into(), ..CreateProduct::default() }
    }
}

impl CreatePrice {
    /// `unit_amount` minor units of `currency` for `product`.
    pub fn new(product: impl Into<String>, unit_amount: i64, currency: Currency) -> Self {
        CreatePrice {
            product: product.into(),
            currency,
            unit_amount,
            active: None,
            nickname: None,
            lookup_key: None,
            metadata: None,
        }
    }
}
