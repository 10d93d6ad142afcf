//! The `customers` table. Deleted customers keep their rows (`deleted_at`): reads that serve
//! the merchant see only the living, [`get_any`] the deleted too.

use crate::Db;
use crate::codec::{RowExt, corrupt, from_json, to_json};
use crate::db::{Row, query};
use crate::page::{Cursor, Page, PageRequest, TimeRange, fetch_page};
use crate::sql::{by_id, locking, scoped_list, soft_delete};
use crate::{Result, Scope, WriteTx, live_flag, mode_from_flag};
use kassa_domain::contact::Email;
use kassa_domain::{Customer, CustomerId, MerchantId, Timestamp};

macro_rules! select {
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, merchant_id, livemode, email, name, phone, description, metadata, created_at, updated_at, \
             deleted_at FROM customers ",
            $($rest),*
        )
    };
}

/// A list's filters.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only customers with this email (any case).
    pub email: Option<String>,
    /// Creation range (µs).
    pub created: TimeRange,
}

fn email_key(c: &Customer) -> Option<String> {
    c.email.as_ref().map(|e| e.as_str().to_lowercase())
}

/// Stores a new customer.
pub async fn insert(tx: &mut WriteTx, c: &Customer) -> Result<()> {
    query(
        "INSERT INTO customers (id, merchant_id, livemode, email, email_key, name, phone, description, metadata, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(c.id.as_str().to_owned())
    .bind(c.merchant_id.as_str().to_owned())
    .bind(live_flag(c.mode))
    .bind(c.email.as_ref().map(|e| e.as_str().to_owned()))
    .bind(email_key(c))
    .bind(c.name.clone())
    .bind(c.phone.clone())
    .bind(c.description.clone())
    .bind(to_json(&c.metadata))
    .bind(c.created_at.micros())
    .bind(c.updated_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back a customer's details.
pub async fn update(tx: &mut WriteTx, c: &Customer) -> Result<()> {
    query(
        "UPDATE customers SET email = $2, email_key = $3, name = $4, phone = $5, description = $6, metadata = $7, \
         updated_at = $8 WHERE id = $1",
    )
    .bind(c.id.as_str().to_owned())
    .bind(c.email.as_ref().map(|e| e.as_str().to_owned()))
    .bind(email_key(c))
    .bind(c.name.clone())
    .bind(c.phone.clone())
    .bind(c.description.clone())
    .bind(to_json(&c.metadata))
    .bind(c.updated_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Reads one living customer of the scope.
pub async fn get<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &CustomerId) -> Result<Option<Customer>> {
    let sql = select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL");
    let row = by_id(sql, id.as_str(), scope).fetch_optional(exec).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Reads one customer of the scope, deleted or not, and whether it is deleted.
pub async fn get_any<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &CustomerId) -> Result<Option<(Customer, bool)>> {
    let sql = select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3");
    let row = by_id(sql, id.as_str(), scope).fetch_optional(exec).await?;
    row.map(|r| Ok((from_row(&r)?, r.opt_int("deleted_at")?.is_some()))).transpose()
}

/// Reads and locks one living customer of the scope.
pub async fn lock(tx: &mut WriteTx, scope: &Scope, id: &CustomerId) -> Result<Option<Customer>> {
    let sql = locking(
        tx.backend(),
        select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL"),
        select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL FOR UPDATE"),
    );
    let row = by_id(sql, id.as_str(), scope).fetch_optional(tx.conn()).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Deletes a customer (its row stays). `false` if the scope has no such living customer.
pub async fn delete(tx: &mut WriteTx, scope: &Scope, id: &CustomerId, now: Timestamp) -> Result<bool> {
    let sql = "UPDATE customers SET deleted_at = $4, updated_at = $4 \
               WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL";
    soft_delete(tx, sql, id.as_str(), scope, now).await
}

/// One page of the scope's living customers, newest first.
pub async fn list<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<Customer>> {
    let mut b = scoped_list(select!("WHERE "), scope);
    b.push(" AND deleted_at IS NULL");
    if let Some(email) = &filter.email {
        b.push(" AND email_key = ").text(email.trim().to_lowercase());
    }
    fetch_page(exec, b, &filter.created, page, from_row, |c| Cursor {
        created_at: c.created_at.micros(),
        id: c.id.to_string(),
    })
    .await
}

fn from_row(r: &Row) -> Result<Customer> {
    Ok(Customer {
        id: CustomerId::from_trusted(r.text("id")?),
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        mode: mode_from_flag(r.int("livemode")?),
        email: r.opt_text("email")?.map(|e| Email::parse(&e).map_err(|e| corrupt("email", e))).transpose()?,
        name: r.opt_text("name")?,
        phone: r.opt_text("phone")?,
        description: r.opt_text("description")?,
        metadata: from_json("metadata", &r.text("metadata")?)?,
        created_at: Timestamp(r.int("created_at")?),
        updated_at: Timestamp(r.int("updated_at")?),
    })
}
