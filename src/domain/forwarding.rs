//! A mailbox's forwarding targets as a client sends them: the plan's cap is checked before any
//! address is read (a 2 MiB list of addresses costs nothing), duplicates are found with a set,
//! and the mailbox may not forward to itself. Linear in the (capped) number of targets.

use super::email::Address;
use std::collections::HashSet;

/// Why a list of targets was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetsProblem {
    /// More targets than the plan allows: `(cap, given)`.
    OverCap { cap: usize, given: usize },
    /// One target is wrong: its field (`targets[3]`) and why.
    Invalid { field: String, message: String },
}

/// The targets of a forwarding change, in the client's order, each address once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardingTargets(Vec<Address>);

impl ForwardingTargets {
    pub fn parse(
        raw: &[String],
        own_address: &str,
        cap: usize,
    ) -> Result<ForwardingTargets, TargetsProblem> {
        if raw.len() > cap {
            return Err(TargetsProblem::OverCap {
                cap,
                given: raw.len(),
            });
        }
        let own = own_address.to_lowercase();
        let mut seen = HashSet::with_capacity(raw.len());
        let mut targets = Vec::with_capacity(raw.len());
        for (index, target) in raw.iter().enumerate() {
            let invalid = |message: String| TargetsProblem::Invalid {
                field: format!("targets[{index}]"),
                message,
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

    pub fn addresses(&self) -> &[Address] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[&str], cap: usize) -> Result<ForwardingTargets, TargetsProblem> {
        let raw: Vec<String> = raw.iter().map(|s| s.to_string()).collect();
        ForwardingTargets::parse(&raw, "hello@acme.test", cap)
    }

    #[test]
    fn the_cap_is_checked_before_any_address() {
        // Garbage beyond the cap is never parsed: the answer is the cap, not the first bad address.
        let many = vec!["not an address"; 100_000];
        assert_eq!(
            parse(&many, 15),
            Err(TargetsProblem::OverCap {
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
                Err(TargetsProblem::Invalid {
                    field: got,
                    message,
                }) => {
                    assert_eq!(&got, field, "{raw:?}");
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
}
