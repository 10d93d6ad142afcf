//! Face notes an earlier Kassa kept in the merchant's `metadata` (`smartpay_reference`, …),
//! moved to where they are kept now (migration 0020) on the first start that can.

use crate::codec::{RowExt, from_json, to_json};
use crate::db::query;
use crate::{Result, WriteTx, settings};
use kassa_domain::{FaceNotes, Metadata};

/// The notes an earlier Kassa kept in merchants' metadata, as `{face}_{name}` keys (also in
/// the events it wrote).
pub const KEPT_IN_METADATA: &[(&str, &str)] = &[
    ("smartpay", "reference"),
    ("smartpay", "description"),
    ("smartpay", "event_subscriptions"),
    ("vipps", "user_flow"),
    ("vipps", "payment_method"),
    ("vipps", "customer_interaction"),
    ("vipps", "events"),
    ("probuy", "tax_amount"),
    ("probuy", "country_code"),
    ("probuy", "description"),
    ("probuy", "platform"),
    ("probuy", "is_mobile"),
    ("probuy", "item_sku"),
    ("probuy", "additional_data"),
];

/// Set once the move is done.
const LIFTED: &str = "face_notes_lifted";

/// Tables whose rows keep metadata and face notes in columns of their own.
const COLUMN_TABLES: [&str; 4] = ["payment_intents", "captures", "refunds", "webhook_endpoints"];

/// Tables whose rows are a JSON document (`data`) holding both.
const DOCUMENT_TABLES: [&str; 2] = ["checkout_sessions", "tokens"];

/// Rows that may hold a face's keys (a superset: `_` matches any character).
const CANDIDATES: &str = "LIKE '%smartpay_%' OR {col} LIKE '%vipps_%' OR {col} LIKE '%probuy_%'";

/// Moves every row's face notes out of its metadata, once per database (later calls, and a
/// node starting beside one that did it, find it done). Returns how many rows changed.
pub async fn lift_out_of_metadata(tx: &mut WriteTx) -> Result<u64> {
    if !settings::init(tx, LIFTED, "1").await? {
        return Ok(0);
    }
    let mut changed = 0;
    for table in COLUMN_TABLES {
        let sql = format!(
            "SELECT id, metadata, face_notes FROM {table} WHERE metadata {}",
            CANDIDATES.replace("{col}", "metadata")
        );
        for row in query(sql).fetch_all(tx.conn()).await? {
            let mut metadata: Metadata = from_json("metadata", &row.text("metadata")?)?;
            let mut notes: FaceNotes = from_json("face_notes", &row.text("face_notes")?)?;
            if notes.lift_from(&mut metadata, KEPT_IN_METADATA) {
                query(format!("UPDATE {table} SET metadata = $2, face_notes = $3 WHERE id = $1"))
                    .bind(row.text("id")?)
                    .bind(to_json(&metadata))
                    .bind(to_json(&notes))
                    .execute(tx.conn())
                    .await?;
                changed += 1;
            }
        }
    }
    for table in DOCUMENT_TABLES {
        let sql = format!("SELECT id, data FROM {table} WHERE data {}", CANDIDATES.replace("{col}", "data"));
        for row in query(sql).fetch_all(tx.conn()).await? {
            let mut document: serde_json::Map<String, serde_json::Value> = from_json("data", &row.text("data")?)?;
            let mut metadata: Metadata = document.get("metadata").map_or(Ok(Metadata::default()), parse)?;
            let mut notes: FaceNotes = document.get("face_notes").map_or(Ok(FaceNotes::default()), parse)?;
            if notes.lift_from(&mut metadata, KEPT_IN_METADATA) {
                document.insert("metadata".into(), serde_json::to_value(&metadata).unwrap_or_default());
                document.insert("face_notes".into(), serde_json::to_value(&notes).unwrap_or_default());
                query(format!("UPDATE {table} SET data = $2 WHERE id = $1"))
                    .bind(row.text("id")?)
                    .bind(to_json(&document))
                    .execute(tx.conn())
                    .await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

fn parse<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T> {
    serde_json::from_value(value.clone()).map_err(|e| crate::StoreError::Corrupt(format!("column data: {e}")))
}
