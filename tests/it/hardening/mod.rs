//! What an outside review broke, each as a test that failed before the fix.

/// Hostile input: huge lists, quoted addresses, invisible names, malformed calls.
mod input;
/// Requests racing each other or a client that hangs up.
mod races;
/// Sign-in floods and lock-outs.
mod sign_in;
/// Pruning, caps, cookies, and rendering while routers are built.
mod upkeep;
