//! Ready-made scope selections for the create form.

/// One-click Drive selections from the help article's token recipes: each builds on the one
/// before. Permanent cleanup (`…:purge`) is left out on purpose: it belongs in a separate,
/// tightly controlled token.
pub const DRIVE_PRESETS: &[(&str, &[&str])] = &[
    (
        "Drive: read-only reporting",
        &[
            "drive:account:read",
            "drive:mailbox:read",
            "drive:addon:read",
        ],
    ),
    (
        "Drive: upload automation",
        &[
            "drive:account:read",
            "drive:mailbox:read",
            "drive:addon:read",
            "drive:account:write",
            "drive:mailbox:write",
        ],
    ),
    (
        "Drive: public delivery links",
        &[
            "drive:account:read",
            "drive:mailbox:read",
            "drive:addon:read",
            "drive:account:write",
            "drive:mailbox:write",
            "drive:account:share",
            "drive:mailbox:share",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scope::Scope;

    #[test]
    fn drive_presets_name_known_scopes_build_on_each_other_and_never_purge() {
        let mut previous: Vec<&str> = Vec::new();
        for (label, names) in DRIVE_PRESETS {
            assert!(
                names
                    .iter()
                    .all(|name| Scope::parse(name).is_some_and(Scope::is_drive)),
                "{label}"
            );
            assert!(
                names.iter().all(|name| !name.ends_with(":purge")),
                "{label}"
            );
            assert!(
                previous.iter().all(|name| names.contains(name)),
                "{label} keeps the one before"
            );
            previous = names.to_vec();
        }
    }
}
