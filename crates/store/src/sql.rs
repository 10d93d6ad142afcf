//! Building statements whose filters depend on the request, with `$N` placeholders (which both
//! SQLite and PostgreSQL accept; sqlx's `QueryBuilder` would emit `?` under `Any`).

use crate::db::{Stmt, query};

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

    pub(crate) fn build(self) -> Stmt {
        // Only literal SQL is pushed; every value is a bound argument.
        let mut q = query(self.sql);
        for arg in self.args {
            q = match arg {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
            };
        }
        q
    }
}

/// Binds `id` and the scope to a statement ending in
/// `WHERE id = $1 AND merchant_id = $2 AND livemode = $3`.
pub(crate) fn by_id(sql: &'static str, id: &str, scope: &crate::Scope) -> Stmt {
    query(sql).bind(id.to_owned()).bind(scope.merchant_id.as_str().to_owned()).bind(crate::live_flag(scope.mode))
}

/// Marks the scope's row `id` deleted at `now`, by `sql` (an `UPDATE … SET deleted_at = $4 …
/// WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL`): the row stays
/// for what refers to it. `false` if the scope has no such row (or it was deleted already).
pub(crate) async fn soft_delete(
    tx: &mut crate::WriteTx,
    sql: &'static str,
    id: &str,
    scope: &crate::Scope,
    now: kassa_domain::Timestamp,
) -> crate::Result<bool> {
    let deleted = by_id(sql, id, scope).bind(now.micros()).execute(tx.conn()).await?.rows_affected();
    Ok(deleted == 1)
}

/// The statement that locks the rows it reads on this backend. SQLite needs no row lock:
/// its write transactions run one at a time.
pub(crate) fn locking(backend: crate::Backend, sqlite: &'static str, postgres: &'static str) -> &'static str {
    match backend {
        crate::Backend::Sqlite => sqlite,
        crate::Backend::Postgres => postgres,
    }
}

/// A list statement over one scope: `select` must end in `WHERE `.
pub(crate) fn scoped_list(select: &str, scope: &crate::Scope) -> SqlBuilder {
    let mut b = SqlBuilder::new(select);
    b.push("merchant_id = ")
        .text(scope.merchant_id.as_str())
        .push(" AND livemode = ")
        .int(crate::live_flag(scope.mode));
    b
}
