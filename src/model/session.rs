//! Whoever is signed in, as the page sees them.

use crate::domain::plan::PlanAccess;
use crate::domain::role::Role;
use crate::domain::token_policy::TokenPolicy;
use serde::{Deserialize, Serialize};

/// What the page needs to know about whoever is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub email: String,
    pub role: Role,
    pub account_name: String,
    pub access: PlanAccess,
    /// Finished or dismissed the guided tour.
    pub tour_done: bool,
    /// The account's token policy: the create form starts with its default and disables what
    /// it does not allow.
    pub policy: TokenPolicy,
}

/// Set by the browser the moment the owner finishes or dismisses the tour. The server is told in
/// the background, so a page loaded right after could be rendered before it has stored that; the
/// cookie keeps the invitation away on such a page too. Sign-in and sign-out clear it, so it never
/// speaks for another user of the same browser.
pub const TOUR_DONE_COOKIE: &str = "tm_tour_done";
