//! Drafting conventions: the checks a secretariat editor makes by eye before issuing a text.
//!
//! These are warnings, not errors: a text can break a convention on purpose. Each names the
//! paragraph it concerns.
//!
//! - A preambular paragraph opens with an italicised participle or adjective (`*Recalling*`,
//!   `*Deeply concerned*`) and ends with a comma.
//! - An operative paragraph opens with an italicised verb, in the document's voice: first
//!   person in a declaration (`*Call upon*`), third person in a resolution (`*Calls upon*`). It
//!   ends with a semicolon, the last one with a full stop; a lead-in to sub-paragraphs ends
//!   with a colon.
//! - An acronym is spelled out at its first use, with the acronym in brackets after it.
//! - One term is spelled one way throughout ("Türkiye" or "Turkey", not both).

use std::collections::BTreeMap;

use super::declaration::{Declaration, DocumentStyle, ParagraphNumber, Part};
use super::id::ClauseId;

/// A convention a paragraph breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StyleWarning {
    /// The paragraph, or `None` for the chapeau or the document as a whole.
    pub paragraph: Option<(ParagraphNumber, ClauseId)>,
    pub message: String,
}

/// Pairs of spellings of one term; a text should use one of each pair.
const VARIANTS: &[(&str, &str)] = &[
    ("Türkiye", "Turkey"),
    ("organization", "organisation"),
    ("organized", "organised"),
    ("programme", "program"),
    ("counter-terrorism", "counterterrorism"),
    ("cooperation", "co-operation"),
    ("Kyrgyzstan", "Kirghizia"),
    ("Belarus", "Byelorussia"),
    ("Côte d'Ivoire", "Ivory Coast"),
];

pub fn style_warnings(declaration: &Declaration) -> Vec<StyleWarning> {
    let mut warnings = Vec::new();
    let operative_count = declaration.order(Part::Operative).len();
    for (number, id, clause) in declaration.numbered() {
        let mut warn = |message: String| {
            warnings.push(StyleWarning {
                paragraph: Some((number, id.clone())),
                message,
            })
        };
        let opening = opening_italics(&clause.text);
        let last = clause.subparagraphs.last().unwrap_or(&clause.text);
        match number.part {
            Part::Preamble => {
                if opening.is_none() {
                    warn(
                        "should open with an italicised participle or adjective, e.g. *Recalling*"
                            .into(),
                    );
                }
                if !clause.subparagraphs.is_empty() && !clause.text.trim_end().ends_with(':') {
                    warn(
                        "introduces sub-paragraphs, so its lead-in should end with a colon".into(),
                    );
                }
                if !last.trim_end().ends_with(',') {
                    warn("should end with a comma".into());
                }
            }
            Part::Operative => {
                match opening {
                    None => warn("should open with an italicised verb, e.g. *Call upon*".into()),
                    Some(verb) => {
                        let first_word = verb.split_whitespace().next().unwrap_or("");
                        let third_person = first_word.ends_with('s') && !first_word.ends_with("ss");
                        match declaration.meta.style {
                            DocumentStyle::Declaration if third_person => warn(format!(
                                "opens with *{verb}*: a declaration speaks in the first person (*Call upon*, not *Calls upon*)"
                            )),
                            DocumentStyle::Resolution if !third_person => warn(format!(
                                "opens with *{verb}*: a resolution speaks in the third person (*Calls upon*, not *Call upon*)"
                            )),
                            _ => {}
                        }
                    }
                }
                let is_last = number.number == operative_count;
                let end = if is_last { '.' } else { ';' };
                if !clause.subparagraphs.is_empty() {
                    if !clause.text.trim_end().ends_with(':') {
                        warn(
                            "introduces sub-paragraphs, so its lead-in should end with a colon"
                                .into(),
                        );
                    }
                    let count = clause.subparagraphs.len();
                    for (idx, sub) in clause.subparagraphs.iter().enumerate().take(count - 1) {
                        if !sub.trim_end().ends_with(';') {
                            warn(format!(
                                "sub-paragraph ({}) should end with a semicolon",
                                super::declaration::subparagraph_label(idx)
                            ));
                        }
                    }
                }
                if !last.trim_end().ends_with(end) {
                    warn(if is_last {
                        "is the last operative paragraph, so it should end with a full stop".into()
                    } else {
                        "should end with a semicolon".into()
                    });
                }
            }
        }
    }
    warnings.extend(acronym_warnings(declaration));
    warnings.extend(variant_warnings(declaration));
    warnings
}

/// The text of the italic run a paragraph opens with (`*Deeply concerned*`).
fn opening_italics(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix('*')?;
    if rest.starts_with('*') {
        return None;
    }
    let end = rest.find('*')?;
    Some(rest[..end].trim())
}

/// The chapeau and every paragraph's wording, in reading order.
fn texts(declaration: &Declaration) -> Vec<(Option<(ParagraphNumber, ClauseId)>, String)> {
    let mut texts = vec![(None, declaration.meta.chapeau.clone())];
    for (number, id, clause) in declaration.numbered() {
        texts.push((Some((number, id.clone())), clause.wording()));
    }
    texts
}

fn acronym_warnings(declaration: &Declaration) -> Vec<StyleWarning> {
    let mut seen = std::collections::HashSet::new();
    let mut warnings = Vec::new();
    for (paragraph, text) in texts(declaration) {
        for word in words(&text) {
            let (start, token) = word;
            if !is_acronym(token) || !seen.insert(token.to_owned()) {
                continue;
            }
            let before = text[..start].chars().next_back();
            let after = text[start + token.len()..].chars().next();
            if !(before == Some('(') && after == Some(')')) {
                warnings.push(StyleWarning {
                    paragraph: paragraph.clone(),
                    message: format!("{token} is used before it is spelled out: write the name in full at its first use, then ({token})"),
                });
            }
        }
    }
    warnings
}

/// Words with their byte offsets.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut start = None;
    for (idx, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let in_word = c.is_alphanumeric() || c == '-' || c == '\'';
        match (in_word, start) {
            (true, None) => start = Some(idx),
            (false, Some(from)) => {
                found.push((from, &text[from..idx]));
                start = None;
            }
            _ => {}
        }
    }
    found
}

/// Two or more capitals, perhaps with a final lower-case letter (`NGOs` is not one; `PNR` is);
/// Roman numerals are not acronyms.
fn is_acronym(word: &str) -> bool {
    let capitals = word.chars().filter(|c| c.is_uppercase()).count();
    capitals >= 2
        && word.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
        && !word.chars().all(|c| "IVXLCDM".contains(c))
}

fn variant_warnings(declaration: &Declaration) -> Vec<StyleWarning> {
    let mut warnings = Vec::new();
    let texts = texts(declaration);
    for (one, other) in VARIANTS {
        let mut uses: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (paragraph, text) in &texts {
            for variant in [one, other] {
                // A common word is compared as written: a capitalised "Co-operation" is part of
                // a proper name ("Organization for Security and Co-operation in Europe") that
                // keeps its own spelling. A proper name is compared as it stands.
                let found = words(text).iter().any(|(_, w)| w == variant)
                    || (variant.contains(' ') && text.contains(variant));
                if found {
                    let place = paragraph
                        .as_ref()
                        .map_or_else(|| "the chapeau".to_owned(), |(n, _)| n.to_string());
                    uses.entry(variant).or_default().push(place);
                }
            }
        }
        if let (Some(first), Some(second)) = (uses.get(one), uses.get(other)) {
            warnings.push(StyleWarning {
                paragraph: None,
                message: format!(
                    "\"{one}\" ({}) and \"{other}\" ({}) are both used: spell the term one way throughout",
                    first.join(", "),
                    second.join(", ")
                ),
            });
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_italics_and_acronyms() {
        assert_eq!(
            opening_italics("*Deeply concerned* that"),
            Some("Deeply concerned")
        );
        assert_eq!(opening_italics("**Bold** text"), None);
        assert_eq!(opening_italics("Plain"), None);
        assert!(is_acronym("PNR"));
        assert!(is_acronym("OSCE"));
        assert!(!is_acronym("II"));
        assert!(!is_acronym("States"));
        assert!(!is_acronym("A"));
    }
}
