//! The island that turns the Tokens page's links into dialogs. Without JavaScript (or before it
//! loads) "Create token", "Create similar", "Rotate", "Pause" / "Resume" and "Revoke" are links
//! to pages that do the same job;
//! once this island is hydrated they open the create dialog and the revoke confirmation instead.

use crate::api::tokens::CreateToken;
use crate::domain::plan::PlanAccess;
use crate::domain::token_policy::TokenPolicy;
use crate::model::routes;
use crate::model::tokens::{DomainOption, TokenRow};
use crate::ui::components::common::{BUTTON_PRIMARY, BUTTON_SMALL, BUTTON_SMALL_DANGER};
use crate::ui::components::create_token::{CreateTokenDialog, Prefill};
use crate::ui::components::lifecycle_dialogs::{PauseDialog, RotateDialog};
use crate::ui::components::revoke::RevokeDialog;
use crate::ui::components::tour::register_create_dialog;
use leptos::prelude::*;

/// The dialogs' state, shared with the buttons (islands inside this one).
#[derive(Clone, Copy)]
struct Dialogs {
    create_open: RwSignal<bool>,
    create: ServerAction<CreateToken>,
    /// What the create form starts with: `None` for a new token, or a token to copy.
    prefill: RwSignal<Option<Prefill>>,
    revoke_target: RwSignal<Option<TokenRow>>,
    rotate_target: RwSignal<Option<TokenRow>>,
    pause_target: RwSignal<Option<TokenRow>>,
    access: PlanAccess,
    policy: StoredValue<TokenPolicy>,
    domains: StoredValue<Vec<DomainOption>>,
}

impl Dialogs {
    fn open_create(self, prefill: Option<Prefill>) {
        self.create.clear();
        self.prefill.set(prefill);
        self.create_open.set(true);
    }
}

/// Holds the create dialog and the revoke confirmation around the page's content.
#[island]
pub fn TokenDialogs(
    access: PlanAccess,
    policy: TokenPolicy,
    domains: Vec<DomainOption>,
    children: Children,
) -> impl IntoView {
    let dialogs = Dialogs {
        create_open: RwSignal::new(false),
        create: ServerAction::new(),
        prefill: RwSignal::new(None),
        revoke_target: RwSignal::new(None),
        rotate_target: RwSignal::new(None),
        pause_target: RwSignal::new(None),
        access,
        policy: StoredValue::new(policy.clone()),
        domains: StoredValue::new(domains.clone()),
    };
    provide_context(dialogs);
    register_create_dialog(dialogs.create_open);
    view! {
        {children()}
        <CreateTokenDialog open=dialogs.create_open access policy domains action=dialogs.create prefill=dialogs.prefill />
        <RevokeDialog target=dialogs.revoke_target />
        <RotateDialog target=dialogs.rotate_target />
        <PauseDialog target=dialogs.pause_target />
    }
}

/// A link to a page that, once the dialogs are ready, opens a dialog instead. It is a button to
/// assistive technology (it opens a dialog), so Space presses it as well as Enter.
#[component]
fn DialogLink(
    href: String,
    class: &'static str,
    /// `None` until the dialogs are ready: the link then simply leads to its page.
    open: Option<Callback<()>>,
    #[prop(optional, into)] label: Option<String>,
    #[prop(default = None)] tour: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let press = move |event: leptos::ev::Event| {
        if let Some(open) = open {
            event.prevent_default();
            open.run(());
        }
    };
    view! {
        <a
            href=href
            role="button"
            aria-haspopup="dialog"
            aria-label=label
            class=class
            data-tour=tour
            on:click=move |event| press(event.into())
            on:keydown=move |event| {
                if event.key() == " " {
                    press(event.into());
                }
            }
        >
            {children()}
        </a>
    }
}

/// "Create token": the create page, or the dialog.
#[island]
pub fn CreateTokenButton(
    /// The tour points at this one (the page's main button, not the empty state's).
    tour_target: bool,
) -> impl IntoView {
    let open =
        use_context::<Dialogs>().map(|dialogs| Callback::new(move |_| dialogs.open_create(None)));
    view! {
        <DialogLink href=routes::NEW_TOKEN.to_string() class=BUTTON_PRIMARY open tour=tour_target.then_some("create-token")>
            "Create token"
        </DialogLink>
    }
}

/// "Create similar" on an expired or revoked ops token: the create form with its settings.
#[island]
pub fn CreateSimilarButton(token: TokenRow) -> impl IntoView {
    let href = routes::create_similar(token.id);
    let label = format!("Create a token like {}", token.name);
    let open = use_context::<Dialogs>().map(|dialogs| {
        Callback::new(move |_| {
            let policy = dialogs.policy.get_value();
            let prefill = dialogs.domains.with_value(|domains| {
                Prefill::similar_to(&token, dialogs.access, &policy, domains)
            });
            dialogs.open_create(Some(prefill));
        })
    });
    view! { <DialogLink href class=BUTTON_SMALL open label>"Create similar"</DialogLink> }
}

/// A row's Revoke control: a link to the confirmation page, or the confirmation dialog.
#[island]
pub fn RevokeButton(token: TokenRow) -> impl IntoView {
    let href = routes::revoke_token(token.id);
    let label = format!("Revoke {}", token.name);
    let open = use_context::<Dialogs>()
        .map(|dialogs| Callback::new(move |_| dialogs.revoke_target.set(Some(token.clone()))));
    view! { <DialogLink href class=BUTTON_SMALL_DANGER open label tour=Some("revoke")>"Revoke"</DialogLink> }
}

/// A row's Rotate control: a link to the rotate page, or the rotate dialog.
#[island]
pub fn RotateButton(token: TokenRow) -> impl IntoView {
    let href = routes::token_change(token.id, "rotate");
    let label = format!("Rotate {}", token.name);
    let open = use_context::<Dialogs>()
        .map(|dialogs| Callback::new(move |_| dialogs.rotate_target.set(Some(token.clone()))));
    view! { <DialogLink href class=BUTTON_SMALL open label>"Rotate"</DialogLink> }
}

/// A row's Pause or Resume control: a link to the confirmation page, or the dialog.
#[island]
pub fn PauseButton(token: TokenRow) -> impl IntoView {
    let href = routes::token_change(token.id, "pause");
    let text = if token.status == crate::domain::status::TokenStatus::Paused {
        "Resume"
    } else {
        "Pause"
    };
    let label = format!("{text} {}", token.name);
    let open = use_context::<Dialogs>()
        .map(|dialogs| Callback::new(move |_| dialogs.pause_target.set(Some(token.clone()))));
    view! { <DialogLink href class=BUTTON_SMALL open label>{text}</DialogLink> }
}
