//! Faces: each way into Kassa translates its wire format into app commands and back.
//! Only the native v1 API exists so far.

pub mod v1;
