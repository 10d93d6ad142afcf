//! Stripe's search query language, the subset its SDK users write: `field:"value"` (exact, any
//! case), `field~"sub"` (substring, 3 characters at least), `field>n`, `<`, `>=`, `<=` on numbers
//! and `created`, `metadata["key"]:"value"`, `-` before a clause to negate it, and clauses joined
//! by `AND` or by `OR` (not both, at most 10), as Stripe's reference says. Kassa scans the
//! merchant's objects newest first and keeps those that match; `next_page` is where the scan
//! stopped.

use kassa_domain::Invalid;

/// A field of the searched object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A named field (`email`, `amount` …).
    Named(String),
    /// `metadata["key"]`.
    Metadata(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equals,
    Contains,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

/// A value in a query, or of an object's field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// Text.
    Text(String),
    /// An integer (amounts; `created` in unix seconds).
    Number(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Clause {
    negated: bool,
    field: Field,
    op: Op,
    value: Term,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    clauses: Vec<Clause>,
    any: bool,
}

const MAX_CLAUSES: usize = 10;

fn invalid(why: impl Into<String>) -> Invalid {
    Invalid::new("parameter_invalid", why.into())
}

impl Query {
    /// Parses `q`, whose fields must be among `fields` (or `metadata[…]`).
    pub fn parse(q: &str, fields: &[&str]) -> Result<Query, Invalid> {
        let mut rest = q.trim();
        let mut clauses = Vec::new();
        let mut joins = Vec::new();
        loop {
            let (clause, after) = clause(rest, fields)?;
            clauses.push(clause);
            rest = after.trim_start();
            if rest.is_empty() {
                break;
            }
            let (word, after) = rest
                .split_once(char::is_whitespace)
                .ok_or_else(|| invalid(format!("Expected AND or OR before `{rest}`.")))?;
            match word {
                "AND" | "OR" => joins.push(word),
                _ => return Err(invalid(format!("Expected AND or OR, found `{word}`."))),
            }
            rest = after.trim_start();
        }
        if clauses.len() > MAX_CLAUSES {
            return Err(invalid(format!("A query has at most {MAX_CLAUSES} clauses.")));
        }
        if joins.contains(&"AND") && joins.contains(&"OR") {
            return Err(invalid("A query joins its clauses with AND or with OR, not both."));
        }
        Ok(Query { clauses, any: joins.first() == Some(&"OR") })
    }

    /// Whether an object whose fields `get` reads matches.
    pub fn matches(&self, get: impl Fn(&Field) -> Option<Term>) -> bool {
        let hit = |c: &Clause| {
            let found = get(&c.field).is_some_and(|v| holds(&v, c.op, &c.value));
            found != c.negated
        };
        if self.any { self.clauses.iter().any(hit) } else { self.clauses.iter().all(hit) }
    }
}

fn holds(actual: &Term, op: Op, wanted: &Term) -> bool {
    match (actual, wanted) {
        (Term::Text(a), Term::Text(w)) => match op {
            Op::Equals => a.to_lowercase() == w.to_lowercase(),
            Op::Contains => a.to_lowercase().contains(&w.to_lowercase()),
            _ => false,
        },
        (Term::Number(a), Term::Number(w)) => match op {
            Op::Equals => a == w,
            Op::Greater => a > w,
            Op::GreaterOrEqual => a >= w,
            Op::Less => a < w,
            Op::LessOrEqual => a <= w,
            Op::Contains => false,
        },
        (Term::Text(a), Term::Number(w)) => op == Op::Equals && a == &w.to_string(),
        (Term::Number(_), Term::Text(_)) => false,
    }
}

/// One clause at the start of `s`, and what follows it.
fn clause<'a>(s: &'a str, fields: &[&str]) -> Result<(Clause, &'a str), Invalid> {
    let (negated, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (field, s) = if let Some(rest) = s.strip_prefix("metadata[\"") {
        let (key, rest) = rest.split_once("\"]").ok_or_else(|| invalid("Close metadata[\"…\"]."))?;
        (Field::Metadata(key.to_owned()), rest)
    } else {
        let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
        let name = &s[..end];
        if !fields.contains(&name) {
            return Err(invalid(format!(
                "`{name}` is not a field this search knows (it knows {}).",
                fields.join(", ")
            )));
        }
        (Field::Named(name.to_owned()), &s[end..])
    };
    let (op, s) = [
        (">=", Op::GreaterOrEqual),
        ("<=", Op::LessOrEqual),
        (":", Op::Equals),
        ("~", Op::Contains),
        (">", Op::Greater),
        ("<", Op::Less),
    ]
    .into_iter()
    .find_map(|(token, op)| s.strip_prefix(token).map(|rest| (op, rest)))
    .ok_or_else(|| invalid("Expected :, ~, >, <, >= or <= after the field."))?;
    let (value, rest) = if let Some(quoted) = s.strip_prefix('"') {
        let end = quoted.find('"').ok_or_else(|| invalid("Close the quoted value."))?;
        (Term::Text(quoted[..end].to_owned()), &quoted[end + 1..])
    } else {
        let end = s.find(char::is_whitespace).unwrap_or(s.len());
        let raw = &s[..end];
        let number = raw.parse::<i64>().map_err(|_| invalid(format!("Quote text values: \"{raw}\".")))?;
        (Term::Number(number), &s[end..])
    };
    if op == Op::Contains && matches!(&value, Term::Text(t) if t.chars().count() < 3) {
        return Err(invalid("A substring search (~) takes at least 3 characters."));
    }
    Ok((Clause { negated, field, op, value }, rest))
}

/// A search request, read: `query` (over `fields`), `limit` (1–100, 10 by default), `page`
/// (an earlier answer's `next_page`) and `expand[]`.
pub struct SearchRequest {
    /// The query.
    pub query: Query,
    /// How many to answer.
    pub limit: usize,
    /// Where the scan carries on.
    pub from: Option<crate::app::PageToken>,
    /// What to expand in the answer.
    pub expand: Vec<String>,
}

impl SearchRequest {
    /// Reads a search's query string.
    pub fn read(raw: Option<String>, fields: &[&str]) -> Result<SearchRequest, crate::app::AppError> {
        let mut f =
            super::params::read(raw.unwrap_or_default().as_bytes(), &[("limit", super::params::Kind::Integer)])?;
        let query = f.required_parsed("query", |q| Query::parse(q, fields));
        let limit = f.integer("limit", 1, 100, "limit_out_of_range").unwrap_or(10) as usize;
        let from = f.parsed("page", |p| {
            crate::app::PageToken::parse(p)
                .map_err(|_| Invalid::new("parameter_invalid", "Give the next_page of an earlier search."))
        });
        let expand = super::params::finish(f, true)?;
        Ok(SearchRequest { query: crate::http::fields::vouched(query)?, limit, from, expand })
    }

    /// The answer: `{object: "search_result", data, has_more, next_page, url}`.
    pub fn answer(url: &str, data: Vec<serde_json::Value>, next: Option<String>) -> serde_json::Value {
        serde_json::json!({"object": "search_result", "data": data, "has_more": next.is_some(), "next_page": next,
            "url": url})
    }
}

/// How many objects one search request reads at most before it answers with where it stopped.
const MAX_SCANNED: usize = 10_000;

/// Scans pages (newest first, from `from`) for `limit` objects that `hit` keeps. Answers them
/// and, when more may follow, the cursor to carry on from (Stripe's `next_page`).
pub async fn scan<T, Fetch, Fut>(
    limit: usize,
    from: Option<crate::app::PageToken>,
    mut fetch: Fetch,
    hit: impl Fn(&T) -> bool,
    cursor: impl Fn(&T) -> String,
) -> crate::app::AppResult<(Vec<T>, Option<String>)>
where
    Fetch: FnMut(crate::app::PageRequest) -> Fut,
    Fut: std::future::Future<Output = crate::app::AppResult<crate::app::Page<T>>>,
{
    let mut found = Vec::new();
    let mut after = from;
    let mut scanned = 0;
    loop {
        let page = crate::app::PageRequest { limit: 100, after: after.take(), order: crate::app::Order::NewestFirst };
        let page = fetch(page).await?;
        let last_page = page.next.is_none();
        let count = page.items.len();
        for (i, item) in page.items.into_iter().enumerate() {
            scanned += 1;
            let at_end = last_page && i + 1 == count;
            let here = cursor(&item);
            if hit(&item) {
                found.push(item);
            }
            if found.len() == limit || scanned >= MAX_SCANNED {
                return Ok((found, (!at_end).then_some(here)));
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok((found, None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[&str] = &["email", "name", "created", "amount"];

    fn object(field: &Field) -> Option<Term> {
        match field {
            Field::Named(n) if n == "email" => Some(Term::Text("Ada@Example.com".into())),
            Field::Named(n) if n == "name" => Some(Term::Text("Ada Lovelace".into())),
            Field::Named(n) if n == "amount" => Some(Term::Number(2000)),
            Field::Metadata(k) if k == "tier" => Some(Term::Text("gold".into())),
            _ => None,
        }
    }

    fn hits(q: &str) -> bool {
        Query::parse(q, FIELDS).unwrap().matches(object)
    }

    #[test]
    fn clauses_match_as_stripe_documents_them() {
        assert!(hits(r#"email:"ada@example.com""#));
        assert!(hits(r#"name~"love" AND amount>1999 AND amount<=2000"#));
        assert!(!hits(r#"name~"love" AND amount>2000"#));
        assert!(hits(r#"email:"nobody@example.com" OR metadata["tier"]:"gold""#));
        assert!(hits(r#"-metadata["tier"]:"silver""#));
        assert!(!hits(r#"-email:"ada@example.com""#));
        assert!(!hits(r#"metadata["missing"]:"x""#));
    }

    #[test]
    fn what_stripe_refuses_is_refused() {
        for bad in [
            r#"colour:"red""#,
            r#"email:"a" AND name:"b" OR amount:1"#,
            r#"name~"ab""#,
            "email:ada",
            r#"email:"open"#,
            r#"email:"a" NOT name:"b""#,
        ] {
            assert!(Query::parse(bad, FIELDS).is_err(), "{bad}");
        }
    }
}
