//! Customers: the people a merchant's payments are for, kept so that a payment, a saved card
//! or a face's customer object can name them (`cus_…`).

use crate::contact::Email;
use crate::id::{CustomerId, MerchantId};
use crate::merchant::Mode;
use crate::metadata::Metadata;
use crate::time::Timestamp;
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest name, phone number and description.
pub const MAX_NAME: usize = 256;
/// Longest phone number.
pub const MAX_PHONE: usize = 30;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 1000;

/// A merchant's customer, in one mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// `cus_…`
    pub id: CustomerId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// Where to write to them.
    pub email: Option<Email>,
    /// Their full name.
    pub name: Option<String>,
    /// Their phone number.
    pub phone: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// The merchant's annotations.
    pub metadata: Metadata,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// What a customer is made with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCustomer {
    /// Email.
    pub email: Option<Email>,
    /// Name.
    pub name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Annotations.
    pub metadata: Metadata,
}

/// A change: `None` leaves a field, `Some(None)` clears it; metadata merges (an empty value
/// removes its key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerChanges {
    /// Email.
    pub email: Option<Option<Email>>,
    /// Name.
    pub name: Option<Option<String>>,
    /// Phone number.
    pub phone: Option<Option<String>>,
    /// Free text.
    pub description: Option<Option<String>>,
    /// Keys to set (or, empty, to remove).
    pub metadata: Option<BTreeMap<String, String>>,
}

impl Customer {
    /// A new customer.
    pub fn create(id: CustomerId, merchant_id: MerchantId, mode: Mode, new: NewCustomer, now: Timestamp) -> Customer {
        Customer {
            id,
            merchant_id,
            mode,
            email: new.email,
            name: new.name,
            phone: new.phone,
            description: new.description,
            metadata: new.metadata,
            created_at: now,
            updated_at: now,
        }
    }

    /// Applies `changes`; whether anything changed.
    pub fn update(&mut self, changes: CustomerChanges, now: Timestamp) -> Result<bool, Invalid> {
        let before = self.clone();
        if let Some(metadata) = changes.metadata {
            self.metadata = self.metadata.merged(metadata)?;
        }
        if let Some(email) = changes.email {
            self.email = email;
        }
        if let Some(name) = changes.name {
            self.name = name;
        }
        if let Some(phone) = changes.phone {
            self.phone = phone;
        }
        if let Some(description) = changes.description {
            self.description = description;
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

    fn customer() -> Customer {
        let new = NewCustomer { email: Some(Email::parse("a@b.example").unwrap()), ..NewCustomer::default() };
        Customer::create(CustomerId::generate(), MerchantId::generate(), Mode::Test, new, Timestamp(1))
    }

    #[test]
    fn an_update_sets_clears_and_merges_and_says_whether_anything_changed() {
        let mut c = customer();
        let mut metadata = BTreeMap::from([("tier".to_owned(), "gold".to_owned())]);
        let set =
            CustomerChanges { name: Some(Some("Ada".into())), metadata: Some(metadata.clone()), ..Default::default() };
        assert_eq!(c.update(set, Timestamp(2)), Ok(true));
        assert_eq!((c.name.as_deref(), c.updated_at), (Some("Ada"), Timestamp(2)));
        assert_eq!(c.update(CustomerChanges::default(), Timestamp(3)), Ok(false));
        assert_eq!(c.updated_at, Timestamp(2), "nothing changed, nothing touched");
        metadata.insert("tier".into(), String::new());
        let clear = CustomerChanges { email: Some(None), metadata: Some(metadata), ..Default::default() };
        assert_eq!(c.update(clear, Timestamp(4)), Ok(true));
        assert_eq!((c.email.clone(), c.metadata.clone()), (None, Metadata::default()));
    }
}
