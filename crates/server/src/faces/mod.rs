//! Faces: each way into Kassa translates its wire format into app commands and back: the
//! native v1 API, and the hosted checkout page.

pub mod checkout_page;
pub mod v1;
