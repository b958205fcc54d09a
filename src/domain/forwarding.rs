//! A mailbox's forwarding targets as a client sends them: the plan's cap is checked before any
//! address is read (a 2 MiB list of addresses costs nothing), duplicates are found with a set,
//! and the mailbox may not forward to itself. Linear in the (capped) number of targets.

use super::email::Address;
use super::field::FieldErrors;
use std::collections::HashSet;

/// Why a forwarding change was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForwardingError {
    /// More targets than the plan allows.
    OverCap { cap: usize, given: usize },
    /// A field is wrong (`targets[3]`, or an empty `targets` with forwarding turned on).
    Invalid(FieldErrors),
    /// Forwarding turned on keeping the current targets, and there are none.
    NoTargets,
}

/// The targets of a forwarding change, in the client's order, each address once.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ForwardingTargets(Vec<Address>);

impl ForwardingTargets {
    fn parse(
        raw: &[String],
        own_address: &str,
        cap: usize,
    ) -> Result<ForwardingTargets, ForwardingError> {
        if raw.len() > cap {
            return Err(ForwardingError::OverCap {
                cap,
                given: raw.len(),
            });
        }
        let own = own_address.to_lowercase();
        let mut seen = HashSet::with_capacity(raw.len());
        let mut targets = Vec::with_capacity(raw.len());
        for (index, target) in raw.iter().enumerate() {
            let invalid = |message: String| {
                ForwardingError::Invalid(FieldErrors::single(format!("targets[{index}]"), message))
            };
            let address = Address::parse(target).map_err(invalid)?;
            let key = address.as_str().to_lowercase();
            if key == own {
                return Err(invalid("A mailbox cannot forward to itself.".into()));
            }
            if !seen.insert(key) {
                return Err(invalid(format!("{address} is listed twice.")));
            }
            targets.push(address);
        }
        Ok(ForwardingTargets(targets))
    }

    fn addresses(&self) -> &[Address] {
        &self.0
    }
}

/// A mailbox's forwarding as a change leaves it: on or off, where to, and whether the mailbox
/// keeps a copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forwarding {
    pub enabled: bool,
    pub targets: Vec<String>,
    pub keep_copy: bool,
}

impl Forwarding {
    /// A change as a client sends it. Absent `targets` keep the `current` ones (usual when
    /// turning forwarding off); absent `keep_copy` means keep a copy. Forwarding cannot be on
    /// without a target.
    pub fn parse(
        enabled: bool,
        targets: Option<&[String]>,
        keep_copy: Option<bool>,
        own_address: &str,
        current: Vec<String>,
        cap: usize,
    ) -> Result<Forwarding, ForwardingError> {
        let kept = targets.is_none();
        let targets = match targets {
            None => current,
            Some(raw) => ForwardingTargets::parse(raw, own_address, cap)?
                .addresses()
                .iter()
                .map(|address| address.as_str().to_string())
                .collect(),
        };
        if enabled && targets.is_empty() && kept {
            return Err(ForwardingError::NoTargets);
        }
        if enabled && targets.is_empty() {
            return Err(ForwardingError::Invalid(FieldErrors::single(
                "targets",
                "Give at least one target to turn forwarding on.",
            )));
        }
        Ok(Forwarding {
            enabled,
            targets,
            keep_copy: keep_copy.unwrap_or(true),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[&str], cap: usize) -> Result<ForwardingTargets, ForwardingError> {
        let raw: Vec<String> = raw.iter().map(|s| s.to_string()).collect();
        ForwardingTargets::parse(&raw, "hello@acme.test", cap)
    }

    #[test]
    fn the_cap_is_checked_before_any_address() {
        // Garbage beyond the cap is never parsed: the answer is the cap, not the first bad address.
        let many = vec!["not an address"; 100_000];
        assert_eq!(
            parse(&many, 15),
            Err(ForwardingError::OverCap {
                cap: 15,
                given: 100_000
            })
        );
    }

    #[test]
    fn refusals_name_the_target() {
        let cases: &[(&[&str], &str, &str)] = &[
            (&["a@x.test", "A@X.test"], "targets[1]", "listed twice"),
            (&["Hello@acme.test"], "targets[0]", "itself"),
            (&["ok@x.test", "nope"], "targets[1]", "not a valid"),
            (&["\"a b\"@x.test"], "targets[0]", "quoted"),
        ];
        for (raw, field, needle) in cases {
            match parse(raw, 15) {
                Err(ForwardingError::Invalid(errors)) => {
                    let message = errors
                        .get(field)
                        .unwrap_or_else(|| panic!("{raw:?}: {errors:?}"));
                    assert!(message.contains(needle), "{raw:?}: {message}");
                }
                other => panic!("{raw:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn keeps_order_and_accepts_up_to_the_cap() {
        let targets = parse(&["b@x.test", "a@x.test"], 2).unwrap();
        let names: Vec<&str> = targets.addresses().iter().map(Address::as_str).collect();
        assert_eq!(names, ["b@x.test", "a@x.test"]);
    }

    #[test]
    fn a_change_keeps_or_replaces_the_targets() {
        let current = vec!["kept@x.test".to_string()];
        let off = Forwarding::parse(false, None, None, "me@x.test", current.clone(), 5).unwrap();
        assert_eq!(
            (off.enabled, off.targets.clone(), off.keep_copy),
            (false, current.clone(), true)
        );
        let new = ["new@x.test".to_string()];
        let on = Forwarding::parse(true, Some(&new), Some(false), "me@x.test", current, 5).unwrap();
        assert_eq!(
            (on.targets, on.keep_copy),
            (vec!["new@x.test".to_string()], false)
        );
        match Forwarding::parse(true, Some(&[]), None, "me@x.test", vec![], 5) {
            Err(ForwardingError::Invalid(errors)) => assert!(errors.get("targets").is_some()),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            Forwarding::parse(true, None, None, "me@x.test", vec![], 5),
            Err(ForwardingError::NoTargets)
        );
    }
}
