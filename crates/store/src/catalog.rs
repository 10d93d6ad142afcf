//! The `products` and `prices` tables: each row a JSON document, with the columns lists filter on.

use crate::Db;
use crate::codec::{RowExt, from_json, to_json};
use crate::db::{Row, query};
use crate::page::{Cursor, Page, PageRequest, TimeRange, fetch_page};
use crate::sql::{by_id, locking, scoped_list};
use crate::{Result, Scope, WriteTx, live_flag};
use kassa_domain::catalog::{Price, Product};
use kassa_domain::{PriceId, ProductId};

fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Stores a new product.
pub async fn insert_product(tx: &mut WriteTx, p: &Product) -> Result<()> {
    query(
        "INSERT INTO products (id, merchant_id, livemode, active, data, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(p.id.as_str().to_owned())
    .bind(p.merchant_id.as_str().to_owned())
    .bind(live_flag(p.mode))
    .bind(flag(p.active))
    .bind(to_json(p))
    .bind(p.created_at.micros())
    .bind(p.updated_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back a product.
pub async fn update_product(tx: &mut WriteTx, p: &Product) -> Result<()> {
    query("UPDATE products SET active = $2, data = $3, updated_at = $4 WHERE id = $1")
        .bind(p.id.as_str().to_owned())
        .bind(flag(p.active))
        .bind(to_json(p))
        .bind(p.updated_at.micros())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Reads one product of the scope.
pub async fn get_product<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &ProductId) -> Result<Option<Product>> {
    let sql = "SELECT data FROM products WHERE id = $1 AND merchant_id = $2 AND livemode = $3";
    let row = by_id(sql, id.as_str(), scope).fetch_optional(exec).await?;
    row.map(|r| data(&r)).transpose()
}

/// Reads and locks one product of the scope.
pub async fn lock_product(tx: &mut WriteTx, scope: &Scope, id: &ProductId) -> Result<Option<Product>> {
    let sql = locking(
        tx.backend(),
        "SELECT data FROM products WHERE id = $1 AND merchant_id = $2 AND livemode = $3",
        "SELECT data FROM products WHERE id = $1 AND merchant_id = $2 AND livemode = $3 FOR UPDATE",
    );
    let row = by_id(sql, id.as_str(), scope).fetch_optional(tx.conn()).await?;
    row.map(|r| data(&r)).transpose()
}

/// One page of the scope's products, newest first (`active`: only those).
pub async fn list_products<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    active: Option<bool>,
    created: &TimeRange,
    page: &PageRequest,
) -> Result<Page<Product>> {
    let mut b = scoped_list("SELECT data, created_at, id FROM products WHERE ", scope);
    if let Some(active) = active {
        b.push(" AND active = ").int(flag(active));
    }
    fetch_page(exec, b, created, page, data, |p: &Product| Cursor {
        created_at: p.created_at.micros(),
        id: p.id.to_string(),
    })
    .await
}

/// Stores a new price.
pub async fn insert_price(tx: &mut WriteTx, p: &Price) -> Result<()> {
    query(
        "INSERT INTO prices (id, merchant_id, livemode, product_id, active, lookup_key, data, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(p.id.as_str().to_owned())
    .bind(p.merchant_id.as_str().to_owned())
    .bind(live_flag(p.mode))
    .bind(p.product_id.as_str().to_owned())
    .bind(flag(p.active))
    .bind(p.lookup_key.clone())
    .bind(to_json(p))
    .bind(p.created_at.micros())
    .bind(p.updated_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back a price.
pub async fn update_price(tx: &mut WriteTx, p: &Price) -> Result<()> {
    query("UPDATE prices SET active = $2, lookup_key = $3, data = $4, updated_at = $5 WHERE id = $1")
        .bind(p.id.as_str().to_owned())
        .bind(flag(p.active))
        .bind(p.lookup_key.clone())
        .bind(to_json(p))
        .bind(p.updated_at.micros())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Reads one price of the scope.
pub async fn get_price<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &PriceId) -> Result<Option<Price>> {
    let sql = "SELECT data FROM prices WHERE id = $1 AND merchant_id = $2 AND livemode = $3";
    let row = by_id(sql, id.as_str(), scope).fetch_optional(exec).await?;
    row.map(|r| data(&r)).transpose()
}

/// Reads and locks one price of the scope.
pub async fn lock_price(tx: &mut WriteTx, scope: &Scope, id: &PriceId) -> Result<Option<Price>> {
    let sql = locking(
        tx.backend(),
        "SELECT data FROM prices WHERE id = $1 AND merchant_id = $2 AND livemode = $3",
        "SELECT data FROM prices WHERE id = $1 AND merchant_id = $2 AND livemode = $3 FOR UPDATE",
    );
    let row = by_id(sql, id.as_str(), scope).fetch_optional(tx.conn()).await?;
    row.map(|r| data(&r)).transpose()
}

/// The scope's active price with `lookup_key`, if any.
pub async fn price_by_lookup_key<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, key: &str) -> Result<Option<Price>> {
    let row =
        query("SELECT data FROM prices WHERE merchant_id = $1 AND livemode = $2 AND lookup_key = $3 AND active = 1")
            .bind(scope.merchant_id.as_str().to_owned())
            .bind(live_flag(scope.mode))
            .bind(key.to_owned())
            .fetch_optional(exec)
            .await?;
    row.map(|r| data(&r)).transpose()
}

/// Filters of the price list.
#[derive(Debug, Clone, Default)]
pub struct PriceFilter {
    /// Only this product's.
    pub product: Option<ProductId>,
    /// Only active (or inactive) prices.
    pub active: Option<bool>,
    /// Only prices with one of these lookup keys.
    pub lookup_keys: Vec<String>,
    /// Creation range (µs).
    pub created: TimeRange,
}

/// One page of the scope's prices, newest first.
pub async fn list_prices<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    filter: &PriceFilter,
    page: &PageRequest,
) -> Result<Page<Price>> {
    let mut b = scoped_list("SELECT data, created_at, id FROM prices WHERE ", scope);
    if let Some(product) = &filter.product {
        b.push(" AND product_id = ").text(product.as_str());
    }
    if let Some(active) = filter.active {
        b.push(" AND active = ").int(flag(active));
    }
    if !filter.lookup_keys.is_empty() {
        b.push(" AND lookup_key IN (");
        for (i, key) in filter.lookup_keys.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.text(key.clone());
        }
        b.push(")");
    }
    fetch_page(exec, b, &filter.created, page, data, |p: &Price| Cursor {
        created_at: p.created_at.micros(),
        id: p.id.to_string(),
    })
    .await
}

fn data<T: serde::de::DeserializeOwned>(r: &Row) -> Result<T> {
    from_json("data", &r.text("data")?)
}
