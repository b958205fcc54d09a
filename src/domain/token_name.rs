//! A token's name: what the owner calls it ("Claude Agent", "CI/CD Pipeline").

use super::unicode::{self, Category};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_NAME_CHARS: usize = 100;

/// A name of 1 to [`MAX_NAME_CHARS`] characters, in Unicode NFC, trimmed, with runs of white
/// space collapsed to one ordinary space, and without invisible or direction-changing
/// characters (format characters such as U+200B ZERO WIDTH SPACE or U+202E RIGHT-TO-LEFT
/// OVERRIDE, control characters, private-use and unassigned code points): a name reads the same
/// in the list, the audit log and a terminal, and `Prod\u{200b}` cannot pose beside `Prod`.
/// Uniqueness is decided on this normalised form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenName(String);

impl TokenName {
    pub fn parse(raw: &str) -> Result<TokenName, String> {
        Self::parse_with_max(raw, MAX_NAME_CHARS)
    }

    /// The same rules with another length limit (message tokens allow 255 characters, as
    /// TrekMail's API does).
    pub fn parse_with_max(raw: &str, max_chars: usize) -> Result<TokenName, String> {
        // Far too long whatever normalisation does: refused before any work proportional to it.
        // Counted as sent, spaces included (folding runs of spaces does not make room), and
        // before any work proportional to the length.
        if raw.len() > max_chars * 4 || raw.chars().count() > max_chars {
            return Err(format!("The name can be at most {max_chars} characters."));
        }
        if raw
            .chars()
            .any(|c| c.is_control() && !c.is_whitespace() || c == '\u{85}')
        {
            return Err("The name cannot contain control characters.".into());
        }
        if raw.contains(['\n', '\r', '\u{2028}', '\u{2029}']) {
            return Err("The name must be a single line.".into());
        }
        if let Some(hidden) = raw.chars().find(|c| is_hidden(*c)) {
            return Err(format!(
                "The name cannot contain invisible or text-direction characters (found U+{:04X}).",
                u32::from(hidden)
            ));
        }
        // Variation selectors only pick a glyph's look (text or emoji ❤️); they are dropped, so
        // `Prod\u{FE0F}` is the name `Prod`. Dropped before normalising: a selector between two
        // accents keeps them from being put in canonical order, so dropping it afterwards left a
        // name that normalised differently the next time (found by `make fuzz`).
        let without_selectors: String =
            raw.chars().filter(|c| !is_variation_selector(*c)).collect();
        let normalised = unicode::nfc(&without_selectors);
        if stacked_marks(&normalised) > MAX_STACKED_MARKS {
            return Err("The name has too many accents on one letter.".into());
        }
        let name = normalised.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err("Enter a name for the token.".into());
        }
        if name.chars().count() > max_chars {
            return Err(format!("The name can be at most {max_chars} characters."));
        }
        Ok(TokenName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Characters that draw nothing or change how the text around them is drawn.
/// Combining marks one letter may carry (Vietnamese needs two; "Zalgo" text piles up dozens that
/// spill over the rows above and below).
const MAX_STACKED_MARKS: usize = 4;

/// The longest run of combining marks in `text`.
fn stacked_marks(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if unicode::category(c) == Category::Mark {
            run + 1
        } else {
            0
        };
        longest = longest.max(run);
    }
    longest
}

/// Variation selectors: standard, ideographic and Mongolian.
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{180B}'..='\u{180D}' | '\u{180F}')
}

/// (Hangul fillers, the combining grapheme joiner, the Khmer inherent vowels and the blank
/// Braille pattern are letters and marks that draw nothing.)
fn is_hidden(c: char) -> bool {
    unicode::category(c) == Category::Invisible
        || matches!(
            c,
            '\u{115F}'
                | '\u{1160}'
                | '\u{3164}'
                | '\u{FFA0}'
                | '\u{034F}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{2800}'
        )
}

impl fmt::Display for TokenName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `make fuzz`: a variation selector between two accents (U+0747, then U+FE27, which
    /// sorts before it) kept them apart while normalising; dropped afterwards, it left them out
    /// of canonical order, and the stored name parsed into another name.
    #[test]
    fn a_parsed_name_parses_to_itself_even_with_selectors_between_accents() {
        let raw = "\u{747}\u{fe07}!:\u{747}:\u{747}\u{fe07}\u{fe27}!^";
        let name = TokenName::parse(raw).unwrap();
        assert_eq!(name.as_str(), "\u{747}!:\u{747}:\u{fe27}\u{747}!^");
        assert_eq!(TokenName::parse(name.as_str()), Ok(name));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        let cases: &[(&str, Option<&str>)] = &[
            ("CI/CD Pipeline", Some("CI/CD Pipeline")),
            ("  Claude Agent \t", Some("Claude Agent")),
            ("é", Some("é")),
            ("", None),
            ("   ", None),
            ("line\nbreak", None),
            ("tab\tinside", Some("tab inside")),
            ("two   spaces", Some("two spaces")),
            ("Prod\u{200b}", None),
            ("\u{200b}", None),
            ("backup \u{202e}txt.exe", None),
            ("a\u{2066}b", None),
            ("\u{feff}Prod", None),
            ("\u{3164}", None),
            ("no\u{00a0}break", Some("no break")),
            ("bell\u{7}", None),
            // Composed and decomposed é are the same name.
            ("Cafe\u{301}", Some("Caf\u{e9}")),
            ("emoji 🚀 ok", Some("emoji 🚀 ok")),
            ("Prod\u{fe0f}", Some("Prod")),
            ("love \u{2764}\u{fe0f}", Some("love \u{2764}")),
            ("\u{2800}", None),
            ("Vi\u{1ec7}t", Some("Vi\u{1ec7}t")),
            ("Z\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}algo", None),
            ("a\u{17b4}b", None),
            // Runs of spaces fold into one, but count as sent against the limit.
            (&*format!("a{}b", " ".repeat(99)), None),
            (&*format!("a{}b", " ".repeat(98)), Some("a b")),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                TokenName::parse(raw).ok().as_ref().map(TokenName::as_str),
                *expected,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(TokenName::parse(&"ü".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(TokenName::parse(&"a".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
