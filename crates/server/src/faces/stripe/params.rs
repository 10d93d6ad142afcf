//! A Stripe form read as the gateway's field readers read JSON: the strings Stripe's encoding
//! carries are given the types the route expects, `""` (Stripe's "unset") counts as absent,
//! and every bad or unknown parameter is named, as on every face.

use super::form;
use crate::app::{AppError, ErrorKind};
use crate::http::fields::Fields;
use serde_json::{Number, Value};

/// What type a parameter has on the wire's other side.
#[derive(Clone, Copy)]
pub enum Kind {
    /// An integer (amounts, limits).
    Integer,
    /// `true` or `false`.
    Boolean,
}

/// Reads an encoded form (a body or a query string), giving `typed` parameters their types.
/// Strings that are not of their type stay strings, for the readers to refuse by name. An
/// empty top-level value is Stripe's "unset": as if not sent (`metadata[k]=` stays, to delete
/// that key).
pub fn read(encoded: &[u8], typed: &[(&str, Kind)]) -> Result<Fields, AppError> {
    read_form(encoded, typed, false)
}

/// [`read`] for an update, where an empty value clears its field: it is kept, for the
/// readers to see.
pub fn read_update(encoded: &[u8], typed: &[(&str, Kind)]) -> Result<Fields, AppError> {
    read_form(encoded, typed, true)
}

fn read_form(encoded: &[u8], typed: &[(&str, Kind)], keep_empty: bool) -> Result<Fields, AppError> {
    let mut map = form::parse(encoded)
        .map_err(|form::Malformed(why)| AppError::new(ErrorKind::BadRequest, "parameter_invalid_string", why))?;
    if !keep_empty {
        map.retain(|_, v| v.as_str() != Some(""));
    }
    for (name, kind) in typed {
        let path: Vec<&str> = name.split('.').collect();
        let Some((first, rest)) = path.split_first() else { continue };
        if let Some(value) = map.get_mut(*first) {
            coerce_at(value, rest, *kind);
        }
    }
    Ok(Fields::new(map))
}

/// Gives the value at `path` under `value` its type; `*` steps into every element of an array
/// (`line_items.*.quantity`).
fn coerce_at(value: &mut Value, path: &[&str], kind: Kind) {
    match path.split_first() {
        None => coerce(value, kind),
        Some((&"*", rest)) => {
            for item in value.as_array_mut().into_iter().flatten() {
                coerce_at(item, rest, kind);
            }
        }
        Some((key, rest)) => {
            if let Some(inner) = value.as_object_mut().and_then(|o| o.get_mut(*key)) {
                coerce_at(inner, rest, kind);
            }
        }
    }
}

fn coerce(slot: &mut Value, kind: Kind) {
    let Value::String(text) = slot else { return };
    let typed = match kind {
        Kind::Integer => text.parse::<i64>().ok().map(|n| Value::Number(Number::from(n))),
        Kind::Boolean => match text.as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
    };
    if let Some(typed) = typed {
        *slot = typed;
    }
}

/// `metadata`, within Kassa's limits (absent when not given or refused).
pub fn metadata(f: &mut Fields) -> Option<kassa_domain::Metadata> {
    let map = f.string_map("metadata")?;
    kassa_domain::Metadata::new(map).map_err(|e| f.reject("metadata", e)).ok()
}

/// `expand[]`: the fields to expand, read and left for the route to honour or refuse.
pub fn expand(f: &mut Fields) -> Vec<String> {
    match f.json("expand") {
        Some(Value::Array(items)) => items.into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        Some(Value::String(one)) => vec![one],
        _ => Vec::new(),
    }
}

/// Ends the reading: reads `expand[]`, names every bad or unknown parameter, and refuses an
/// expansion the face cannot make (`list`: the answer is a list, expanded under `data.`).
/// Returns the expansions for [`super::expanded`].
pub fn finish(mut f: Fields, list: bool) -> Result<Vec<String>, AppError> {
    let expand = expand(&mut f);
    f.finish()?;
    super::expand::check(&expand, list)?;
    Ok(expand)
}
