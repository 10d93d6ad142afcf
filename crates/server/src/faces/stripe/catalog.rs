//! `/v1/products` and `/v1/prices`: Kassa's catalog in Stripe's words. Prices are one-off
//! (`type: one_time`; `recurring` belongs to subscriptions, not served); a price may make its
//! product (`product_data`).

use super::lists::{self, LIST_PARAMS};
use super::params::{self, Kind};
use super::{Stripe, StripeError, expanded, render};
use crate::app::{NewPriceInput, NewProductInput, PriceListFilter, PriceOf};
use crate::http::HttpState;
use crate::http::face::{Caller, Id, RawBody};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::catalog::{MAX_DESCRIPTION, MAX_KEY, MAX_NAME, Price, PriceChanges, Product, ProductChanges};
use kassa_domain::{Currency, Invalid, MinorUnits};
use serde_json::{Value, json};

/// A product in Stripe's shape.
pub fn product(p: &Product) -> Value {
    json!({
        "id": p.id.as_str(),
        "object": "product",
        "active": p.active,
        "created": render::unix(p.created_at),
        "default_price": null,
        "description": p.description,
        "images": [],
        "livemode": p.mode == kassa_domain::Mode::Live,
        "marketing_features": [],
        "metadata": serde_json::to_value(&p.metadata).unwrap_or_else(|_| json!({})),
        "name": p.name,
        "package_dimensions": null,
        "shippable": null,
        "statement_descriptor": null,
        "tax_code": null,
        "type": "service",
        "unit_label": null,
        "updated": render::unix(p.updated_at),
        "url": null,
    })
}

/// A price in Stripe's shape.
pub fn price(p: &Price) -> Value {
    json!({
        "id": p.id.as_str(),
        "object": "price",
        "active": p.active,
        "billing_scheme": "per_unit",
        "created": render::unix(p.created_at),
        "currency": p.currency.code().to_ascii_lowercase(),
        "custom_unit_amount": null,
        "livemode": p.mode == kassa_domain::Mode::Live,
        "lookup_key": p.lookup_key,
        "metadata": serde_json::to_value(&p.metadata).unwrap_or_else(|_| json!({})),
        "nickname": p.nickname,
        "product": p.product_id.as_str(),
        "recurring": null,
        "tax_behavior": "unspecified",
        "tiers_mode": null,
        "transform_quantity": null,
        "type": "one_time",
        "unit_amount": p.unit_amount.get(),
        "unit_amount_decimal": p.unit_amount.get().to_string(),
    })
}

fn clearable(f: &mut Fields, field: &str, max: usize) -> Option<Option<String>> {
    f.string(field, max).map(|s| Some(s).filter(|s| !s.trim().is_empty()))
}

fn refuse_custom_id(f: &mut Fields) {
    if f.has("id") {
        f.string("id", 200);
        f.reject("id", Invalid::new("parameter_unsupported", "Objects take Kassa's ids; find a price by lookup_key."));
    }
}

/// Create a product.
pub async fn create_product(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[("active", Kind::Boolean)])?;
    let name = f.required_string("name", MAX_NAME);
    let description = f.string("description", MAX_DESCRIPTION);
    let active = f.boolean("active").unwrap_or(true);
    let metadata = params::metadata(&mut f);
    refuse_custom_id(&mut f);
    params::finish(f, false)?;
    let input = NewProductInput { name: vouched(name)?, description, active, metadata: metadata.unwrap_or_default() };
    Ok(Json(product(&s.app.create_product(&ctx, input).await?)))
}

/// Retrieve a product.
pub async fn retrieve_product(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
) -> Result<Json<Value>, StripeError> {
    Ok(Json(product(&s.app.get_product(&ctx, &id).await?)))
}

/// Update a product.
pub async fn update_product(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read_update(&body, &[("active", Kind::Boolean)])?;
    let changes = ProductChanges {
        name: f.string("name", MAX_NAME).filter(|n| !n.trim().is_empty()),
        description: clearable(&mut f, "description", MAX_DESCRIPTION),
        active: f.boolean("active"),
        metadata: f.string_map("metadata"),
    };
    f.finish()?;
    Ok(Json(product(&s.app.update_product(&ctx, &id, changes).await?)))
}

/// List products, newest first (`active`).
pub async fn list_products(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut typed = LIST_PARAMS.to_vec();
    typed.push(("active", Kind::Boolean));
    let mut f = params::read(query.unwrap_or_default().as_bytes(), &typed)?;
    let request = lists::read(&mut f);
    let active = f.boolean("active");
    f.finish()?;
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_product(&ctx, id).await?.created_at),
        None => None,
    };
    let page = s.app.list_products(&ctx, active, &request.created, request.page(anchor)?).await?;
    Ok(Json(request.answer("/v1/products", page.map(|p| product(&p)))))
}

/// Create a one-off price: of `product`, or of a product made from `product_data`.
pub async fn create_price(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[("unit_amount", Kind::Integer), ("active", Kind::Boolean)])?;
    let product_id = f.string("product", 100);
    let product_data = f.object("product_data").map(|mut data| {
        let name = data.required_string("name", MAX_NAME);
        let metadata = params::metadata(&mut data);
        f.absorb(data);
        (name, metadata)
    });
    if product_id.is_some() == product_data.is_some() && !f.has_errors() {
        f.reject("product", Invalid::new("parameter_missing", "Give product or product_data, one of them."));
    }
    let currency = f.required_parsed("currency", |c| Currency::parse(&c.to_ascii_uppercase()));
    let unit_amount = f.integer("unit_amount", 0, kassa_domain::money::MAX_AMOUNT, "parameter_invalid_integer");
    if unit_amount.is_none() && !f.has_errors() {
        f.reject("unit_amount", Invalid::new("parameter_missing", "Missing required param: unit_amount."));
    }
    if f.has("recurring") {
        f.json("recurring");
        f.reject(
            "recurring",
            Invalid::new("parameter_unsupported", "Recurring prices belong to subscriptions, which are not served."),
        );
    }
    let active = f.boolean("active").unwrap_or(true);
    let nickname = f.string("nickname", MAX_KEY);
    let lookup_key = f.string("lookup_key", MAX_KEY);
    let metadata = params::metadata(&mut f);
    let expand = params::finish(f, false)?;
    let product = match (product_id, product_data) {
        (Some(id), _) => PriceOf::Product(id),
        (None, Some((name, metadata))) => PriceOf::NewProduct(NewProductInput {
            name: vouched(name)?,
            description: None,
            active: true,
            metadata: metadata.unwrap_or_default(),
        }),
        (None, None) => PriceOf::Product(String::new()),
    };
    let input = NewPriceInput {
        product,
        currency: vouched(currency)?,
        unit_amount: vouched(unit_amount.and_then(MinorUnits::new))?,
        active,
        nickname,
        lookup_key,
        metadata: metadata.unwrap_or_default(),
    };
    let price = s.app.create_price(&ctx, input).await?;
    expanded(&s.app, &ctx, self::price(&price), &expand).await
}

/// Retrieve a price.
pub async fn retrieve_price(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
) -> Result<Json<Value>, StripeError> {
    Ok(Json(price(&s.app.get_price(&ctx, &id).await?)))
}

/// Update a price's `active`, `nickname`, `lookup_key` (an empty one clears it), `metadata`.
pub async fn update_price(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read_update(&body, &[("active", Kind::Boolean)])?;
    let changes = PriceChanges {
        active: f.boolean("active"),
        nickname: clearable(&mut f, "nickname", MAX_KEY),
        lookup_key: clearable(&mut f, "lookup_key", MAX_KEY),
        metadata: f.string_map("metadata"),
    };
    f.finish()?;
    Ok(Json(price(&s.app.update_price(&ctx, &id, changes).await?)))
}

/// List prices, newest first (`product`, `active`, `lookup_keys[]`, `type=one_time`).
pub async fn list_prices(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut typed = LIST_PARAMS.to_vec();
    typed.push(("active", Kind::Boolean));
    let mut f = params::read(query.unwrap_or_default().as_bytes(), &typed)?;
    let request = lists::read(&mut f);
    let product = f.string("product", 100);
    let active = f.boolean("active");
    let lookup_keys = match f.json("lookup_keys") {
        Some(Value::Array(keys)) => keys.into_iter().filter_map(|k| k.as_str().map(str::to_owned)).collect(),
        Some(Value::String(one)) => vec![one],
        _ => Vec::new(),
    };
    if let Some(kind) = f.string("type", 20).filter(|t| t != "one_time") {
        f.reject(
            "type",
            Invalid::new("parameter_unsupported", format!("Only one_time prices are served, not {kind}.")),
        );
    }
    let expand = params::finish(f, true)?;
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_price(&ctx, id).await?.created_at),
        None => None,
    };
    let filter = PriceListFilter { product, active, lookup_keys, created: request.created.clone() };
    let page = s.app.list_prices(&ctx, &filter, request.page(anchor)?).await?;
    expanded(&s.app, &ctx, request.answer("/v1/prices", page.map(|p| price(&p))), &expand).await
}
