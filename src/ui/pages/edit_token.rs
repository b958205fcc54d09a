//! "Edit access": a live ops token's name, scopes and domain constraint, without a new secret.
//! Two steps, each a POST back to this page (so it works without JavaScript): "Review changes"
//! says exactly what would change; "Save changes" changes it and returns to the list.

#[cfg(feature = "ssr")]
use crate::api::lifecycle::edit_access_from_page;
use crate::api::tokens::account_domains;
use crate::domain::field::FieldErrors;
use crate::domain::new_token::{CreateTokenForm, Field};
use crate::domain::token::TokenKind;
use crate::domain::token_name::MAX_NAME_CHARS;
use crate::model::error::AppError;
use crate::model::routes;
use crate::model::tokens::{DomainOption, SubmittedForm, TokenRow};
use crate::ui::components::common::{
    FieldError, FormActions, LoadError, BUTTON_PRIMARY, BUTTON_SECONDARY, INPUT,
};
use crate::ui::components::scope_picker::ScopePicker;
use crate::ui::components::token_fields::DomainFieldset;
use crate::ui::pages::agents_layout::ViewerResource;
use crate::ui::pages::token_change::{unchangeable, use_token, CARD};
use leptos::prelude::*;
use leptos_meta::Title;

/// The form as the token is now.
fn current_form(token: &TokenRow, domains: &[DomainOption]) -> CreateTokenForm {
    CreateTokenForm {
        name: token.name.clone(),
        scopes: token.scopes.clone(),
        domain_mode: if token.domains.is_some() {
            "selected"
        } else {
            "all"
        }
        .into(),
        domain_ids: match &token.domains {
            None => Vec::new(),
            Some(names) => domains
                .iter()
                .filter(|domain| names.contains(&domain.name))
                .map(|domain| domain.id)
                .collect(),
        },
        ..CreateTokenForm::default()
    }
}

#[component]
pub fn EditTokenPage() -> impl IntoView {
    let viewer = expect_context::<ViewerResource>();
    let token = use_token();
    let domains = Resource::new(|| (), |_| account_domains());
    let submitted = use_context::<SubmittedForm>();
    #[cfg(feature = "ssr")]
    let once = use_context::<crate::api::tokens::OncePerRequest<String>>();
    let id = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let outcome = Resource::new(
        || (),
        move |_| {
            let submitted = submitted.clone();
            #[cfg(feature = "ssr")]
            let once = once.clone();
            async move {
                let pairs = submitted?.0;
                let form = CreateTokenForm::from_pairs(&pairs);
                // Only ever posted to the server; the browser build never reaches this.
                #[cfg(feature = "ssr")]
                let outcome = {
                    let apply = pairs
                        .iter()
                        .any(|(key, value)| key == "step" && value == "save");
                    edit_access_from_page(id?, form.clone(), apply, once?).await
                };
                #[cfg(not(feature = "ssr"))]
                let outcome: Result<String, AppError> = {
                    let _ = id;
                    Err(AppError::NotFound)
                };
                Some((form, outcome))
            }
        },
    );
    view! {
        <Title text="Edit access · AI Agents & API · TrekMail" />
        <Suspense>
            {move || Suspend::new(async move {
                let (Ok(viewer), Ok(domains)) = (viewer.await, domains.await) else {
                    return view! { <LoadError message="The form could not be loaded. Please reload the page." /> }.into_any();
                };
                let token = match unchangeable(token.await, |token| {
                    (token.kind != TokenKind::Ops)
                        .then_some("A message token keeps the access it was minted with; narrow it through the API instead.")
                        .or_else(|| token.rotated_to.is_some().then_some("Its secret was rotated out; edit the new token instead."))
                }) {
                    Ok(token) => token,
                    Err(view) => return view,
                };
                let access = viewer.access;
                match outcome.await {
                    Some((form, Ok(changes))) if !changes.is_empty() => view! { <Review token form changes /> }.into_any(),
                    Some((form, Ok(_))) => view! {
                        <EditForm token access domains form refused=FieldErrors::default() note=Some("Nothing would change: these are the token's settings now.".into()) />
                    }.into_any(),
                    Some((form, Err(AppError::Invalid(errors)))) => view! {
                        <EditForm token access domains form refused=errors note=None />
                    }.into_any(),
                    Some((form, Err(error))) => view! {
                        <EditForm token access domains form refused=FieldErrors::default() note=Some(error.to_string()) />
                    }.into_any(),
                    None => {
                        let form = current_form(&token, &domains);
                        view! { <EditForm token access domains form refused=FieldErrors::default() note=None /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(
    token: TokenRow,
    access: crate::domain::plan::PlanAccess,
    domains: Vec<DomainOption>,
    form: CreateTokenForm,
    refused: FieldErrors,
    note: Option<String>,
) -> impl IntoView {
    let error = |field: Field| Signal::stored(refused.get(field).map(str::to_string));
    let scopes = RwSignal::new(form.scopes.clone());
    let mode = RwSignal::new(form.domain_mode.clone());
    let ids = RwSignal::new(form.domain_ids.clone());
    view! {
        <section aria-labelledby="change-title" class=CARD>
            <form method="post" action=routes::token_change(token.id, "edit") novalidate class="space-y-5">
                <h2 id="change-title" class="text-lg font-semibold">{format!("Edit access of “{}”", token.name)}</h2>
                <p class="text-sm text-slate-600">
                    {format!("Rename it, change its scopes within your plan, or change the domains it reaches. The secret ({}…) stays the same; the next API call sees the new access. You review the changes before they are saved.", token.visible_prefix)}
                </p>
                {note.map(|note| view! { <p role="status" class="rounded-lg bg-indigo-50 px-3 py-2 text-sm text-indigo-900">{note}</p> })}
                <input type="hidden" name="step" value="review" />
                <div>
                    <label for="token-name" class="block text-sm font-semibold">"Name"</label>
                    <input id="token-name" name="name" type="text" maxlength=MAX_NAME_CHARS autocomplete="off"
                        class=format!("mt-1 {INPUT}") aria-describedby="token-name-error"
                        aria-invalid=refused.get(Field::Name).is_some().to_string() value=form.name.clone() />
                    <FieldError id="token-name-error" message=error(Field::Name) />
                </div>
                <ScopePicker access selected=scopes initial=form.scopes.clone() interactive=false error=error(Field::Scopes) />
                <DomainFieldset domains mode ids initial_ids=form.domain_ids.clone() error=error(Field::Domains) />
                <FormActions cancel=routes::TOKENS submit="Review changes" />
            </form>
        </section>
    }
}

/// What saving would change, and the form again as hidden fields to save it.
#[component]
fn Review(token: TokenRow, form: CreateTokenForm, changes: String) -> impl IntoView {
    let hidden =
        |name: &'static str, value: String| view! { <input type="hidden" name=name value=value /> };
    view! {
        <section aria-labelledby="change-title" class=CARD>
            <form method="post" action=routes::token_change(token.id, "edit") class="space-y-4">
                <h2 id="change-title" class="text-lg font-semibold">{format!("Save these changes to “{}”?", token.name)}</h2>
                <ul class="list-disc space-y-1 pl-5 text-sm text-slate-800">
                    {changes.split("; ").map(|change| view! { <li>{change.to_string()}</li> }).collect_view()}
                </ul>
                <p class="text-sm text-slate-600">"The secret stays the same; the next API call sees the new access."</p>
                <input type="hidden" name="step" value="save" />
                {hidden("name", form.name.clone())}
                {hidden("domain_mode", form.domain_mode.clone())}
                {form.scopes.iter().map(|scope| hidden("scopes", scope.clone())).collect_view()}
                {form.domain_ids.iter().map(|id| hidden("domain_ids", id.to_string())).collect_view()}
                <div class="flex justify-end gap-3">
                    <a href=routes::token_change(token.id, "edit") class=BUTTON_SECONDARY>"Back"</a>
                    <button type="submit" class=BUTTON_PRIMARY>"Save changes"</button>
                </div>
            </form>
        </section>
    }
}
