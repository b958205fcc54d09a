//! The guided tour's server side: `finish_tour` remembers, per user, that the tour was finished
//! or dismissed, so the invitation stays away in every browser.

use crate::support::TestApp;
use http::StatusCode;
use trekmail_tokens::api::session::{CurrentViewer, FinishTour};
use trekmail_tokens::model::error::AppError;
use trekmail_tokens::model::session::Viewer;
use trekmail_tokens::server::db;

async fn viewer(app: &TestApp, cookie: &str) -> Viewer {
    let response = app.call_form::<CurrentViewer>("", Some(cookie)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json()
}

async fn tour_done_at(app: &TestApp, email: &str) -> Option<i64> {
    let (done_at,): (Option<i64>,) =
        db::query("select tour_done_at from app_user where email = $1")
            .bind(email)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    done_at
}

#[tokio::test]
async fn finishing_the_tour_needs_a_signed_in_user() {
    let app = TestApp::new().await;
    let response = app.call_form::<FinishTour>("", None).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.app_error(), AppError::Unauthenticated);

    let forged = app
        .call_form::<FinishTour>("", Some("tm_session=not-a-session"))
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.count("select count(*) from app_user where tour_done_at is not null")
            .await,
        0
    );
}

#[tokio::test]
async fn finishing_the_tour_is_remembered_for_that_user_only_and_keeps_the_first_time() {
    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    assert!(
        !viewer(&app, &owner).await.tour_done,
        "new users are invited"
    );

    let response = app.call_form::<FinishTour>("", Some(&owner)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(viewer(&app, &owner).await.tour_done);
    let first = tour_done_at(&app, "owner@pro.test")
        .await
        .expect("recorded");

    // Another browser (a new session) sees it too; a repeat changes nothing.
    let other_browser = app.sign_in("owner@pro.test").await;
    assert!(viewer(&app, &other_browser).await.tour_done);
    let again = app.call_form::<FinishTour>("", Some(&other_browser)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(tour_done_at(&app, "owner@pro.test").await, Some(first));

    // Nobody else's invitation went away.
    let member = app.sign_in("member@pro.test").await;
    assert!(!viewer(&app, &member).await.tour_done);
    assert_eq!(
        app.count("select count(*) from app_user where tour_done_at is not null")
            .await,
        1
    );
}

#[tokio::test]
async fn members_can_finish_the_tour_too() {
    let app = TestApp::new().await;
    let member = app.sign_in("member@pro.test").await;
    let response = app.call_form::<FinishTour>("", Some(&member)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(viewer(&app, &member).await.tour_done);
    assert_eq!(tour_done_at(&app, "owner@pro.test").await, None);
}

/// The dismissal reaches the server in the background; a page loaded before it is stored must not
/// invite again. The browser's own note (a cookie set the moment the owner dismisses) keeps the
/// invitation away on that page, and signing in forgets it, so it never speaks for someone else.
#[tokio::test]
async fn the_browsers_own_note_keeps_the_invitation_away_until_the_server_has_it() {
    use trekmail_tokens::model::session::TOUR_DONE_COOKIE;
    const INVITATION: &str = "Dismiss the tour invitation";

    let app = TestApp::new().await;
    let owner = app.sign_in("owner@pro.test").await;
    let page = app.get("/agents/tokens", Some(&owner)).await;
    assert!(page.body.contains(INVITATION), "new owners are invited");

    let noted = format!("{owner}; {TOUR_DONE_COOKIE}=1");
    assert!(viewer(&app, &noted).await.tour_done);
    let page = app.get("/agents/tokens", Some(&noted)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(INVITATION), "{}", page.body);
    assert_eq!(
        tour_done_at(&app, "owner@pro.test").await,
        None,
        "the note alone stores nothing"
    );

    let signed_in = app
        .call_form::<trekmail_tokens::api::session::SignIn>(
            "email=member%40pro.test&password=trekmail-demo",
            Some(&noted),
        )
        .await;
    let forgets = signed_in
        .headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|cookie| {
            cookie.starts_with(&format!("{TOUR_DONE_COOKIE}=;")) && cookie.contains("Max-Age=0")
        });
    assert!(forgets, "{:?}", signed_in.headers);
}
