//! Keyset pagination over rows with increasing integer ids, newest (highest id) first.
//! Cost depends on the page size, never on how far into the list the page is (unlike OFFSET).

use crate::model::Cursor;

/// Rows per page in the dashboard's lists.
pub const PAGE_SIZE: i64 = 20;

/// Which way to read from the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Ids below the bound, descending (the next, older page).
    Older(Option<i64>),
    /// Ids above the bound, ascending (the previous, newer page).
    Newer(i64),
}

impl Direction {
    /// The SQL for `id_column` bound by this direction, with the bind value, and its ordering.
    pub fn sql(self, id_column: &str) -> (String, Option<i64>, &'static str) {
        match self {
            Direction::Older(Some(bound)) => (format!("{id_column} < "), Some(bound), "desc"),
            Direction::Older(None) => (String::new(), None, "desc"),
            Direction::Newer(bound) => (format!("{id_column} > "), Some(bound), "asc"),
        }
    }
}

/// Reads one page through `fetch(direction, limit)`, which must return rows in the order the
/// direction says; returns the rows newest first with the cursors of the neighbouring pages.
pub async fn page<T, E, F, Fut>(
    cursor: Cursor,
    id: impl Fn(&T) -> i64,
    fetch: F,
) -> Result<(Vec<T>, Option<i64>, Option<i64>), E>
where
    F: Fn(Direction, i64) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, E>>,
{
    let direction = match cursor {
        Cursor {
            before: Some(before),
            ..
        } => Direction::Newer(before),
        Cursor { after, .. } => Direction::Older(after),
    };
    let mut rows = fetch(direction, PAGE_SIZE + 1).await?;
    let more_this_way = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    if matches!(direction, Direction::Newer(_)) {
        rows.reverse();
    }
    let (Some(first), Some(last)) = (rows.first().map(&id), rows.last().map(&id)) else {
        return Ok((rows, None, None));
    };
    let (more_older, more_newer) = match direction {
        Direction::Older(None) => (more_this_way, false),
        Direction::Older(Some(_)) => (
            more_this_way,
            !fetch(Direction::Newer(first), 1).await?.is_empty(),
        ),
        Direction::Newer(_) => (
            !fetch(Direction::Older(Some(last)), 1).await?.is_empty(),
            more_this_way,
        ),
    };
    Ok((
        rows,
        more_older.then_some(last),
        more_newer.then_some(first),
    ))
}
