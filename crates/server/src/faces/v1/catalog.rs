//! `/v1/products` and `/v1/prices`: what a merchant sells, and for how much.

use super::V1;
use super::error::V1Error;
use super::{minor_units, read_metadata, render};
use crate::app::{NewPriceInput, NewProductInput, PriceListFilter, PriceOf};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use kassa_api as api;
use kassa_domain::catalog::{MAX_DESCRIPTION, MAX_KEY, MAX_NAME, PriceChanges, ProductChanges};
use kassa_domain::{Currency, Invalid};

/// An optional text whose empty value clears it.
fn clearable(f: &mut Fields, field: &str, max: usize) -> Option<Option<String>> {
    f.string(field, max).map(|s| Some(s).filter(|s| !s.trim().is_empty()))
}

/// Create a product.
#[utoipa::path(post, path = "/v1/products", tag = "Catalog", request_body = api::CreateProduct,
    responses((status = 200, body = api::Product), (status = 422, body = api::ErrorBody)))]
pub async fn create_product(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Product>, V1Error> {
    let name = f.required_string("name", MAX_NAME);
    let description = f.string("description", MAX_DESCRIPTION);
    let active = f.boolean("active").unwrap_or(true);
    let metadata = read_metadata(&mut f, "metadata");
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        f.reject("name", Invalid::new("parameter_missing", "A product has a name."));
    }
    f.finish()?;
    let input = NewProductInput { name: vouched(name)?, description, active, metadata: metadata.unwrap_or_default() };
    Ok(Json(render::product(&s.app.create_product(&ctx, input).await?)))
}

/// Retrieve a product.
#[utoipa::path(get, path = "/v1/products/{id}", tag = "Catalog", params(("id" = String, Path)),
    responses((status = 200, body = api::Product), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve_product(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::Product>, V1Error> {
    q.finish()?;
    Ok(Json(render::product(&s.app.get_product(&ctx, &id).await?)))
}

/// Change a product: its name, description, whether it is for sale; metadata merges.
#[utoipa::path(post, path = "/v1/products/{id}", tag = "Catalog", params(("id" = String, Path)),
    request_body = api::UpdateProduct,
    responses((status = 200, body = api::Product), (status = 404, body = api::ErrorBody), (status = 422, body = api::ErrorBody)))]
pub async fn update_product(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Product>, V1Error> {
    let name = f.string("name", MAX_NAME);
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        f.reject("name", Invalid::new("parameter_invalid", "A product keeps a name."));
    }
    let changes = ProductChanges {
        name,
        description: clearable(&mut f, "description", MAX_DESCRIPTION),
        active: f.boolean("active"),
        metadata: f.string_map("metadata"),
    };
    f.finish()?;
    Ok(Json(render::product(&s.app.update_product(&ctx, &id, changes).await?)))
}

/// List products, newest first (`active`).
#[utoipa::path(get, path = "/v1/products", tag = "Catalog",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query), ("active" = Option<bool>, Query)),
    responses((status = 200, body = api::List<api::Product>)))]
pub async fn list_products(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::Product>>, V1Error> {
    let page = q.page();
    let active = q.parsed("active", parse_bool);
    let created = q.time_range("created");
    q.finish()?;
    let found = s.app.list_products(&ctx, active, &created, page).await?;
    Ok(Json(api::List::new(found.items.iter().map(render::product).collect(), found.next.map(|c| c.encode()))))
}

fn parse_bool(s: &str) -> Result<bool, Invalid> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Invalid::new("invalid_boolean", "Must be true or false.")),
    }
}

/// Create a one-off price of a product.
#[utoipa::path(post, path = "/v1/prices", tag = "Catalog", request_body = api::CreatePrice,
    responses((status = 200, body = api::Price), (status = 404, body = api::ErrorBody),
        (status = 409, description = "The product is not for sale, or an active price has the lookup key", body = api::ErrorBody),
        (status = 422, body = api::ErrorBody)))]
pub async fn create_price(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Price>, V1Error> {
    let product = f.required_string("product", 100);
    let currency = f.required_parsed("currency", Currency::parse);
    let unit_amount = if f.has("unit_amount") {
        minor_units(&mut f, "unit_amount")
    } else {
        f.reject("unit_amount", Invalid::new("parameter_missing", "Missing required parameter: unit_amount."));
        None
    };
    let active = f.boolean("active").unwrap_or(true);
    let nickname = f.string("nickname", MAX_KEY);
    let lookup_key = f.string("lookup_key", MAX_KEY);
    let metadata = read_metadata(&mut f, "metadata");
    f.finish()?;
    let input = NewPriceInput {
        product: PriceOf::Product(vouched(product)?),
        currency: vouched(currency)?,
        unit_amount: vouched(unit_amount)?,
        active,
        nickname,
        lookup_key,
        metadata: metadata.unwrap_or_default(),
    };
    Ok(Json(render::price(&s.app.create_price(&ctx, input).await?)))
}

/// Retrieve a price.
#[utoipa::path(get, path = "/v1/prices/{id}", tag = "Catalog", params(("id" = String, Path)),
    responses((status = 200, body = api::Price), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve_price(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::Price>, V1Error> {
    q.finish()?;
    Ok(Json(render::price(&s.app.get_price(&ctx, &id).await?)))
}

/// Change a price's nickname, lookup key, whether it is active; metadata merges.
#[utoipa::path(post, path = "/v1/prices/{id}", tag = "Catalog", params(("id" = String, Path)),
    request_body = api::UpdatePrice,
    responses((status = 200, body = api::Price), (status = 404, body = api::ErrorBody),
        (status = 409, description = "An active price has the lookup key", body = api::ErrorBody), (status = 422, body = api::ErrorBody)))]
pub async fn update_price(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Price>, V1Error> {
    let changes = PriceChanges {
        active: f.boolean("active"),
        nickname: clearable(&mut f, "nickname", MAX_KEY),
        lookup_key: clearable(&mut f, "lookup_key", MAX_KEY),
        metadata: f.string_map("metadata"),
    };
    f.finish()?;
    Ok(Json(render::price(&s.app.update_price(&ctx, &id, changes).await?)))
}

/// List prices, newest first (`product`, `active`, `lookup_keys[]`).
#[utoipa::path(get, path = "/v1/prices", tag = "Catalog",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query), ("product" = Option<String>, Query),
        ("active" = Option<bool>, Query), ("lookup_keys[]" = Option<Vec<String>>, Query)),
    responses((status = 200, body = api::List<api::Price>)))]
pub async fn list_prices(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::Price>>, V1Error> {
    let page = q.page();
    let filter = PriceListFilter {
        product: q.take("product"),
        active: q.parsed("active", parse_bool),
        lookup_keys: q.take_all("lookup_keys[]"),
        created: q.time_range("created"),
    };
    q.finish()?;
    let found = s.app.list_prices(&ctx, &filter, page).await?;
    Ok(Json(api::List::new(found.items.iter().map(render::price).collect(), found.next.map(|c| c.encode()))))
}
