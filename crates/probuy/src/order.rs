//! The order a checkout session is created for (`CheckoutOrderData`), in ProBuy's snake_case.

use crate::Decimal;
use serde::{Deserialize, Serialize};

/// Physical goods or digital ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemType {
    /// Shipped.
    Physical,
    /// Delivered online.
    Digital,
}

/// The order's one item (ProBuy takes a single item, not a list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// What is sold.
    pub name: String,
    /// More about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Physical or digital.
    #[serde(rename = "type")]
    pub kind: ItemType,
    /// The merchant's product reference.
    pub reference_id: String,
    /// Stock keeping unit.
    pub sku: String,
    /// How many.
    pub quantity: u32,
    /// Discount on the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Decimal>,
    /// Tax on the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Decimal>,
    /// Price of one.
    pub unit_price: Decimal,
    /// `unit_price × quantity − discount_amount`.
    pub total_amount: Decimal,
}

/// Who pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumer {
    /// Email (required by the SDK, and by Kassa).
    pub email: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// E.164 (`+966501234567`).
    pub phone_number: String,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// City.
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Street.
    pub line1: String,
    /// More street.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// Phone.
    pub phone_number: String,
    /// Region or province.
    pub region: String,
}

/// Where the customer's browser goes after paying, failing or canceling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantUrls {
    /// After paying.
    pub success: String,
    /// After the payment failed.
    pub failure: String,
    /// After canceling.
    pub cancel: String,
}

/// A checkout session's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutOrder {
    /// The merchant's reference, echoed back.
    pub order_reference_id: String,
    /// The merchant's order number.
    pub order_number: String,
    /// ISO 4217 (`SAR`).
    pub currency: String,
    /// What the customer pays, in major units.
    pub total_amount: Decimal,
    /// Shipping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<Decimal>,
    /// Tax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Decimal>,
    /// The item.
    pub item: Item,
    /// Who pays.
    pub consumer: Consumer,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Redirects.
    pub merchant_url: MerchantUrls,
    /// Billing address.
    pub billing_address: Address,
    /// Shipping address.
    pub shipping_address: Address,
    /// `web`, `ios` …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Whether the customer is on a phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mobile: Option<bool>,
    /// `ar`, `en` …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Anything else ProBuy should keep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<serde_json::Value>,
}

impl CheckoutOrder {
    /// What the SDK checks before sending, every problem named: a positive total, an email
    /// with `@`, an item with a name and a positive quantity.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut problems = Vec::new();
        if !self.total_amount.is_positive() {
            problems.push(("total_amount", "must be greater than 0"));
        }
        if !self.consumer.email.contains('@') {
            problems.push(("consumer.email", "must be an email address"));
        }
        if self.item.name.trim().is_empty() {
            problems.push(("item.name", "is required"));
        }
        if self.item.quantity == 0 {
            problems.push(("item.quantity", "must be greater than 0"));
        }
        problems
    }
}
