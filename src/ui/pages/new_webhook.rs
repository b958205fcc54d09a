//! "Add endpoint": the URL and the events, posted back to this page; the answer shows the
//! endpoint's signing secret once (served with `no-store`), or the form again with each refusal
//! next to its field. Works without JavaScript.

#[cfg(feature = "ssr")]
use crate::api::webhooks::create_webhook_from_page;
use crate::domain::webhook::{WebhookEvent, EVENTS_FIELD, URL_FIELD};
use crate::model::error::AppError;
use crate::model::routes;
use crate::model::tokens::SubmittedForm;
use crate::model::webhooks::CreatedEndpoint;
use crate::ui::components::common::{FormActions, BUTTON_PRIMARY, INPUT};
use crate::ui::pages::token_change::CARD;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NewWebhookPage() -> impl IntoView {
    let submitted = use_context::<SubmittedForm>();
    #[cfg(feature = "ssr")]
    let once = use_context::<crate::api::tokens::OncePerRequest<CreatedEndpoint>>();
    let outcome = Resource::new(
        || (),
        move |_| {
            let submitted = submitted.clone();
            #[cfg(feature = "ssr")]
            let once = once.clone();
            async move {
                let fields = submitted?.0;
                #[cfg(feature = "ssr")]
                let outcome = create_webhook_from_page(fields.clone(), once?).await;
                #[cfg(not(feature = "ssr"))]
                let outcome: Result<CreatedEndpoint, AppError> = Err(AppError::NotFound);
                Some((fields, outcome))
            }
        },
    );
    view! {
        <Title text="Add webhook endpoint · AI Agents & API · TrekMail" />
        <Suspense>
            {move || Suspend::new(async move {
                match outcome.await {
                    Some((_, Ok(created))) => view! { <SecretReveal created /> }.into_any(),
                    Some((fields, Err(error))) => view! { <EndpointForm fields refused=Some(error) /> }.into_any(),
                    None => {
                        // Every event is ticked to start with: most owners want them all.
                        let fields = WebhookEvent::SUBSCRIBABLE
                            .iter()
                            .map(|event| (EVENTS_FIELD.to_string(), event.as_str().to_string()))
                            .collect();
                        view! { <EndpointForm fields refused=None /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn EndpointForm(fields: Vec<(String, String)>, refused: Option<AppError>) -> impl IntoView {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let checked = |event: WebhookEvent| {
        fields
            .iter()
            .any(|(key, value)| key == EVENTS_FIELD && value == event.as_str())
    };
    let (url_error, events_error, other_error) = match &refused {
        Some(AppError::Invalid(errors)) => (
            errors.get(URL_FIELD).map(str::to_string),
            errors.get(EVENTS_FIELD).map(str::to_string),
            None,
        ),
        Some(error) => (None, None, Some(error.to_string())),
        None => (None, None, None),
    };
    view! {
        <section aria-labelledby="webhook-title" class=CARD>
            <form method="post" action=routes::NEW_WEBHOOK class="space-y-5">
                <h2 id="webhook-title" class="text-lg font-semibold">"Add webhook endpoint"</h2>
                <div>
                    <label for="webhook-url" class="block text-sm font-semibold">"Endpoint URL"</label>
                    <input id="webhook-url" name=URL_FIELD type="url" required class=format!("mt-1 {INPUT}")
                        value=value(URL_FIELD) placeholder="https://example.com/webhooks/trekmail"
                        aria-describedby="webhook-url-hint webhook-url-error" aria-invalid=url_error.is_some().to_string() />
                    <p id="webhook-url-hint" class="mt-1 text-xs text-slate-600">"An http:// or https:// address on the public internet. Redirects are not followed."</p>
                    <p id="webhook-url-error" class="mt-1 text-sm text-rose-700" aria-live="polite">{url_error}</p>
                </div>
                <fieldset aria-describedby="webhook-events-error">
                    <legend class="text-sm font-semibold">"Events to send"</legend>
                    <ul class="mt-2 space-y-2">
                        {WebhookEvent::SUBSCRIBABLE.into_iter().map(|event| {
                            let id = format!("event-{}", event.as_str().replace('.', "-"));
                            view! {
                                <li class="flex items-start gap-2">
                                    <input type="checkbox" id=id.clone() name=EVENTS_FIELD value=event.as_str() checked=checked(event) class="mt-1 size-4 rounded border-slate-300" />
                                    <label for=id class="text-sm">
                                        <code class="font-mono text-xs font-semibold">{event.as_str()}</code>
                                        <span class="ml-2 text-slate-600">{event.description()}</span>
                                    </label>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <p id="webhook-events-error" class="mt-1 text-sm text-rose-700" aria-live="polite">{events_error}</p>
                </fieldset>
                <p role="alert" class="text-sm text-rose-700">{other_error}</p>
                <FormActions cancel=routes::WEBHOOKS submit="Add endpoint" />
            </form>
        </section>
    }
}

/// The secret, once: the owner copies it into the receiver's configuration.
#[component]
fn SecretReveal(created: CreatedEndpoint) -> impl IntoView {
    view! {
        <section aria-labelledby="webhook-title" class=CARD>
            <h2 id="webhook-title" class="text-lg font-semibold">"Endpoint added"</h2>
            <p class="mt-2 text-sm text-slate-600">
                {format!("Events now go to {}. Give the receiver this signing secret to check that they come from TrekMail. It is shown only this once.", created.row.url)}
            </p>
            <label for="webhook-secret" class="mt-4 block text-sm font-semibold">"Signing secret"</label>
            <input id="webhook-secret" type="text" readonly value=created.secret.clone()
                class=format!("mt-1 font-mono {INPUT}") aria-describedby="webhook-secret-hint" />
            <p id="webhook-secret-hint" class="mt-1 text-xs text-slate-600">
                "Verify each request with a Standard Webhooks library (for example `new Webhook(secret).verify(body, headers)`), and use webhook-id to ignore a repeat."
            </p>
            <div class="mt-5 flex justify-end">
                <a href=routes::webhook(created.row.id) class=BUTTON_PRIMARY>"Done"</a>
            </div>
        </section>
    }
}
