//! `expand[]`: ids in an answer replaced by the objects they name, as Stripe does
//! (`latest_charge`, `customer`, `payment_intent`, `charge`, `product`; `data.` on lists; nested, up to four
//! levels, `latest_charge.customer` say).

use super::{charges, render};
use crate::app::{App, AppError, AppResult, Ctx, ErrorKind};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

/// The fields that hold an id Kassa can expand.
const EXPANDABLE: &[&str] =
    &["latest_charge", "customer", "payment_intent", "charge", "product", "setup_intent", "payment_method"];

/// Longest path.
const MAX_DEPTH: usize = 4;

/// Refuses, before anything is done, a path that cannot be expanded (Stripe's words).
pub fn check(asked: &[String], list: bool) -> AppResult<()> {
    for path in asked {
        let mut segments: Vec<&str> = path.split('.').collect();
        if list && segments.first() == Some(&"data") {
            segments.remove(0);
        }
        if segments.is_empty() || segments.len() > MAX_DEPTH || !segments.iter().all(|s| EXPANDABLE.contains(s)) {
            return Err(AppError::new(
                ErrorKind::BadRequest,
                "parameter_invalid",
                format!("This property cannot be expanded ({path})."),
            )
            .with_param("expand"));
        }
    }
    Ok(())
}

/// Expands `asked` in `value` (an object, or a list whose paths start with `data.`).
pub async fn apply(app: &App, ctx: &Ctx, mut value: Value, asked: &[String]) -> AppResult<Value> {
    for path in asked {
        let segments: Vec<&str> = path.split('.').collect();
        expand_at(app, ctx, &mut value, &segments).await?;
    }
    Ok(value)
}

fn expand_at<'a>(
    app: &'a App,
    ctx: &'a Ctx,
    value: &'a mut Value,
    path: &'a [&'a str],
) -> Pin<Box<dyn Future<Output = AppResult<()>> + Send + 'a>> {
    Box::pin(async move {
        let Some((field, rest)) = path.split_first() else { return Ok(()) };
        if *field == "data"
            && let Some(items) = value.get_mut("data").and_then(Value::as_array_mut)
        {
            for item in items {
                expand_at(app, ctx, item, rest).await?;
            }
            return Ok(());
        }
        let Some(slot) = value.get_mut(*field) else { return Ok(()) };
        if let Some(id) = slot.as_str().map(str::to_owned) {
            *slot = object(app, ctx, &id).await?;
        }
        expand_at(app, ctx, slot, rest).await
    })
}

/// The object an id names, in Stripe's shape.
async fn object(app: &App, ctx: &Ctx, id: &str) -> AppResult<Value> {
    if id.starts_with("pi_") {
        return Ok(render::payment_intent(app, &app.get_payment_intent(ctx, id).await?));
    }
    if id.starts_with("ch_") {
        let pi = charges::payment_intent_of(app, ctx, id).await?;
        return charges::charge(app, &pi).ok_or_else(|| AppError::not_found("charge", id));
    }
    if id.starts_with("cus_") {
        return Ok(render::customer(&app.get_customer(ctx, id).await?));
    }
    if let Some(body) = id.strip_prefix("seti_") {
        let token = app.get_token(ctx, &format!("tok_{body}")).await?;
        return Ok(super::payment_methods::setup_intent(&token));
    }
    if id.starts_with("tok_") || id.starts_with("pm_") {
        return super::payment_methods::find(app, ctx, id).await;
    }
    if id.starts_with("prod_") {
        return Ok(super::catalog::product(&app.get_product(ctx, id).await?));
    }
    if id.starts_with("re_") {
        return Ok(render::refund(&app.get_refund(ctx, id).await?));
    }
    // A reference that names no Kassa object (a customer reference from before customers):
    // left as it is.
    Ok(Value::String(id.to_owned()))
}
