//! Connectors: the merchant's accounts at payment providers. A form per provider connects it
//! (or, once connected, rotates its credentials); a confirmation deletes it. Credentials are
//! typed into password fields and never shown again, nor sent back on a refusal.

use super::view::{self, Section, framed, when};
use super::{Dashboard, Desk, PageError, Posted, detached, new_idempotency_key, page, see_other};
use crate::app::{ConnectorChanges, ErrorKind, NewConnectorInput, Order, PageRequest};
use crate::connector::providers::Provider;
use crate::http::HttpState;
use crate::http::face::Id;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kassa_domain::connector::ConnectorAccount;
use maud::{Markup, html};
use serde_json::{Map, Value};

pub fn routes() -> Router<HttpState> {
    super::in_both_modes(vec![
        ("/connectors", get(connectors).post(connect)),
        ("/connectors/{id}/rotate", post(rotate)),
        ("/connectors/{id}/delete", get(confirm_delete).post(delete)),
    ])
}

/// A credential's form field.
fn field_name(credential: &str) -> String {
    format!("credential_{credential}")
}

fn connectors_page(s: &HttpState, desk: &Desk, found: &[ConnectorAccount], error: Option<&str>) -> Markup {
    let base = format!("{}/connectors", desk.base());
    framed(
        desk,
        Section::Connectors,
        "Connectors",
        html! {
            h1 { "Connectors" }
            (view::notice(None, error))
            p { "Your accounts at payment providers, checked with the provider when added or rotated. Credentials are kept sealed and never shown again." }
            @if found.is_empty() {
                p.empty { "No connectors in this mode." }
            } @else {
                div.scroll {
                    table.list data-testid="connectors" {
                        thead { tr { th scope="col" { "Provider" } th scope="col" { "API" } th scope="col" { "Description" } th scope="col" { "Connected" } th scope="col" { span.visually-hidden { "Actions" } } } }
                        tbody { @for c in found { tr {
                            td { (c.provider) }
                            td { code { (c.base_url.as_str()) } }
                            td { (c.description.as_deref().unwrap_or("")) }
                            td { (when(c.created_at)) }
                            td { a href={ (base) "/" (c.id) "/delete" } { "Delete" } }
                        } } }
                    }
                }
            }
            @for provider in s.app.providers().all() {
                (provider_form(desk, &base, provider, found.iter().find(|c| c.provider == provider.name())))
            }
        },
    )
}

/// Connects `provider`, or rotates the credentials of its connector `existing`.
fn provider_form(desk: &Desk, base: &str, provider: &dyn Provider, existing: Option<&ConnectorAccount>) -> Markup {
    let name = provider.name();
    let (title, action, button) = match existing {
        Some(c) => (format!("Rotate the {name} credentials"), format!("{base}/{}/rotate", c.id), "Rotate credentials"),
        None => (format!("Connect {name}"), base.to_owned(), "Connect"),
    };
    html! {
        h2 { (title) }
        form.card method="post" action=(action) data-testid={ "connect-" (name) } {
            (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
            input type="hidden" name="type" value=(name);
            @for f in provider.credential_fields() {
                @let id = format!("{name}-{}", f.name);
                div.field {
                    label for=(id) { (f.name) @if !f.required { " (optional)" } }
                    input id=(id) type="password" autocomplete="off" name=(field_name(f.name)) required[f.required];
                }
            }
            @if existing.is_none() {
                div.field {
                    label for={ (name) "-base-url" } { "API base URL (optional)" }
                    input id={ (name) "-base-url" } type="url" name="base_url" aria-describedby={ (name) "-base-url-hint" };
                    p.hint id={ (name) "-base-url-hint" } { "Default: " code { (provider.default_base_url(desk.mode)) } }
                }
                div.field {
                    label for={ (name) "-description" } { "Description (optional)" }
                    input id={ (name) "-description" } name="description";
                }
            }
            button.primary type="submit" { (button) }
        }
    }
}

/// The credentials typed into a provider's form.
fn typed_credentials(provider: Option<&dyn Provider>, form: &super::Form) -> Map<String, Value> {
    let fields = provider.map(|p| p.credential_fields()).unwrap_or_default();
    fields
        .iter()
        .filter_map(|f| {
            form.get(&field_name(f.name))
                .filter(|v| !v.is_empty())
                .map(|v| (f.name.to_owned(), Value::String(v.to_owned())))
        })
        .collect()
}

async fn listed(s: &HttpState, desk: &Desk) -> Result<Vec<ConnectorAccount>, crate::app::AppError> {
    let request = PageRequest { limit: 100, after: None, order: Order::NewestFirst };
    Ok(s.app.list_connectors(&desk.reader(), request).await?.items)
}

/// `GET /dashboard/{mode}/connectors`
async fn connectors(State(s): State<HttpState>, desk: Desk) -> Response {
    match listed(&s, &desk).await {
        Ok(found) => page(StatusCode::OK, connectors_page(&s, &desk, &found, None)),
        Err(e) => PageError(e).into_response(),
    }
}

/// The page again with what went wrong (nothing typed into a credential is sent back).
async fn refused(s: &HttpState, desk: &Desk, problem: &str) -> Response {
    match listed(s, desk).await {
        Ok(found) => page(StatusCode::UNPROCESSABLE_ENTITY, connectors_page(s, desk, &found, Some(problem))),
        Err(e) => PageError(e).into_response(),
    }
}

/// What a refused command says, field by field.
fn problem(e: &crate::app::AppError) -> String {
    match e.details.as_slice() {
        [] => e.message.clone(),
        details => details.iter().map(|d| format!("{}: {}", d.param, d.message)).collect::<Vec<_>>().join(" "),
    }
}

/// `POST /dashboard/{mode}/connectors`
async fn connect(State(s): State<HttpState>, uri: Uri, Posted { desk, form }: Posted) -> Response {
    let provider = form.text("type").to_owned();
    let credentials = typed_credentials(s.app.providers().get(&provider), &form);
    let base_url = Some(form.text("base_url").trim().to_owned()).filter(|u| !u.is_empty());
    let description = Some(form.text("description").trim().to_owned()).filter(|d| !d.is_empty());
    let ctx = desk.actor(uri.path(), &form);
    let app = s.app.clone();
    let input = NewConnectorInput { provider, credentials, base_url, description };
    match detached(async move { app.create_connector(&ctx, input).await }).await {
        Ok(Ok(_)) => see_other(&format!("{}/connectors", desk.base())),
        Ok(Err(e)) if matches!(e.kind, ErrorKind::Validation | ErrorKind::Conflict | ErrorKind::Unavailable) => {
            refused(&s, &desk, &problem(&e)).await
        }
        Ok(Err(e)) => PageError(e).into_response(),
        Err(r) => r,
    }
}

/// `POST /dashboard/{mode}/connectors/{id}/rotate`
async fn rotate(
    State(s): State<HttpState>,
    uri: Uri,
    Id(id, _): Id<Dashboard>,
    Posted { desk, form }: Posted,
) -> Response {
    let provider = form.text("type").to_owned();
    let credentials = typed_credentials(s.app.providers().get(&provider), &form);
    let ctx = desk.actor(uri.path(), &form);
    let app = s.app.clone();
    let changes = ConnectorChanges { credentials: Some(credentials), ..ConnectorChanges::default() };
    match detached(async move { app.update_connector(&ctx, &id, changes).await }).await {
        Ok(Ok(_)) => see_other(&format!("{}/connectors", desk.base())),
        Ok(Err(e)) if matches!(e.kind, ErrorKind::Validation | ErrorKind::Unavailable) => {
            refused(&s, &desk, &problem(&e)).await
        }
        Ok(Err(e)) => PageError(e).into_response(),
        Err(r) => r,
    }
}

/// `GET /dashboard/{mode}/connectors/{id}/delete`: the confirmation.
async fn confirm_delete(State(s): State<HttpState>, desk: Desk, Id(id, _): Id<Dashboard>) -> Response {
    let connector = match s.app.get_connector(&desk.reader(), &id).await {
        Ok(c) => c,
        Err(e) => return PageError(e).into_response(),
    };
    let base = format!("{}/connectors", desk.base());
    let body = html! {
        p.crumbs { a href=(base) { "← Connectors" } }
        h1 { "Please confirm" }
        section.confirm {
            p.question { "Delete the " (connector.provider) " connector? Its credentials are forgotten; connect it again to take payments through it." }
            form method="post" action={ (base) "/" (connector.id) "/delete" } {
                (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
                div.buttons {
                    button.danger type="submit" data-testid="confirm" { "Yes, delete" }
                    a.button href=(base) { "No, go back" }
                }
            }
        }
    };
    page(StatusCode::OK, framed(&desk, Section::Connectors, "Delete connector", body))
}

/// `POST /dashboard/{mode}/connectors/{id}/delete`
async fn delete(
    State(s): State<HttpState>,
    uri: Uri,
    Id(id, _): Id<Dashboard>,
    Posted { desk, form }: Posted,
) -> Response {
    let ctx = desk.actor(uri.path(), &form);
    let app = s.app.clone();
    match detached(async move { app.delete_connector(&ctx, &id).await }).await {
        Ok(Ok(_)) => see_other(&format!("{}/connectors", desk.base())),
        Ok(Err(e)) => PageError(e).into_response(),
        Err(r) => r,
    }
}
