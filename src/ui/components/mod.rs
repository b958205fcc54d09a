//! Building blocks shared by pages.

/// Clipboard and file download in the browser.
pub mod browser;
/// Small shared pieces: badges, field errors, pagination.
pub mod common;
/// The "Create token" dialog and its one-time reveal.
pub mod create_token;
/// A modal dialog on the native `<dialog>` element.
pub mod modal;
/// The revoke confirmation dialog.
pub mod revoke;
/// The scope checkboxes of the create form.
pub mod scope_picker;
/// The guided tour: Guide button, first-time invitation, spotlight and popover.
pub mod tour;
