//! What a signed-in user may do in their account.

use serde::{Deserialize, Serialize};

/// Only the owner manages API tokens; members see that they cannot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Owner,
    Member,
}
