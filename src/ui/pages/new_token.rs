//! The create form as a page: where "Create token" leads without JavaScript (or before the page's
//! script is ready). Its form posts back here; the answer is the one-time reveal, served with
//! `no-store`, or the form again with each refusal next to its field.

#[cfg(feature = "ssr")]
use crate::api::tokens::create_token_from_page;
use crate::api::tokens::{account_domains, find_token};
use crate::domain::new_token::CreateTokenForm;
use crate::model::error::AppError;
use crate::model::tokens::SubmittedForm;
use crate::ui::components::common::LoadError;
use crate::ui::components::create_token::{CreateForm, Prefill, Submit, TITLE_ID};
use crate::ui::components::reveal::Reveal;
use crate::ui::pages::agents_layout::ViewerResource;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NewTokenPage() -> impl IntoView {
    let viewer = expect_context::<ViewerResource>();
    let domains = Resource::new(|| (), |_| account_domains());
    // "Create similar" without JavaScript: `?like=ID` fills the form in from that token.
    let like = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("like").and_then(|id| id.parse::<i64>().ok()));
    let template = Resource::new(
        || (),
        move |_| async move {
            match like {
                Some(id) => find_token(id).await.ok(),
                None => None,
            }
        },
    );
    // A POST to this page carries the form; the token is created while the page renders.
    let submitted = use_context::<SubmittedForm>();
    // Read here, with the component's context, never later inside the resource's future.
    #[cfg(feature = "ssr")]
    let once = use_context::<crate::api::tokens::OncePerRequest>();
    let outcome = Resource::new(
        || (),
        move |_| {
            let submitted = submitted.clone();
            #[cfg(feature = "ssr")]
            let once = once.clone();
            async move {
                let form = CreateTokenForm::from_pairs(&submitted?.0);
                // Only ever posted to the server; the browser build never reaches this.
                #[cfg(feature = "ssr")]
                let outcome = create_token_from_page(form.clone(), once?).await;
                #[cfg(not(feature = "ssr"))]
                let outcome = Err(AppError::NotFound);
                Some((form, outcome))
            }
        },
    );
    view! {
        <Title text="Create token · AI Agents & API · TrekMail" />
        <Suspense>
            {move || Suspend::new(async move {
                let (Ok(viewer), Ok(domains)) = (viewer.await, domains.await) else {
                    return view! { <LoadError message="The form could not be loaded. Please reload the page." /> }.into_any();
                };
                let access = viewer.access;
                let policy = viewer.policy.clone();
                let template = template.await;
                let body = match outcome.await {
                    Some((_, Ok(created))) => view! { <Reveal created /> }.into_any(),
                    Some((form, Err(AppError::Invalid(errors)))) => view! {
                        <CreateForm access policy=policy.clone() domains submit=Submit::Page initial=form refused=errors />
                    }.into_any(),
                    Some((form, Err(error))) => view! {
                        <CreateForm access policy=policy.clone() domains submit=Submit::Page initial=form refused_message=error.to_string() />
                    }.into_any(),
                    None => match template {
                        Some(token) => {
                            let Prefill { form, note } = Prefill::similar_to(&token, access, &policy, &domains);
                            view! { <CreateForm access policy=policy.clone() domains submit=Submit::Page initial=form note=Some(note) /> }.into_any()
                        }
                        None => {
                            // `?like=` named no token of this account (the answer is a 404).
                            let note = like.map(|_| "The token to copy was not found, so the form starts afresh.".to_string());
                            view! {
                                <CreateForm access policy=policy.clone() domains submit=Submit::Page initial=CreateTokenForm::new_for(access, &policy) note />
                            }.into_any()
                        }
                    },
                };
                view! {
                    <section aria-labelledby=TITLE_ID class="mx-auto max-w-3xl rounded-2xl bg-white shadow-sm ring-1 ring-slate-900/5">
                        {body}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
