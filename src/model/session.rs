//! Whoever is signed in, as the page sees them.

use crate::domain::plan::PlanAccess;
use crate::domain::role::Role;
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
}
