//! `/v1/customers`: create, retrieve (a deleted one as `{id, deleted: true}`), update, delete,
//! list (by `email`, `created`). Kassa's customers, in Stripe's shape.

use super::lists::{self, LIST_PARAMS};
use super::params;
use super::search::{self, Field, SearchRequest, Term};
use super::{Stripe, StripeError, expanded, render};
use crate::app::{App, AppError, Ctx, CustomerFilter, ErrorKind};
use crate::faces::readers::{customer_changes, new_customer};
use crate::http::HttpState;
use crate::http::face::{Caller, Id, RawBody};
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::Invalid;
use serde_json::{Value, json};

/// The customer a request names, which must exist (Stripe's 400 `resource_missing`, naming
/// `customer`, otherwise).
pub(super) async fn known(app: &App, ctx: &Ctx, id: &str) -> Result<kassa_domain::Customer, AppError> {
    match app.get_customer(ctx, id).await {
        Ok(customer) => Ok(customer),
        Err(e) if e.kind == ErrorKind::NotFound => Err(AppError::invalid_field(
            "customer",
            Invalid::new("resource_missing", format!("No such customer: '{id}'")),
        )),
        Err(e) => Err(e),
    }
}

/// Create a customer.
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(&body, &[])?;
    let new = new_customer(&mut f);
    let expand = params::finish(f, false)?;
    let customer = s.app.create_customer(&ctx, new).await?;
    expanded(&s.app, &ctx, render::customer(&customer), &expand).await
}

/// Retrieve a customer; a deleted one answers `{id, object, deleted: true}`, as Stripe's does.
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let expand = params::finish(params::read(query.unwrap_or_default().as_bytes(), &[])?, false)?;
    let (customer, deleted) = s.app.get_customer_even_deleted(&ctx, &id).await?;
    let shown = if deleted { deleted_customer(customer.id.as_str()) } else { render::customer(&customer) };
    expanded(&s.app, &ctx, shown, &expand).await
}

fn deleted_customer(id: &str) -> Value {
    json!({"id": id, "object": "customer", "deleted": true})
}

/// Update a customer: an empty value clears its field; metadata merges.
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read_update(&body, &[])?;
    let changes = customer_changes(&mut f);
    let expand = params::finish(f, false)?;
    let customer = s.app.update_customer(&ctx, &id, changes).await?;
    expanded(&s.app, &ctx, render::customer(&customer), &expand).await
}

/// Delete a customer.
pub async fn delete(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let id = s.app.delete_customer(&ctx, &id).await?;
    Ok(Json(deleted_customer(id.as_str())))
}

/// List customers, newest first.
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    let request = lists::read(&mut f);
    let email = f.string("email", 512);
    let expand = params::finish(f, true)?;
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_customer(&ctx, id).await?.created_at),
        None => None,
    };
    let filter = CustomerFilter { email, created: request.created.clone() };
    let page = s.app.list_customers(&ctx, &filter, request.page(anchor)?).await?;
    expanded(&s.app, &ctx, request.answer("/v1/customers", page.map(|c| render::customer(&c))), &expand).await
}

/// Search customers: `email`, `name`, `phone`, `created`, `metadata["…"]`.
pub async fn search(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let asked = SearchRequest::read(query, &["email", "name", "phone", "created"])?;
    let filter = CustomerFilter::default();
    let (found, next) = search::scan(
        asked.limit,
        asked.from.clone(),
        |page| s.app.list_customers(&ctx, &filter, page),
        |c| asked.query.matches(|field| customer_field(c, field)),
        |c| format!("{}.{}", c.created_at.micros(), c.id),
    )
    .await?;
    let data = found.iter().map(render::customer).collect();
    expanded(&s.app, &ctx, SearchRequest::answer("/v1/customers/search", data, next), &asked.expand).await
}

fn customer_field(c: &kassa_domain::Customer, field: &Field) -> Option<Term> {
    let text = |v: Option<&str>| v.map(|t| Term::Text(t.to_owned()));
    match field {
        Field::Metadata(key) => text(c.metadata.entries().get(key).map(String::as_str)),
        Field::Named(name) => match name.as_str() {
            "email" => text(c.email.as_ref().map(|e| e.as_str())),
            "name" => text(c.name.as_deref()),
            "phone" => text(c.phone.as_deref()),
            "created" => Some(Term::Number(render::unix(c.created_at))),
            _ => None,
        },
    }
}
