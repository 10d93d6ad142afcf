//! The `provider_notices` table: the notifications a provider sent about a payment through a
//! connector that passed their check, and what the provider said when asked.

use crate::codec::RowExt;
use crate::db::query;
use crate::{Db, Result, WriteTx};
use kassa_domain::{ConnectorId, PaymentIntentId, Timestamp};

/// One notification heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNotice {
    /// The payment it was about.
    pub payment_intent_id: PaymentIntentId,
    /// The connector it came to.
    pub connector_id: ConnectorId,
    /// When it arrived.
    pub received_at: Timestamp,
    /// What the provider said when Kassa asked, in words.
    pub outcome: String,
}

/// Records a notification.
pub async fn insert(tx: &mut WriteTx, n: &StoredNotice) -> Result<()> {
    query(
        "INSERT INTO provider_notices (payment_intent_id, connector_id, received_at, outcome) VALUES ($1, $2, $3, $4)",
    )
    .bind(n.payment_intent_id.as_str().to_owned())
    .bind(n.connector_id.as_str().to_owned())
    .bind(n.received_at.micros())
    .bind(n.outcome.clone())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A payment's notices, oldest first (at most `limit`).
pub async fn of_payment<'e, E: Into<Db<'e>>>(
    exec: E,
    payment_intent: &PaymentIntentId,
    limit: i64,
) -> Result<Vec<StoredNotice>> {
    let rows = query(
        "SELECT payment_intent_id, connector_id, received_at, outcome FROM provider_notices \
         WHERE payment_intent_id = $1 ORDER BY received_at LIMIT $2",
    )
    .bind(payment_intent.as_str().to_owned())
    .bind(limit)
    .fetch_all(exec)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredNotice {
                payment_intent_id: payment_intent.clone(),
                connector_id: ConnectorId::from_trusted(row.text("connector_id")?),
                received_at: Timestamp(row.int("received_at")?),
                outcome: row.text("outcome")?,
            })
        })
        .collect()
}
