//! One statement, written once in portable SQL, run on whichever engine the pool is.
//!
//! sqlx types every query by its engine, and its engine-neutral `Any` driver cannot do what
//! [`super::sqlite`] must do to each connection (a Unicode `lower()`, refusing read-only files,
//! replacing a connection stuck in a transaction), copies every row into an intermediate form,
//! and writes `?` placeholders, which PostgreSQL does not read. So a [`Query`] keeps its SQL and
//! its values until it knows where it runs, then hands both to sqlx's own driver for that engine:
//! rows are decoded by sqlx, straight from the engine's row, into any type that derives
//! `sqlx::FromRow`. Placeholders are `$1`, `$2` … on both engines (SQLite reads them too).

use super::{Pool, Transaction};
use sqlx::postgres::{PgRow, Postgres};
use sqlx::sqlite::{Sqlite, SqliteRow};
use sqlx::{AssertSqlSafe, Database, Encode, Type};
use std::borrow::Cow;

/// A value bound to a placeholder. The columns hold integers and text only (timestamps are Unix
/// milliseconds, flags 0 or 1, lists JSON or space-separated text).
#[derive(Clone, Debug)]
pub enum Arg<'q> {
    Int(Option<i64>),
    Text(Option<Cow<'q, str>>),
}

/// A row type both engines can decode: any `#[derive(sqlx::FromRow)]` struct or tuple of
/// integers, text and the types of `server::stored`.
pub trait Row:
    Send + Unpin + for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow>
{
}
impl<T> Row for T where
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow>
{
}

/// Where a statement runs: on a pooled connection, or inside a transaction.
pub enum On<'e, 'c: 'e> {
    Pool(&'e Pool),
    Transaction(&'e mut Transaction<'c>),
}

impl<'e> From<&'e Pool> for On<'e, 'static> {
    fn from(pool: &'e Pool) -> Self {
        On::Pool(pool)
    }
}

impl<'e, 'c: 'e> From<&'e mut Transaction<'c>> for On<'e, 'c> {
    fn from(tx: &'e mut Transaction<'c>) -> Self {
        On::Transaction(tx)
    }
}

/// What a statement that returns no rows did.
#[derive(Clone, Copy, Debug)]
pub struct Executed {
    rows_affected: u64,
}

impl Executed {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// A statement and the values of its placeholders.
#[derive(Clone, Debug)]
pub struct Query<'q> {
    sql: Cow<'static, str>,
    args: Vec<Arg<'q>>,
    /// Every placeholder came from [`Query::push_bind`]: `$1`, `$2` … in the text's order, each
    /// once, so SQLite may be given anonymous `?` instead (see [`anonymous_placeholders`]).
    pushed_only: bool,
}

/// A statement written in the code.
pub fn query<'q>(sql: &'static str) -> Query<'q> {
    Query {
        sql: Cow::Borrowed(sql),
        args: Vec::new(),
        pushed_only: false,
    }
}

/// `sql` with each `$N` outside quotes replaced by `?`. SQLite looks a named placeholder up by a
/// linear scan of the statement's names, both when preparing it and when sqlx binds each value,
/// so a statement of n `$N` placeholders costs n² (the request log's multi-row inserts: a fifth of
/// the server's CPU under load at 6,000 placeholders); anonymous ones are numbered as they come.
fn anonymous_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '$' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
            while chars.next_if(char::is_ascii_digit).is_some() {}
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs the same sqlx call (`fetch_all` …) for rows of type `$row` on the engine `$on` names.
macro_rules! dispatch {
    ($query:expr, $on:expr, $row:ty, $call:ident) => {
        match $on.into() {
            On::Pool(Pool::Sqlite(pool)) => $query.sqlite::<$row>().$call(pool).await,
            On::Pool(Pool::Postgres(pool)) => $query.postgres::<$row>().$call(pool).await,
            On::Transaction(Transaction::Sqlite(tx)) => {
                $query.sqlite::<$row>().$call(&mut **tx).await
            }
            On::Transaction(Transaction::Postgres(tx)) => {
                $query.postgres::<$row>().$call(&mut **tx).await
            }
        }
    };
}

impl<'q> Query<'q> {
    /// A statement put together at run time (a list's filters, a chosen order). Values still go
    /// through [`Query::push_bind`], never into the text.
    pub fn build(start: &str) -> Query<'q> {
        Query {
            sql: Cow::Owned(start.to_owned()),
            args: Vec::new(),
            pushed_only: !start.contains('$'),
        }
    }

    /// Binds the next placeholder (`$1`, then `$2` …) written in the statement.
    pub fn bind(mut self, value: impl Into<Arg<'q>>) -> Self {
        self.args.push(value.into());
        self.pushed_only = false;
        self
    }

    /// Appends SQL text.
    pub fn push(&mut self, sql: impl AsRef<str>) -> &mut Self {
        let sql = sql.as_ref();
        self.pushed_only &= !sql.contains('$');
        self.sql.to_mut().push_str(sql);
        self
    }

    /// Appends the next placeholder and binds `value` to it.
    pub fn push_bind(&mut self, value: impl Into<Arg<'q>>) -> &mut Self {
        self.args.push(value.into());
        let placeholder = format!("${}", self.args.len());
        self.sql.to_mut().push_str(&placeholder);
        self
    }

    /// Appends placeholders for `values`, separated by commas (the inside of `in (…)`).
    pub fn push_list<V: Into<Arg<'q>>>(
        &mut self,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        for (index, value) in values.into_iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.push_bind(value);
        }
        self
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub async fn execute<'e, 'c: 'e>(
        self,
        on: impl Into<On<'e, 'c>>,
    ) -> Result<Executed, sqlx::Error> {
        let rows_affected = match on.into() {
            On::Pool(Pool::Sqlite(pool)) => {
                self.sqlite_plain().execute(pool).await?.rows_affected()
            }
            On::Pool(Pool::Postgres(pool)) => {
                self.postgres_plain().execute(pool).await?.rows_affected()
            }
            On::Transaction(Transaction::Sqlite(tx)) => self
                .sqlite_plain()
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            On::Transaction(Transaction::Postgres(tx)) => self
                .postgres_plain()
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        };
        Ok(Executed { rows_affected })
    }

    pub async fn fetch_one<'e, 'c: 'e, T: Row>(
        self,
        on: impl Into<On<'e, 'c>>,
    ) -> Result<T, sqlx::Error> {
        dispatch!(self, on, T, fetch_one)
    }

    pub async fn fetch_optional<'e, 'c: 'e, T: Row>(
        self,
        on: impl Into<On<'e, 'c>>,
    ) -> Result<Option<T>, sqlx::Error> {
        dispatch!(self, on, T, fetch_optional)
    }

    pub async fn fetch_all<'e, 'c: 'e, T: Row>(
        self,
        on: impl Into<On<'e, 'c>>,
    ) -> Result<Vec<T>, sqlx::Error> {
        dispatch!(self, on, T, fetch_all)
    }

    fn sqlite<T: Row>(
        self,
    ) -> sqlx::query::QueryAs<'q, Sqlite, T, <Sqlite as Database>::Arguments> {
        self.for_sqlite().typed::<Sqlite, T>()
    }

    /// The statement as SQLite is given it: anonymous placeholders where that is safe.
    fn for_sqlite(mut self) -> Self {
        if self.pushed_only && !self.args.is_empty() {
            self.sql = Cow::Owned(anonymous_placeholders(&self.sql));
        }
        self
    }

    fn postgres<T: Row>(
        self,
    ) -> sqlx::query::QueryAs<'q, Postgres, T, <Postgres as Database>::Arguments> {
        self.typed::<Postgres, T>()
    }

    fn typed<DB, T>(self) -> sqlx::query::QueryAs<'q, DB, T, DB::Arguments>
    where
        DB: Database,
        T: for<'r> sqlx::FromRow<'r, DB::Row>,
        Option<i64>: Encode<'q, DB> + Type<DB>,
        Option<Cow<'q, str>>: Encode<'q, DB> + Type<DB>,
    {
        let mut query = sqlx::query_as::<DB, T>(AssertSqlSafe(self.sql));
        for arg in self.args {
            query = match arg {
                Arg::Int(value) => query.bind(value),
                Arg::Text(value) => query.bind(value),
            };
        }
        query
    }

    fn sqlite_plain(self) -> sqlx::query::Query<'q, Sqlite, <Sqlite as Database>::Arguments> {
        self.for_sqlite().plain::<Sqlite>()
    }

    fn postgres_plain(self) -> sqlx::query::Query<'q, Postgres, <Postgres as Database>::Arguments> {
        self.plain::<Postgres>()
    }

    fn plain<DB>(self) -> sqlx::query::Query<'q, DB, DB::Arguments>
    where
        DB: Database,
        Option<i64>: Encode<'q, DB> + Type<DB>,
        Option<Cow<'q, str>>: Encode<'q, DB> + Type<DB>,
    {
        let mut query = sqlx::query::<DB>(AssertSqlSafe(self.sql));
        for arg in self.args {
            query = match arg {
                Arg::Int(value) => query.bind(value),
                Arg::Text(value) => query.bind(value),
            };
        }
        query
    }
}

impl From<i64> for Arg<'_> {
    fn from(value: i64) -> Self {
        Arg::Int(Some(value))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(value: Option<i64>) -> Self {
        Arg::Int(value)
    }
}

impl<'q> From<&'q str> for Arg<'q> {
    fn from(value: &'q str) -> Self {
        Arg::Text(Some(Cow::Borrowed(value)))
    }
}

impl<'q> From<&'q String> for Arg<'q> {
    fn from(value: &'q String) -> Self {
        Arg::Text(Some(Cow::Borrowed(value)))
    }
}

impl From<String> for Arg<'_> {
    fn from(value: String) -> Self {
        Arg::Text(Some(Cow::Owned(value)))
    }
}

impl<'q> From<Option<&'q str>> for Arg<'q> {
    fn from(value: Option<&'q str>) -> Self {
        Arg::Text(value.map(Cow::Borrowed))
    }
}

impl From<Option<String>> for Arg<'_> {
    fn from(value: Option<String>) -> Self {
        Arg::Text(value.map(Cow::Owned))
    }
}

impl From<crate::domain::scope_set::ScopeSet> for Arg<'_> {
    fn from(value: crate::domain::scope_set::ScopeSet) -> Self {
        Arg::Text(Some(Cow::Owned(value.stored())))
    }
}

impl From<Option<crate::domain::scope_set::ScopeSet>> for Arg<'_> {
    fn from(value: Option<crate::domain::scope_set::ScopeSet>) -> Self {
        Arg::Text(value.map(|scopes| Cow::Owned(scopes.stored())))
    }
}

impl From<&i64> for Arg<'_> {
    fn from(value: &i64) -> Self {
        Arg::Int(Some(*value))
    }
}

impl<'q> From<&&'q str> for Arg<'q> {
    fn from(value: &&'q str) -> Self {
        Arg::Text(Some(Cow::Borrowed(*value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_placeholders_replace_each_dollar_number_outside_quotes() {
        assert_eq!(
            anonymous_placeholders("select '$1', x from t where a = $1 and b in ($2, $13)"),
            "select '$1', x from t where a = ? and b in (?, ?)"
        );
    }

    #[test]
    fn only_statements_built_from_pushed_placeholders_go_anonymous() {
        let mut built = Query::build("select x from t where a = ");
        built.push_bind(1_i64).push(" and b = ").push_bind("two");
        assert_eq!(
            built.for_sqlite().sql(),
            "select x from t where a = ? and b = ?"
        );
        let written = query("select x from t where a = $2 and b = $1")
            .bind(1_i64)
            .bind(2_i64);
        assert_eq!(
            written.for_sqlite().sql(),
            "select x from t where a = $2 and b = $1"
        );
        let mut mixed = Query::build("select x from t where a = $1");
        mixed.push(" and b = $2");
        assert!(mixed
            .bind(1_i64)
            .bind(2_i64)
            .for_sqlite()
            .sql()
            .contains("$2"));
    }
}
