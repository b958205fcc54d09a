//! Numbered pages of a filtered list (the REST API's `page` and `per_page`).

use super::db::{Pool, Query, Row};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// From 1.
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    /// The page a query asked for: page 1 and `default_per_page` where it said nothing.
    pub fn asked(page: Option<i64>, per_page: Option<i64>, default_per_page: i64) -> PageRequest {
        PageRequest {
            page: page.unwrap_or(1),
            per_page: per_page.unwrap_or(default_per_page),
        }
    }

    pub fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

/// One page of a filtered list and the list's total. `queries` are the count and the row query,
/// both ending where `filter` continues them; rows are ordered by `order_by`.
pub async fn fetch_page<T>(
    pool: &Pool,
    queries: (&str, &str),
    filter: impl Fn(&mut Query<'_>),
    order_by: &str,
    page: PageRequest,
) -> Result<(Vec<T>, i64), sqlx::Error>
where
    T: Row,
{
    let mut count = Query::build(queries.0);
    filter(&mut count);
    let (total,): (i64,) = count.fetch_one(pool).await?;
    let mut rows = Query::build(queries.1);
    filter(&mut rows);
    rows.push(format!(" order by {order_by} limit "))
        .push_bind(page.per_page)
        .push(" offset ")
        .push_bind(page.offset());
    Ok((rows.fetch_all(pool).await?, total))
}
