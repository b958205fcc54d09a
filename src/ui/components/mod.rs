//! Building blocks shared by pages.

/// Requests per day as a server-drawn SVG.
pub mod activity_chart;
/// The Tokens page's "Needs attention" panel.
pub mod attention_panel;
/// Clipboard and file download in the browser.
pub mod browser;
/// Small shared pieces: badges, field errors, pagination.
pub mod common;
/// The "Create token" dialog and its one-time reveal.
pub mod create_token;
/// The table frame both lists share (scroll region, phone cards).
pub mod data_table;
/// The Rotate and Pause / Resume dialogs.
pub mod lifecycle_dialogs;
/// A modal dialog on the native `<dialog>` element.
pub mod modal;
/// Marks the page ready and replays clicks made before it was.
pub mod ready;
/// A token's recent requests: filters and a keyset-paged table.
pub mod request_log;
/// The one-time reveal of a new token.
pub mod reveal;
/// The revoke confirmation dialog.
pub mod revoke;
/// The scope checkboxes of the create form.
pub mod scope_picker;
/// The island that turns the Tokens page's links into its dialogs.
pub mod token_dialogs;
/// Fields the create form shares with the change pages: expiration, domains, IP allowlist.
pub mod token_fields;
/// The list of tokens.
pub mod token_table;
/// The guided tour: Guide button, first-time invitation, spotlight and popover.
pub mod tour;
