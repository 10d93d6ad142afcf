//! JSON that refuses what serde_json's `Value` lets through: an object with the same key twice
//! (`{"amount": 100, "amount": 200000}` would otherwise quietly mean the last one).

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses a JSON document, refusing duplicate keys in any object at any depth.
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<Strict>(bytes).map(|s| s.0)
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Strict, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let Strict(value) = access.next_value()?;
            if map.contains_key(&key) {
                return Err(de::Error::custom(format!("the key `{key}` appears twice")));
            }
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        for doc in [r#"{"a":1,"a":2}"#, r#"{"o":{"b":"x","b":"y"}}"#, r#"{"l":[{"c":1,"c":1}]}"#] {
            let err = from_slice(doc.as_bytes()).unwrap_err().to_string();
            assert!(err.contains("appears twice"), "{doc}: {err}");
        }
    }

    #[test]
    fn everything_else_reads_as_serde_json_reads_it() {
        for doc in [
            r#"{"amount":2599,"currency":"USD","x":null,"t":true,"f":-1.5e3,"big":18446744073709551615}"#,
            r#"{"nested":{"list":[1,"two",{"three":3.0}],"empty":{}}}"#,
            r#"{"s":"\u00e6\n\"q\""}"#,
            "[]",
        ] {
            assert_eq!(from_slice(doc.as_bytes()).unwrap(), serde_json::from_str::<Value>(doc).unwrap(), "{doc}");
        }
    }

    /// Any JSON document: scalars, and lists and objects of them, a few levels deep.
    fn documents() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let scalar = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| Value::Number(n.into())),
            any::<u64>().prop_map(|n| Value::Number(n.into())),
            any::<f64>().prop_filter_map("finite", Number::from_f64).prop_map(Value::Number),
            ".{0,12}".prop_map(Value::String),
        ];
        scalar.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(".{0,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_read_or_refused_without_a_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let strict = from_slice(&bytes);
            let loose = serde_json::from_slice::<Value>(&bytes);
            // Whatever serde_json refuses, this refuses too.
            proptest::prop_assert!(loose.is_ok() || strict.is_err());
        }

        #[test]
        fn a_document_without_repeated_keys_reads_as_serde_json_reads_it(doc in documents()) {
            let text = serde_json::to_vec(&doc).unwrap();
            proptest::prop_assert_eq!(from_slice(&text).unwrap(), serde_json::from_slice::<Value>(&text).unwrap());
        }

        #[test]
        fn a_key_given_twice_anywhere_is_refused(doc in documents(), key in "[a-z]{1,4}") {
            // Wrap the document in an object that repeats a key, at the top and one level down.
            let twice = format!(r#"{{"{key}":{doc},"{key}":1}}"#);
            proptest::prop_assert!(from_slice(twice.as_bytes()).is_err());
            let nested = format!(r#"{{"outer":[{{"{key}":null,"{key}":{doc}}}]}}"#);
            proptest::prop_assert!(from_slice(nested.as_bytes()).is_err());
        }
    }
}
