//! Reading a JSON object field by field, collecting every problem.
//!
//! Each read takes a field out of the object and returns `Some(value)` if it is present and
//! valid; a problem is recorded and reading goes on, so one response names every invalid
//! field. Whatever is left at [`Fields::finish`] is an unknown field: typos never pass
//! silently. `null` counts as absent.

use crate::app::{AppError, FieldError};
use kassa_domain::{Amount, Invalid};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Whether `s` holds a control character no field needs: anything but tab, line feed and
/// carriage return (a NUL, say, which PostgreSQL cannot even store in text).
pub fn has_control_characters(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The refusal of a string with control characters.
pub fn control_characters() -> Invalid {
    Invalid::new("invalid_characters", "Must not contain control characters.")
}

/// The fields of one JSON object (or of a nested one).
pub struct Fields {
    map: Map<String, Value>,
    prefix: Option<String>,
    errors: Vec<FieldError>,
}

impl Fields {
    /// Fields of a top-level object.
    pub fn new(map: Map<String, Value>) -> Fields {
        Fields { map, prefix: None, errors: Vec::new() }
    }

    /// The parameter name of `field` in bracket notation.
    pub fn param(&self, field: &str) -> String {
        match &self.prefix {
            Some(p) => format!("{p}[{field}]"),
            None => field.to_owned(),
        }
    }

    /// Records a problem with `field`.
    pub fn reject(&mut self, field: &str, invalid: Invalid) {
        let param = self.param(field);
        self.errors.push(FieldError::new(param, invalid));
    }

    fn take(&mut self, field: &str) -> Option<Value> {
        self.map.remove(field).filter(|v| !v.is_null())
    }

    fn missing(&mut self, field: &str) {
        self.reject(
            field,
            Invalid::new("parameter_missing", format!("Missing required parameter: {}.", self.param(field))),
        );
    }

    /// A string of at most `max_chars` characters, without control characters (tabs and
    /// line breaks aside).
    pub fn string(&mut self, field: &str, max_chars: usize) -> Option<String> {
        match self.take(field)? {
            Value::String(s) if has_control_characters(&s) => {
                self.reject(field, control_characters());
                None
            }
            Value::String(s) if s.chars().count() <= max_chars => Some(s),
            Value::String(_) => {
                self.reject(field, Invalid::new("string_too_long", format!("Must be at most {max_chars} characters.")));
                None
            }
            _ => {
                self.reject(field, Invalid::new("parameter_invalid_string", "Must be a string."));
                None
            }
        }
    }

    /// A string that must be present.
    pub fn required_string(&mut self, field: &str, max_chars: usize) -> Option<String> {
        if !self.has(field) {
            self.missing(field);
            return None;
        }
        self.string(field, max_chars)
    }

    /// A string turned into a domain value by `parse`.
    pub fn parsed<T>(&mut self, field: &str, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Option<T> {
        let s = self.string(field, 255)?;
        parse(&s).map_err(|e| self.reject(field, e)).ok()
    }

    /// Like [`Fields::parsed`], for a string of at most `max` characters.
    pub fn parsed_within<T>(
        &mut self,
        field: &str,
        max: usize,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        let s = self.string(field, max)?;
        parse(&s).map_err(|e| self.reject(field, e)).ok()
    }

    /// Like [`Fields::parsed`], for a field that must be present.
    pub fn required_parsed<T>(&mut self, field: &str, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Option<T> {
        if !self.has(field) {
            self.missing(field);
            return None;
        }
        self.parsed(field, parse)
    }

    /// An integer within `min..=max`. Decimals (`10.0`, `1e3`) are refused, never rounded.
    pub fn integer(&mut self, field: &str, min: i64, max: i64, code: &'static str) -> Option<i64> {
        let value = self.take(field)?;
        let n = match &value {
            Value::Number(n) if n.is_i64() => n.as_i64(),
            _ => None,
        };
        match n {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(_) => {
                self.reject(field, Invalid::new(code, format!("Must be an integer from {min} to {max}.")));
                None
            }
            None => {
                let what = if value.is_number() { "a whole number" } else { "an integer" };
                self.reject(field, Invalid::new(code, format!("Must be {what} from {min} to {max}.")));
                None
            }
        }
    }

    /// An amount in minor units: a JSON integer, positive and within Kassa's maximum.
    pub fn amount(&mut self, field: &str) -> Option<Amount> {
        let value = self.take(field)?;
        let parsed = match &value {
            Value::Number(n) if n.is_i64() => Amount::new(n.as_i64().unwrap_or(0)),
            Value::Number(n) if n.is_u64() => Amount::new(i64::MAX),
            Value::Number(_) => Err(Invalid::new(
                "invalid_amount",
                "Amount must be an integer in the currency's minor unit (e.g. 2599 for 25.99 USD), not a decimal.",
            )),
            _ => Err(Invalid::new("invalid_amount", "Amount must be an integer in the currency's minor unit.")),
        };
        parsed.map_err(|e| self.reject(field, e)).ok()
    }

    /// An amount that must be present.
    pub fn required_amount(&mut self, field: &str) -> Option<Amount> {
        if !self.has(field) {
            self.missing(field);
            return None;
        }
        self.amount(field)
    }

    /// An integer that must be present.
    pub fn required_integer(&mut self, field: &str, min: i64, max: i64, code: &'static str) -> Option<i64> {
        if !self.has(field) {
            self.missing(field);
            return None;
        }
        self.integer(field, min, max, code)
    }

    /// Whether `field` is present (and not `null`).
    pub fn has(&self, field: &str) -> bool {
        self.map.get(field).is_some_and(|v| !v.is_null())
    }

    /// `true` or `false`.
    pub fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.take(field)? {
            Value::Bool(b) => Some(b),
            _ => {
                self.reject(field, Invalid::new("parameter_invalid_boolean", "Must be true or false."));
                None
            }
        }
    }

    /// An object of string values (metadata). Limits are checked by the caller, which knows
    /// whether it creates or merges.
    pub fn string_map(&mut self, field: &str) -> Option<BTreeMap<String, String>> {
        match self.take(field)? {
            Value::Object(map) => {
                let mut out = BTreeMap::new();
                for (k, v) in map {
                    match v {
                        Value::String(s) if has_control_characters(&k) || has_control_characters(&s) => {
                            let param = format!("{}[{k}]", self.param(field));
                            self.errors.push(FieldError::new(param, control_characters()));
                        }
                        Value::String(s) => {
                            out.insert(k, s);
                        }
                        _ => {
                            let param = format!("{}[{k}]", self.param(field));
                            self.errors.push(FieldError::new(
                                param,
                                Invalid::new("invalid_metadata", "Metadata values must be strings."),
                            ));
                        }
                    }
                }
                Some(out)
            }
            _ => {
                self.reject(field, Invalid::new("invalid_metadata", "Metadata must be an object of strings."));
                None
            }
        }
    }

    /// Any JSON value, for the caller to interpret.
    pub fn json(&mut self, field: &str) -> Option<Value> {
        self.take(field)
    }

    /// A nested object; read it, then hand it back with [`Fields::absorb`].
    pub fn object(&mut self, field: &str) -> Option<Fields> {
        match self.take(field)? {
            Value::Object(map) => Some(Fields { map, prefix: Some(self.param(field)), errors: Vec::new() }),
            _ => {
                self.reject(field, Invalid::new("parameter_invalid_object", "Must be an object."));
                None
            }
        }
    }

    /// A list of objects; each is read like [`Fields::object`] (`field[0][name]` …) and handed
    /// back with [`Fields::absorb`].
    pub fn objects(&mut self, field: &str) -> Option<Vec<Fields>> {
        let prefix = self.param(field);
        match self.take(field)? {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        Value::Object(map) => {
                            out.push(Fields { map, prefix: Some(format!("{prefix}[{i}]")), errors: Vec::new() })
                        }
                        _ => self.errors.push(FieldError::new(
                            format!("{prefix}[{i}]"),
                            Invalid::new("parameter_invalid_object", "Must be an object."),
                        )),
                    }
                }
                Some(out)
            }
            _ => {
                self.reject(field, Invalid::new("parameter_invalid_array", "Must be a list."));
                None
            }
        }
    }

    /// Takes over a nested object's problems, its unknown fields included.
    pub fn absorb(&mut self, mut child: Fields) {
        child.flag_unknown();
        self.errors.append(&mut child.errors);
    }

    /// Drops the fields not read: for wire formats whose objects may carry extra properties.
    pub fn allow_unknown(&mut self) {
        self.map.clear();
    }

    /// Accepts `names` unread: fields a provider's SDK is documented to send that Kassa has no
    /// use for. Any other field not read is still refused as unknown.
    pub fn ignore(&mut self, names: &[&str]) {
        for name in names {
            self.map.remove(*name);
        }
    }

    /// Whether anything was wrong so far.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    fn flag_unknown(&mut self) {
        let unknown: Vec<String> = self.map.keys().cloned().collect();
        for field in unknown {
            let param = self.param(&field);
            self.errors.push(FieldError::new(
                param.clone(),
                Invalid::new("parameter_unknown", format!("Received unknown parameter: {param}.")),
            ));
        }
        self.map.clear();
    }

    /// Ends reading: any problem, unknown fields included, becomes one validation error
    /// listing them all.
    pub fn finish(mut self) -> Result<(), AppError> {
        self.flag_unknown();
        if self.errors.is_empty() { Ok(()) } else { Err(AppError::validation(self.errors)) }
    }
}

/// Unwraps a value [`Fields::finish`] has vouched for.
pub fn vouched<T>(value: Option<T>) -> Result<T, AppError> {
    value.ok_or_else(|| AppError::internal("a required field passed validation without a value"))
}
