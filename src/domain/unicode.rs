//! The Unicode data the name rule needs: NFC normalisation and a character's general category.
//!
//! The rule itself lives in `token_name` and is the same everywhere; only where the Unicode
//! tables come from differs. The server uses the `unicode-normalization` and
//! `unicode-properties` crates. The browser asks its own JavaScript engine, which already holds
//! the Unicode tables: shipping them again cost about 155 KB of the WASM bundle (measured with
//! twiggy: the bundle's data segment fell from 234 KB to 79 KB). Both follow the Unicode
//! standard; if the browser's version is older or newer, the server, which checks every name
//! again, has the last word.

/// The general-category groups the name rule asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// A combining mark (Mn, Mc, Me).
    Mark,
    /// Draws nothing or is not a character yet: format, private use, surrogate, unassigned
    /// (Cf, Co, Cs, Cn).
    Invisible,
    Other,
}

#[cfg(not(target_arch = "wasm32"))]
mod tables {
    use super::Category;
    use unicode_normalization::UnicodeNormalization;
    use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

    pub fn nfc(text: &str) -> String {
        text.nfc().collect()
    }

    pub fn category(c: char) -> Category {
        if c.general_category_group() == GeneralCategoryGroup::Mark {
            return Category::Mark;
        }
        match c.general_category() {
            GeneralCategory::Format
            | GeneralCategory::PrivateUse
            | GeneralCategory::Surrogate
            | GeneralCategory::Unassigned => Category::Invisible,
            _ => Category::Other,
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod tables {
    use super::Category;
    use js_sys::{JsString, RegExp};

    pub fn nfc(text: &str) -> String {
        JsString::from(text).normalize("NFC").into()
    }

    thread_local! {
        static MARK: RegExp = RegExp::new(r"^\p{M}$", "u");
        static INVISIBLE: RegExp = RegExp::new(r"^[\p{Cf}\p{Co}\p{Cs}\p{Cn}]$", "u");
    }

    pub fn category(c: char) -> Category {
        let text = c.to_string();
        if MARK.with(|re| re.test(&text)) {
            Category::Mark
        } else if INVISIBLE.with(|re| re.test(&text)) {
            Category::Invisible
        } else {
            Category::Other
        }
    }
}

/// `text` in Normalization Form C.
pub fn nfc(text: &str) -> String {
    tables::nfc(text)
}

/// Which of the rule's groups `c` belongs to.
pub fn category(c: char) -> Category {
    tables::category(c)
}
