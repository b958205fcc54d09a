//! SQL conditions that tie a change to the token making it: the statement that makes the
//! change also checks the token is still live (and still holds the scope), so a revocation or
//! narrowing that commits first wins.

/// SQL condition: the token bound at `$token` is still live (not revoked, expired or paused) at
/// the time bound at `$now`, as a
/// string literal for `concat!`. A change made for a token carries it in the same statement, so a
/// revocation that commits first wins and a revoked token cannot finish its work.
macro_rules! token_still_live {
    ($token:literal, $now:literal) => {
        concat!(
            "exists (select 1 from api_token where api_token_id = ",
            $token,
            " and revoked_at is null and paused_at is null and (expires_at is null or expires_at > ",
            $now,
            "))"
        )
    };
}
pub(crate) use token_still_live;

/// The same, and the token still holds `$scope` (a literal scope name): a send authorised just
/// before a narrowing took `messages:send` away does not go through.
macro_rules! token_still_holds {
    ($token:literal, $now:literal, $scope:literal) => {
        concat!(
            "exists (select 1 from api_token where api_token_id = ",
            $token,
            " and revoked_at is null and paused_at is null and (expires_at is null or expires_at > ",
            $now,
            ") and (' ' || scopes || ' ') like '% ",
            $scope,
            " %')"
        )
    };
}
pub(crate) use token_still_holds;
