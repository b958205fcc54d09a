//! The island that turns the Tokens page's links into dialogs. Without JavaScript (or before it
//! loads) "Create token" and "Revoke" are links to pages that do the same job; once this island
//! is hydrated they open the create dialog and the revoke confirmation instead.

use crate::api::tokens::CreateToken;
use crate::domain::plan::PlanAccess;
use crate::model::routes;
use crate::model::tokens::{DomainOption, TokenRow};
use crate::ui::components::common::{BUTTON_PRIMARY, BUTTON_SMALL_DANGER};
use crate::ui::components::create_token::CreateTokenDialog;
use crate::ui::components::revoke::RevokeDialog;
use crate::ui::components::tour::register_create_dialog;
use leptos::prelude::*;

/// The dialogs' state, shared with the buttons (islands inside this one).
#[derive(Clone, Copy)]
struct Dialogs {
    create_open: RwSignal<bool>,
    create: ServerAction<CreateToken>,
    revoke_target: RwSignal<Option<TokenRow>>,
}

impl Dialogs {
    fn open_create(self) {
        self.create.clear();
        self.create_open.set(true);
    }
}

/// Holds the create dialog and the revoke confirmation around the page's content.
#[island]
pub fn TokenDialogs(
    access: PlanAccess,
    domains: Vec<DomainOption>,
    children: Children,
) -> impl IntoView {
    let dialogs = Dialogs {
        create_open: RwSignal::new(false),
        create: ServerAction::new(),
        revoke_target: RwSignal::new(None),
    };
    provide_context(dialogs);
    register_create_dialog(dialogs.create_open);
    view! {
        {children()}
        <CreateTokenDialog open=dialogs.create_open access domains action=dialogs.create />
        <RevokeDialog target=dialogs.revoke_target />
    }
}

/// A link to the create page that opens the dialog once the page is ready. It is a button to
/// assistive technology (it opens a dialog), so Space presses it as well as Enter.
#[island]
pub fn CreateTokenButton(
    /// The tour points at this one (the page's main button, not the empty state's).
    tour_target: bool,
) -> impl IntoView {
    let dialogs = use_context::<Dialogs>();
    let open = move |event: leptos::ev::Event| {
        if let Some(dialogs) = dialogs {
            event.prevent_default();
            dialogs.open_create();
        }
    };
    view! {
        <a
            href=routes::NEW_TOKEN
            role="button"
            aria-haspopup="dialog"
            class=BUTTON_PRIMARY
            data-tour=tour_target.then_some("create-token")
            on:click=move |event| open(event.into())
            on:keydown=move |event| {
                if event.key() == " " {
                    open(event.into());
                }
            }
        >
            "Create token"
        </a>
    }
}

/// A row's Revoke control: a link to the confirmation page, or the confirmation dialog.
#[island]
pub fn RevokeButton(token: TokenRow) -> impl IntoView {
    let dialogs = use_context::<Dialogs>();
    let href = routes::revoke_token(token.id);
    let label = format!("Revoke {}", token.name);
    let token = StoredValue::new(token);
    let open = move |event: leptos::ev::Event| {
        if let Some(dialogs) = dialogs {
            event.prevent_default();
            dialogs.revoke_target.set(Some(token.get_value()));
        }
    };
    view! {
        <a
            href=href
            role="button"
            aria-haspopup="dialog"
            aria-label=label
            class=BUTTON_SMALL_DANGER
            data-tour="revoke"
            on:click=move |event| open(event.into())
            on:keydown=move |event| {
                if event.key() == " " {
                    open(event.into());
                }
            }
        >
            "Revoke"
        </a>
    }
}
