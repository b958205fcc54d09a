//! Email addresses: the syntax every API field with an address must pass (forwarding targets,
//! recipients), and the Email Verifier's verdict on one address.
//!
//! RFC 5321/5322 syntax comes from the `email_address` crate; on top of it an address must have
//! a real-looking host name (at least two labels, letters/digits/hyphens, an alphabetic top-level
//! domain), because an address like `a@localhost` or `a@[10.0.0.1]` cannot receive Internet mail.
//! The verifier does no DNS or SMTP probing: its verdict says so in `checks`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest address SMTP can carry (RFC 5321: 256-byte path minus the angle brackets).
pub const MAX_ADDRESS_LEN: usize = 254;

/// A syntactically valid address with a host-name domain, stored with its domain lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address(String);

impl Address {
    pub fn parse(raw: &str) -> Result<Address, String> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("The address is empty.".into());
        }
        if text.len() > MAX_ADDRESS_LEN {
            return Err(format!(
                "The address is longer than {MAX_ADDRESS_LEN} characters."
            ));
        }
        let options = email_address::Options::default()
            .without_display_text()
            .without_domain_literal();
        let parsed =
            email_address::EmailAddress::parse_with_options(text, options).map_err(|error| {
                let reason = error.to_string();
                let reason = reason.trim_end_matches('.');
                format!("\"{text}\" is not a valid email address ({reason}).")
            })?;
        if let Err(problem) = check_local_part(parsed.local_part()) {
            return Err(format!("\"{text}\" is not accepted ({problem})."));
        }
        let domain = parsed.domain().to_ascii_lowercase();
        if let Err(problem) = check_host_name(&domain) {
            return Err(format!(
                "\"{text}\" is not a valid email address ({problem})."
            ));
        }
        Ok(Address(format!("{}@{domain}", parsed.local_part())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map(|(local, _)| local)
            .unwrap_or("")
    }

    pub fn domain(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map(|(_, domain)| domain)
            .unwrap_or("")
    }
}

/// In the OpenAPI document: a string in `email` format.
#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for Address {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
            .max_length(Some(MAX_ADDRESS_LEN))
            .description(Some(
                "At most 254 bytes. A plain local part (letters, digits and \
                 !#$%&'*+-/=?^_`{|}~.; no quotes or comments) and a host name with a dot and a \
                 top-level domain of letters (or xn--): user@localhost and user@[10.0.0.1] are \
                 refused.",
            ))
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for Address {}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Only plain ("dot-atom") local parts: quoted strings and comments are valid RFC 5322 but no
/// mail provider a customer uses needs them, and they may hold spaces, `@` and quotes that make
/// an address look like several (`"x victim@localhost y"@example.com`). Non-ASCII letters
/// (RFC 6531) are fine.
fn check_local_part(local: &str) -> Result<(), &'static str> {
    let plain =
        |c: char| !c.is_ascii() || c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c);
    if local.starts_with('"') || local.contains(['(', ')']) {
        return Err("quoted or commented local parts are not supported; use the plain address");
    }
    if !local
        .chars()
        .all(|c| plain(c) && !c.is_whitespace() && !c.is_control())
    {
        return Err("the part before @ may hold only letters, digits and !#$%&'*+-/=?^_`{|}~.");
    }
    Ok(())
}

/// Address lists as stored in the database: a JSON array of strings, which no address can be
/// mistaken for a separator in.
pub fn store_list<S: AsRef<str>>(addresses: &[S]) -> String {
    let list: Vec<&str> = addresses.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&list).expect("a list of strings always serialises")
}

/// Reads a stored list back. A value that is not a JSON array of strings reads as empty.
pub fn read_list(stored: &str) -> Vec<String> {
    serde_json::from_str(stored).unwrap_or_default()
}

fn check_host_name(domain: &str) -> Result<(), &'static str> {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("the domain needs a dot, as in example.com");
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err("each part of the domain must be 1 to 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err("the domain may only contain letters, digits, hyphens and dots");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a part of the domain starts or ends with a hyphen");
        }
    }
    let tld = labels[labels.len() - 1];
    let punycode = tld.starts_with("xn--");
    if tld.len() < 2 || !(punycode || tld.bytes().all(|b| b.is_ascii_alphabetic())) {
        return Err("the top-level domain must be letters, like .com or .de");
    }
    Ok(())
}

/// How thorough a verification is. `Deep` costs two credits and adds the reputation checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum VerifyMode {
    Quick,
    Deep,
}

impl VerifyMode {
    pub fn parse(value: &str) -> Option<VerifyMode> {
        [VerifyMode::Quick, VerifyMode::Deep]
            .into_iter()
            .find(|mode| mode.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VerifyMode::Quick => "quick",
            VerifyMode::Deep => "deep",
        }
    }

    pub fn credits(self) -> i64 {
        match self {
            VerifyMode::Quick => 1,
            VerifyMode::Deep => 2,
        }
    }
}

/// The verifier's four verdicts, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum VerifyStatus {
    /// A well-known mail provider and nothing suspicious.
    Safe,
    /// Looks right; nothing known for or against it.
    Valid,
    /// Deliverable in form, but likely to bounce, be shared or be thrown away.
    Risky,
    /// Can never receive mail.
    Invalid,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Verdict {
    pub email: String,
    /// The address as we would store it (domain lower-cased), when it parses.
    pub normalized: Option<String>,
    pub status: VerifyStatus,
    /// 0 (certainly undeliverable) to 100 (as good as it gets without probing the mailbox).
    pub score: u8,
    /// Why, in plain sentences.
    pub reasons: Vec<String>,
    /// A likely intended address when the domain looks like a typo of a popular provider.
    pub did_you_mean: Option<String>,
    pub mode: VerifyMode,
    /// The checks that ran.
    pub checks: Vec<&'static str>,
}

/// Domains reserved by RFC 2606 / RFC 6761: they never receive Internet mail.
const RESERVED_TLDS: &[&str] = &["test", "example", "invalid", "localhost", "local"];
const RESERVED_DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];
const DISPOSABLE_DOMAINS: &[&str] = &[
    "mailinator.com",
    "guerrillamail.com",
    "10minutemail.com",
    "yopmail.com",
    "tempmail.com",
    "temp-mail.org",
    "trashmail.com",
    "sharklasers.com",
    "getnada.com",
    "dispostable.com",
];
const ROLE_LOCAL_PARTS: &[&str] = &[
    "admin",
    "administrator",
    "abuse",
    "billing",
    "contact",
    "hello",
    "help",
    "hostmaster",
    "info",
    "marketing",
    "no-reply",
    "noreply",
    "office",
    "postmaster",
    "sales",
    "support",
    "team",
    "webmaster",
];
const WELL_KNOWN_PROVIDERS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "aol.com",
    "fastmail.com",
    "zoho.com",
];
/// Frequent misspellings of the providers above.
const TYPOS: &[(&str, &str)] = &[
    ("gmial.com", "gmail.com"),
    ("gmai.com", "gmail.com"),
    ("gmal.com", "gmail.com"),
    ("gnail.com", "gmail.com"),
    ("gmail.co", "gmail.com"),
    ("gmail.con", "gmail.com"),
    ("hotmial.com", "hotmail.com"),
    ("hotmal.com", "hotmail.com"),
    ("outlok.com", "outlook.com"),
    ("outllok.com", "outlook.com"),
    ("yaho.com", "yahoo.com"),
    ("yahooo.com", "yahoo.com"),
    ("icloud.co", "icloud.com"),
];

/// Verifies one address: syntax and domain shape always; reputation checks in deep mode.
pub fn verify(raw: &str, mode: VerifyMode) -> Verdict {
    let mut checks = vec!["syntax", "domain_shape", "reserved_domain"];
    let verdict = |status, score, reasons: Vec<String>, normalized, did_you_mean, checks| Verdict {
        email: raw.to_string(),
        normalized,
        status,
        score,
        reasons,
        did_you_mean,
        mode,
        checks,
    };
    let address = match Address::parse(raw) {
        Ok(address) => address,
        Err(problem) => {
            return verdict(VerifyStatus::Invalid, 0, vec![problem], None, None, checks);
        }
    };
    let domain = address.domain().to_string();
    let normalized = Some(address.as_str().to_string());
    let tld = domain.rsplit('.').next().unwrap_or("");
    if RESERVED_TLDS.contains(&tld) || RESERVED_DOMAINS.contains(&domain.as_str()) {
        return verdict(
            VerifyStatus::Invalid,
            5,
            vec![format!(
                "{domain} is reserved for documentation and testing; it never receives mail."
            )],
            normalized,
            None,
            checks,
        );
    }
    if mode == VerifyMode::Quick {
        return verdict(
            VerifyStatus::Valid,
            75,
            vec![
                "The syntax and the domain look right. Use deep mode for reputation checks.".into(),
            ],
            normalized,
            None,
            checks,
        );
    }
    checks.extend([
        "disposable_domain",
        "role_address",
        "typo",
        "known_provider",
    ]);
    let local = address.local_part().to_ascii_lowercase();
    if let Some((_, intended)) = TYPOS.iter().find(|(typo, _)| *typo == domain) {
        let suggestion = format!("{}@{intended}", address.local_part());
        return verdict(
            VerifyStatus::Risky,
            30,
            vec![format!("{domain} looks like a misspelling of {intended}.")],
            normalized,
            Some(suggestion),
            checks,
        );
    }
    if DISPOSABLE_DOMAINS.contains(&domain.as_str()) {
        return verdict(
            VerifyStatus::Risky,
            20,
            vec![format!(
                "{domain} hands out disposable addresses that stop working within hours."
            )],
            normalized,
            None,
            checks,
        );
    }
    if ROLE_LOCAL_PARTS.contains(&local.as_str()) {
        return verdict(
            VerifyStatus::Risky,
            55,
            vec![format!("\"{local}\" is a role address, usually shared by a team; replies and complaints are likelier.")],
            normalized,
            None,
            checks,
        );
    }
    if WELL_KNOWN_PROVIDERS.contains(&domain.as_str()) {
        return verdict(
            VerifyStatus::Safe,
            95,
            vec![format!(
                "{domain} is a well-known mail provider and the address is well formed."
            )],
            normalized,
            None,
            checks,
        );
    }
    verdict(
        VerifyStatus::Valid,
        80,
        vec!["The syntax and the domain look right; nothing is known against the address.".into()],
        normalized,
        None,
        checks,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_good_addresses_and_lowercases_the_domain() {
        assert_eq!(
            Address::parse(" Ann@Example.COM ").unwrap().as_str(),
            "Ann@example.com"
        );
        assert!(Address::parse("first.last+tag@sub.mail.example.co.uk").is_ok());
        assert!(Address::parse("x@xn--bcher-kva.example").is_ok());
    }

    #[test]
    fn refuses_quoted_and_commented_local_parts() {
        for raw in [
            "\"x victim@localhost alerts@acme-mail.test y\"@example.com",
            "\"john\"@example.com",
            "john(comment)@example.com",
            "a b@example.com",
        ] {
            let problem = Address::parse(raw).expect_err(raw);
            assert!(
                problem.contains(raw.trim()) || problem.contains("not a valid"),
                "{raw}: {problem}"
            );
        }
        assert!(Address::parse("o'brien+tag@example.com").is_ok());
        assert!(Address::parse("jürgen@example.com").is_ok());
    }

    #[test]
    fn lists_round_trip_whatever_they_hold() {
        let list = ["a@x.test", "b c@y.test", "\"q\"@z.test"];
        assert_eq!(read_list(&store_list(&list)), list);
        assert!(read_list("a@x.test b@y.test").is_empty());
        assert!(read_list("[]").is_empty());
    }

    #[test]
    fn refuses_bad_addresses_with_a_reason() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@@example.com",
            "a b@example.com",
            "a@localhost",
            "a@[10.0.0.1]",
            "a@-bad.com",
            "a@example.c0m",
            "a@example..com",
            "Ann <ann@example.com>",
        ] {
            let error = Address::parse(bad).unwrap_err();
            assert!(!error.is_empty(), "{bad}");
        }
        assert!(Address::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn verdicts() {
        let quick = |e| verify(e, VerifyMode::Quick).status;
        let deep = |e| verify(e, VerifyMode::Deep).status;
        assert_eq!(quick("nope"), VerifyStatus::Invalid);
        assert_eq!(quick("a@acme.test"), VerifyStatus::Invalid);
        assert_eq!(quick("a@example.com"), VerifyStatus::Invalid);
        assert_eq!(quick("someone@company.io"), VerifyStatus::Valid);
        assert_eq!(deep("someone@company.io"), VerifyStatus::Valid);
        assert_eq!(deep("jane@gmail.com"), VerifyStatus::Safe);
        assert_eq!(deep("info@company.io"), VerifyStatus::Risky);
        assert_eq!(deep("x@mailinator.com"), VerifyStatus::Risky);
        let typo = verify("jane@gmial.com", VerifyMode::Deep);
        assert_eq!(typo.status, VerifyStatus::Risky);
        assert_eq!(typo.did_you_mean.as_deref(), Some("jane@gmail.com"));
        assert_eq!(verify("nope", VerifyMode::Deep).score, 0);
    }
}
