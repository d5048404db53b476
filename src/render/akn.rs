//! Akoma Ntoso 3.0 (OASIS LegalDocML) XML: the archival form of the text.
//!
//! The document is a `statement` named "declaration": FRBR metadata (work, expression,
//! manifestation), a preface with symbol, date and title, a preamble holding the chapeau as a
//! `formula` and the preambular paragraphs as `recital`s, and a main body of operative
//! `paragraph`s with sub-paragraphs as `point`s. `eId`s derive from the numbering (`para_3`,
//! `para_3__point_b`); each clause's stable id is kept as its `GUID`. Written with quick-xml,
//! which escapes all text and attribute values; characters XML cannot hold at all are made
//! visible as `<U+XXXX>`.

use std::io::Cursor;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::export::{ExportParagraph, ExportView};
use super::inline::InlineRun;

const NAMESPACE: &str = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0";

type XmlWriter = Writer<Cursor<Vec<u8>>>;
type XmlResult = std::io::Result<()>;

/// The export as Akoma Ntoso XML. `generated_on` is the manifestation's date (ISO 8601).
pub fn akoma_ntoso(view: &ExportView, generated_on: &str) -> String {
    let mut writer = Writer::new(Cursor::new(Vec::new()));
    write_document(&mut writer, view, generated_on).expect("writing to memory cannot fail");
    let xml = String::from_utf8(writer.into_inner().into_inner()).expect("quick-xml writes UTF-8");
    without_forbidden_characters(&xml) + "\n"
}

/// XML 1.0 forbids most control characters even as character references, so a wording that
/// holds one (an escape sequence, say) would make the whole document unreadable. decl's own
/// markup has none, so any found is in escaped text or an attribute value: it is shown as
/// `<U+001B>`, as on a terminal, escaped for XML.
fn without_forbidden_characters(xml: &str) -> String {
    replace_forbidden(xml, |c, out| {
        out.push_str(&format!("&lt;U+{:04X}&gt;", c as u32))
    })
}

/// Text with the characters XML cannot hold shown as `<U+001B>`, for a writer that escapes
/// markup but passes those through (docx-rs).
pub(crate) fn xml_safe(text: &str) -> String {
    replace_forbidden(text, |c, out| {
        out.push_str(&format!("<U+{:04X}>", c as u32))
    })
}

fn replace_forbidden(text: &str, replace: impl Fn(char, &mut String)) -> String {
    let forbidden = |c: char| {
        ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
            || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    if !text.contains(forbidden) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if forbidden(c) {
            replace(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

fn write_document(w: &mut XmlWriter, view: &ExportView, generated_on: &str) -> XmlResult {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    newline(w)?;
    let slug: String = view
        .symbol
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let language = iso_639_2(&view.lang);
    let work = format!(
        "/akn/un/statement/declaration/{}/{}",
        view.date_iso,
        slug.trim_matches('-')
    );
    let expression = format!(
        "{work}/{language}@{}",
        if view.draft { "draft" } else { "" }
    );
    w.create_element("akomaNtoso")
        .with_attribute(("xmlns", NAMESPACE))
        .write_inner_content(|w| {
            newline(w)?;
            w.create_element("statement")
                .with_attribute(("name", "declaration"))
                .write_inner_content(|w| {
                    newline(w)?;
                    write_meta(w, view, &work, &expression, language, generated_on)?;
                    write_preface(w, view)?;
                    write_preamble(w, view)?;
                    write_body(w, view)?;
                    Ok(())
                })?;
            newline(w)
        })?;
    Ok(())
}

fn write_meta(
    w: &mut XmlWriter,
    view: &ExportView,
    work: &str,
    expression: &str,
    language: &str,
    generated_on: &str,
) -> XmlResult {
    w.create_element("meta").write_inner_content(|w| {
        newline(w)?;
        w.create_element("identification")
            .with_attribute(("source", "#decl"))
            .write_inner_content(|w| {
                newline(w)?;
                let frbr =
                    |w: &mut XmlWriter,
                     element: &str,
                     this: &str,
                     uri: &str,
                     date: &str,
                     date_name: &str,
                     author: &str,
                     extra: &dyn Fn(&mut XmlWriter) -> XmlResult| {
                        w.create_element(element).write_inner_content(|w| {
                            w.create_element("FRBRthis")
                                .with_attribute(("value", this))
                                .write_empty()?;
                            w.create_element("FRBRuri")
                                .with_attribute(("value", uri))
                                .write_empty()?;
                            w.create_element("FRBRdate")
                                .with_attribute(("date", date))
                                .with_attribute(("name", date_name))
                                .write_empty()?;
                            w.create_element("FRBRauthor")
                                .with_attribute(("href", author))
                                .write_empty()?;
                            extra(w)
                        })?;
                        newline(w)
                    };
                let adoption = if view.draft { "draft" } else { "adoption" };
                frbr(
                    w,
                    "FRBRWork",
                    &format!("{work}/!main"),
                    work,
                    &view.date_iso,
                    adoption,
                    "#conference",
                    &|w| {
                        w.create_element("FRBRcountry")
                            .with_attribute(("value", "un"))
                            .write_empty()?;
                        Ok(())
                    },
                )?;
                frbr(
                    w,
                    "FRBRExpression",
                    &format!("{expression}/!main"),
                    expression,
                    &view.date_iso,
                    adoption,
                    "#conference",
                    &|w| {
                        w.create_element("FRBRlanguage")
                            .with_attribute(("language", language))
                            .write_empty()?;
                        Ok(())
                    },
                )?;
                frbr(
                    w,
                    "FRBRManifestation",
                    &format!("{expression}/!main.xml"),
                    &format!("{expression}.akn"),
                    generated_on,
                    "generation",
                    "#decl",
                    &|_| Ok(()),
                )?;
                Ok(())
            })?;
        newline(w)?;
        w.create_element("references")
            .with_attribute(("source", "#decl"))
            .write_inner_content(|w| {
                newline(w)?;
                w.create_element("TLCOrganization")
                    .with_attribute(("eId", "conference"))
                    .with_attribute(("href", "/akn/ontology/organization/un/conference"))
                    .with_attribute(("showAs", view.conference.as_str()))
                    .write_empty()?;
                newline(w)?;
                w.create_element("TLCOrganization")
                    .with_attribute(("eId", "decl"))
                    .with_attribute(("href", "/akn/ontology/organization/decl"))
                    .with_attribute(("showAs", "decl"))
                    .write_empty()?;
                newline(w)
            })?;
        newline(w)
    })?;
    newline(w)
}

fn write_preface(w: &mut XmlWriter, view: &ExportView) -> XmlResult {
    w.create_element("preface").write_inner_content(|w| {
        newline(w)?;
        if view.draft {
            w.create_element("p")
                .with_attribute(("class", "draft"))
                .write_text_content(BytesText::new(&format!("DRAFT ({})", view.revision)))?;
            newline(w)?;
        }
        w.create_element("p")
            .with_attribute(("class", "symbol"))
            .write_inner_content(|w| {
                w.create_element("docNumber")
                    .write_text_content(BytesText::new(&view.symbol))?;
                Ok(())
            })?;
        newline(w)?;
        w.create_element("p")
            .with_attribute(("class", "date"))
            .write_inner_content(|w| {
                w.create_element("docDate")
                    .with_attribute(("date", view.date_iso.as_str()))
                    .write_text_content(BytesText::new(&view.date_text))?;
                Ok(())
            })?;
        newline(w)?;
        w.create_element("p")
            .with_attribute(("class", "conference"))
            .write_text_content(BytesText::new(&format!(
                "{}, {}, {}",
                view.conference, view.place, view.dates_text
            )))?;
        newline(w)?;
        w.create_element("p")
            .with_attribute(("class", "title"))
            .write_inner_content(|w| {
                w.create_element("docTitle")
                    .write_text_content(BytesText::new(&view.title))?;
                Ok(())
            })?;
        newline(w)
    })?;
    newline(w)
}

fn write_preamble(w: &mut XmlWriter, view: &ExportView) -> XmlResult {
    w.create_element("preamble").write_inner_content(|w| {
        newline(w)?;
        w.create_element("formula")
            .with_attribute(("name", "chapeau"))
            .write_inner_content(|w| paragraph_text(w, &view.chapeau))?;
        newline(w)?;
        if !view.preamble.is_empty() {
            w.create_element("recitals").write_inner_content(|w| {
                newline(w)?;
                for paragraph in &view.preamble {
                    w.create_element("recital")
                        .with_attribute(("eId", paragraph.eid.as_str()))
                        .with_attribute(("GUID", paragraph.id.as_str()))
                        .write_inner_content(|w| {
                            paragraph_text(w, &paragraph.runs)?;
                            for sub in &paragraph.subparagraphs {
                                let mut runs = vec![InlineRun {
                                    text: format!("{} ", sub.num),
                                    italic: false,
                                    bold: false,
                                }];
                                runs.extend(sub.runs.iter().cloned());
                                paragraph_text(w, &runs)?;
                            }
                            Ok(())
                        })?;
                    newline(w)?;
                }
                Ok(())
            })?;
            newline(w)?;
        }
        Ok(())
    })?;
    newline(w)
}

fn write_body(w: &mut XmlWriter, view: &ExportView) -> XmlResult {
    w.create_element("mainBody").write_inner_content(|w| {
        newline(w)?;
        for paragraph in &view.operative {
            write_operative(w, paragraph)?;
            newline(w)?;
        }
        Ok(())
    })?;
    newline(w)
}

fn write_operative(w: &mut XmlWriter, paragraph: &ExportParagraph) -> XmlResult {
    w.create_element("paragraph")
        .with_attribute(("eId", paragraph.eid.as_str()))
        .with_attribute(("GUID", paragraph.id.as_str()))
        .write_inner_content(|w| {
            w.create_element("num")
                .write_text_content(BytesText::new(&paragraph.num))?;
            if paragraph.subparagraphs.is_empty() {
                w.create_element("content")
                    .write_inner_content(|w| paragraph_text(w, &paragraph.runs))?;
                return Ok(());
            }
            w.create_element("intro")
                .write_inner_content(|w| paragraph_text(w, &paragraph.runs))?;
            for sub in &paragraph.subparagraphs {
                w.create_element("point")
                    .with_attribute(("eId", sub.eid.as_str()))
                    .write_inner_content(|w| {
                        w.create_element("num")
                            .write_text_content(BytesText::new(&sub.num))?;
                        w.create_element("content")
                            .write_inner_content(|w| paragraph_text(w, &sub.runs))?;
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// `<p>` with `<i>` and `<b>` for emphasis (`em`/`strong` are not Akoma Ntoso).
fn paragraph_text(w: &mut XmlWriter, runs: &[InlineRun]) -> XmlResult {
    w.create_element("p").write_inner_content(|w| {
        for run in runs {
            let text = BytesText::new(&run.text);
            match (run.italic, run.bold) {
                (false, false) => {
                    w.write_event(Event::Text(text))?;
                }
                (true, false) => {
                    w.create_element("i").write_text_content(text)?;
                }
                (false, true) => {
                    w.create_element("b").write_text_content(text)?;
                }
                (true, true) => {
                    w.create_element("b").write_inner_content(|w| {
                        w.create_element("i").write_text_content(text)?;
                        Ok(())
                    })?;
                }
            }
        }
        Ok(())
    })?;
    Ok(())
}

fn newline(w: &mut XmlWriter) -> XmlResult {
    w.write_event(Event::Text(BytesText::new("\n")))
}

/// Akoma Ntoso names languages by their ISO 639-2 code; a code not in this table is passed
/// through as it is.
fn iso_639_2(language: &str) -> &str {
    match language.split(['-', '_']).next().unwrap_or(language) {
        "en" => "eng",
        "ru" => "rus",
        "ar" => "ara",
        "zh" => "zho",
        "fr" => "fra",
        "es" => "spa",
        "tg" => "tgk",
        "tr" => "tur",
        "kk" => "kaz",
        "uz" => "uzb",
        "de" => "deu",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::without_forbidden_characters;

    /// An escape sequence in a wording used to make the whole Akoma Ntoso file ill-formed.
    #[test]
    fn characters_xml_cannot_hold_are_made_visible() {
        assert_eq!(
            without_forbidden_characters("<p a=\"x\u{1b}\">\u{1b}[2J\tok\u{202E}</p>"),
            "<p a=\"x&lt;U+001B&gt;\">&lt;U+001B&gt;[2J\tok\u{202E}</p>"
        );
        assert_eq!(super::xml_safe("a\u{7}b"), "a<U+0007>b");
    }
}
