//! What a page's render takes from the middleware in front of it.

/// This request's Content-Security-Policy nonce, made by `server::security::security_headers`
/// before the request runs. The page renders its inline scripts with it (`app::shell`), and the
/// same middleware writes the page policy naming it, so every HTML response carries a policy
/// that matches its scripts, whatever rendered it (a page, the create page's POST, an error page).
#[derive(Clone, Debug)]
pub struct PageNonce(pub String);
