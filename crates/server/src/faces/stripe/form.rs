//! Stripe's form encoding, read into a JSON tree of strings: `a[b][c]=v` nests objects,
//! `a[0]=x&a[1]=y` and `a[]=x&a[]=y` make arrays (`a[1][k]=v` arrays of objects), in the query
//! string (GET, DELETE) or the body (POST) alike. Values stay strings: the face's readers
//! ([`super::params::Params`]) give them their types, naming the parameter when one does not fit.

use serde_json::{Map, Value};

/// Why a form could not be read as parameters.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed(pub String);

/// One step of a parameter's path.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
    Append,
}

/// `a[b][0]` → `a`, `b`, 0.
fn path(name: &str) -> Result<Vec<Step<'_>>, Malformed> {
    let malformed = || Malformed(format!("Invalid parameter name: {name}"));
    let (head, mut rest) = match name.find('[') {
        Some(i) => (&name[..i], &name[i..]),
        None => (name, ""),
    };
    if head.is_empty() {
        return Err(malformed());
    }
    let mut steps = vec![Step::Key(head)];
    while !rest.is_empty() {
        let close = rest.find(']').filter(|_| rest.starts_with('[')).ok_or_else(malformed)?;
        let inner = &rest[1..close];
        steps.push(if inner.is_empty() {
            Step::Append
        } else if inner.bytes().all(|b| b.is_ascii_digit()) {
            Step::Index(inner.parse().map_err(|_| malformed())?)
        } else {
            Step::Key(inner)
        });
        rest = &rest[close + 1..];
    }
    Ok(steps)
}

/// Larger indexes are refused: an array is filled up to its index.
const MAX_INDEX: usize = 1000;

fn place(slot: &mut Value, steps: &[Step<'_>], value: String, name: &str) -> Result<(), Malformed> {
    let conflict = || Malformed(format!("Invalid parameter: {name} mixes shapes"));
    let Some((step, rest)) = steps.split_first() else {
        return match slot {
            Value::Null => {
                *slot = Value::String(value);
                Ok(())
            }
            _ => Err(conflict()),
        };
    };
    match step {
        Step::Key(key) => {
            if slot.is_null() {
                *slot = Value::Object(Map::new());
            }
            let object = slot.as_object_mut().ok_or_else(conflict)?;
            place(object.entry((*key).to_owned()).or_insert(Value::Null), rest, value, name)
        }
        Step::Index(i) => {
            if *i > MAX_INDEX {
                return Err(Malformed(format!("Invalid array index in {name}")));
            }
            if slot.is_null() {
                *slot = Value::Array(Vec::new());
            }
            let array = slot.as_array_mut().ok_or_else(conflict)?;
            if array.len() <= *i {
                array.resize(i + 1, Value::Null);
            }
            place(&mut array[*i], rest, value, name)
        }
        Step::Append => {
            if slot.is_null() {
                *slot = Value::Array(Vec::new());
            }
            let array = slot.as_array_mut().ok_or_else(conflict)?;
            // `a[][k]=1&a[][j]=2` is one element per `[]`, as Rack and PHP read it.
            array.push(Value::Null);
            let last = array.len() - 1;
            place(&mut array[last], rest, value, name)
        }
    }
}

/// Reads `a=1&b[c]=2` (URL-encoded) into a tree of strings. Holes a sparse index leaves
/// (`a[2]` without `a[0]`) are refused.
pub fn parse(encoded: &[u8]) -> Result<Map<String, Value>, Malformed> {
    let mut root = Value::Object(Map::new());
    for (name, value) in form_urlencoded::parse(encoded) {
        place(&mut root, &path(&name)?, value.into_owned(), &name)?;
    }
    let Value::Object(map) = root else { unreachable!("the root is an object") };
    if let Some(name) = map.iter().find_map(|(k, v)| has_hole(v).then_some(k)) {
        return Err(Malformed(format!("Invalid array in {name}: its indexes must start at 0 and leave no gap")));
    }
    Ok(map)
}

fn has_hole(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().any(|v| v.is_null() || has_hole(v)),
        Value::Object(map) => map.values().any(has_hole),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(s: &str) -> Value {
        Value::Object(parse(s.as_bytes()).unwrap())
    }

    #[test]
    fn nests_objects_and_arrays_as_stripe_node_and_other_sdks_send_them() {
        assert_eq!(
            read("amount=2000&metadata[order]=6735&expand[0]=customer&expand[1]=data.product"),
            json!({"amount": "2000", "metadata": {"order": "6735"}, "expand": ["customer", "data.product"]})
        );
        assert_eq!(
            read("line_items[0][price]=price_1&line_items[0][quantity]=2&line_items[1][price_data][unit_amount]=5"),
            json!({"line_items": [{"price": "price_1", "quantity": "2"}, {"price_data": {"unit_amount": "5"}}]})
        );
        assert_eq!(read("expand[]=a&expand[]=b"), json!({"expand": ["a", "b"]}));
        assert_eq!(read("metadata%5Bk%5D=v&description="), json!({"metadata": {"k": "v"}, "description": ""}));
    }

    #[test]
    fn refuses_what_cannot_be_one_tree() {
        for bad in ["a=1&a[b]=2", "a[b]=1&a=2", "a[0]=1&a[b]=2", "a[2]=x", "[x]=1", "a[b=1", "a[99999]=1"] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
