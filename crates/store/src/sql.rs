//! Building statements whose filters depend on the request, with `$N` placeholders (which both
//! SQLite and PostgreSQL accept; sqlx's `QueryBuilder` would emit `?` under `Any`).

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe};

/// A value to bind.
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

/// SQL text plus its arguments, numbered as they are pushed.
pub(crate) struct SqlBuilder {
    sql: String,
    args: Vec<Arg>,
}

impl SqlBuilder {
    pub(crate) fn new(sql: &str) -> Self {
        SqlBuilder { sql: sql.to_owned(), args: Vec::new() }
    }

    /// Appends literal SQL (never user input).
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder bound to `arg`.
    pub(crate) fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.sql.push('$');
        self.sql.push_str(&self.args.len().to_string());
        self
    }

    pub(crate) fn int(&mut self, v: i64) -> &mut Self {
        self.bind(Arg::Int(v))
    }

    pub(crate) fn text(&mut self, v: impl Into<String>) -> &mut Self {
        self.bind(Arg::Text(v.into()))
    }

    pub(crate) fn build(self) -> Query<'static, Any, AnyArguments> {
        // Only literal SQL is pushed; every value is a bound argument.
        let mut q = sqlx::query(AssertSqlSafe(self.sql));
        for arg in self.args {
            q = match arg {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
            };
        }
        q
    }
}
