//! Turning stored columns back into domain values. A failure here means the row is not what
//! Kassa wrote, and is reported as [`StoreError::Corrupt`].

use crate::StoreError;
use crate::db::Row;
use rusqlite::types::Value as Stored;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row as _;

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    // Serializing plain domain structs cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

pub(crate) fn opt_json<T: Serialize>(value: &Option<T>) -> Option<String> {
    value.as_ref().map(to_json)
}

pub(crate) fn from_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("column {column}: {e}")))
}

pub(crate) fn opt_from_json<T: DeserializeOwned>(column: &str, text: Option<String>) -> Result<Option<T>, StoreError> {
    text.map(|t| from_json(column, &t)).transpose()
}

pub(crate) fn corrupt(column: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {detail}"))
}

/// Column accessors with the column name in the error.
pub(crate) trait RowExt {
    fn int(&self, column: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError>;
    fn text(&self, column: &str) -> Result<String, StoreError>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError>;
    /// A non-negative running total; a negative one is a corrupted row.
    fn units(&self, column: &str) -> Result<kassa_domain::MinorUnits, StoreError> {
        let v = self.int(column)?;
        kassa_domain::MinorUnits::new(v).ok_or_else(|| corrupt(column, v))
    }
}

impl RowExt for Row {
    fn int(&self, column: &str) -> Result<i64, StoreError> {
        self.opt_int(column)?.ok_or_else(|| corrupt(column, "unexpected NULL"))
    }
    fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        match self {
            Row::Any(row) => Ok(row.try_get(column)?),
            Row::Lite(row) => match row.get(column)? {
                Stored::Integer(v) => Ok(Some(*v)),
                Stored::Null => Ok(None),
                other => Err(corrupt(column, format!("{:?} is not an integer", other.data_type()))),
            },
        }
    }
    fn text(&self, column: &str) -> Result<String, StoreError> {
        self.opt_text(column)?.ok_or_else(|| corrupt(column, "unexpected NULL"))
    }
    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        match self {
            Row::Any(row) => Ok(row.try_get(column)?),
            Row::Lite(row) => match row.get(column)? {
                Stored::Text(v) => Ok(Some(v.clone())),
                Stored::Null => Ok(None),
                other => Err(corrupt(column, format!("{:?} is not text", other.data_type()))),
            },
        }
    }
}
