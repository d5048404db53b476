//! The final text as the secretariat issues it: Markdown, plain text, HTML and JSON.
//!
//! Every format is fed by one [`ExportView`]: the heading (symbol, date, title, conference),
//! the chapeau, and the paragraphs with their derived numbers in the typography of a UN
//! outcome document: preambular paragraphs unnumbered with their opening words in italics,
//! operative paragraphs numbered 1., 2., ... with their opening verb in italics, sub-paragraphs
//! (a), (b), ... indented. Word and Akoma Ntoso are in their own modules.

use serde::Serialize;

use super::inline::{InlineRun, inline_runs, plain_text};
use super::redline_doc::{direction, escape_markdown};
use super::templates::{RenderError, render};
use crate::model::adoption::Translation;
use crate::model::declaration::subparagraph_label;
use crate::model::{Declaration, Part};

#[derive(Debug, Clone, Serialize)]
pub struct ExportView {
    pub lang: String,
    pub dir: String,
    /// The language the text was negotiated in (the declaration's first language).
    pub original_lang: String,
    pub draft: bool,
    pub symbol: String,
    /// The adoption date as printed ("19 October 2022") and as ISO 8601.
    pub date_text: String,
    pub date_iso: String,
    pub title: String,
    pub short_title: String,
    pub conference: String,
    pub place: String,
    pub dates_text: String,
    /// The revision exported ("Adopted text", "Rev.2", "working text").
    pub revision: String,
    pub chapeau: Vec<InlineRun>,
    pub preamble: Vec<ExportParagraph>,
    pub operative: Vec<ExportParagraph>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportParagraph {
    /// The clause's stable id.
    pub id: String,
    /// The derived identifier used in XML: `pp_3`, `para_12`.
    pub eid: String,
    /// "PP 3" or "OP 12", as negotiators cite it.
    pub citation: String,
    /// The printed number: "" for a preambular paragraph, "12." for an operative one.
    pub num: String,
    pub runs: Vec<InlineRun>,
    pub subparagraphs: Vec<ExportSubparagraph>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportSubparagraph {
    pub eid: String,
    pub num: String,
    pub runs: Vec<InlineRun>,
}

impl ExportView {
    /// The view of `declaration`, in `translation`'s language when given (clauses without a
    /// translation stay in the source language; the command decides whether that is allowed).
    pub fn new(
        declaration: &Declaration,
        translation: Option<&Translation>,
        revision: &str,
        draft: bool,
    ) -> Self {
        let meta = &declaration.meta;
        let heading = translation.and_then(|t| t.meta.as_ref());
        let pick =
            |translated: Option<&String>, source: &String| translated.unwrap_or(source).clone();
        let original_lang = meta
            .languages
            .first()
            .cloned()
            .unwrap_or_else(|| "en".into());
        let language = translation
            .map(|t| t.language.clone())
            .unwrap_or_else(|| original_lang.clone());
        let adopted_on = meta.dates.to.unwrap_or(meta.dates.from);
        let dates_text = match language.as_str() {
            "ru" => dates_in(&RUSSIAN, meta.dates.from, meta.dates.to),
            "ar" => dates_in(&ARABIC, meta.dates.from, meta.dates.to),
            _ => meta.dates.long_form(),
        };
        let date_text = match language.as_str() {
            "ru" => dates_in(&RUSSIAN, adopted_on, None),
            "ar" => dates_in(&ARABIC, adopted_on, None),
            _ => adopted_on.format("%-d %B %Y").to_string(),
        };
        let mut preamble = Vec::new();
        let mut operative = Vec::new();
        for (number, id, clause) in declaration.numbered() {
            let translated = translation.and_then(|t| t.clauses.get(id));
            let text = translated.map_or(&clause.text, |t| &t.text);
            let subparagraphs = translated.map_or(&clause.subparagraphs, |t| &t.subparagraphs);
            let (eid, num, target) = match number.part {
                Part::Preamble => (
                    format!("pp_{}", number.number),
                    String::new(),
                    &mut preamble,
                ),
                Part::Operative => (
                    format!("para_{}", number.number),
                    format!("{}.", number.number),
                    &mut operative,
                ),
            };
            target.push(ExportParagraph {
                id: id.to_string(),
                citation: number.to_string(),
                subparagraphs: subparagraphs
                    .iter()
                    .enumerate()
                    .map(|(idx, sub)| {
                        let letter = subparagraph_label(idx);
                        ExportSubparagraph {
                            eid: format!("{eid}__point_{letter}"),
                            num: format!("({letter})"),
                            runs: inline_runs(sub),
                        }
                    })
                    .collect(),
                eid,
                num,
                runs: inline_runs(text),
            });
        }
        ExportView {
            dir: direction(&language).to_owned(),
            lang: language,
            original_lang,
            draft,
            symbol: meta.symbol.clone(),
            date_text,
            date_iso: adopted_on.to_string(),
            title: pick(heading.map(|h| &h.title), &meta.title),
            short_title: pick(heading.map(|h| &h.short_title), &meta.short_title),
            conference: pick(heading.map(|h| &h.conference), &meta.conference),
            place: pick(heading.map(|h| &h.place), &meta.place),
            dates_text,
            revision: revision.to_owned(),
            chapeau: inline_runs(heading.map_or(&meta.chapeau, |h| &h.chapeau)),
            preamble,
            operative,
        }
    }

    pub fn html(&self, template: Option<&str>) -> Result<String, RenderError> {
        render("export.html", template, self)
    }

    /// Markdown: the clause text is Markdown already, so its emphasis is kept as written.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        if self.draft {
            out.push_str(&format!(
                "**DRAFT ({})**\n\n",
                escape_markdown(&self.revision)
            ));
        }
        out.push_str(&format!(
            "{} · {}\n\n# {}\n\n{}, {}, {}\n\n",
            escape_markdown(&self.symbol),
            escape_markdown(&self.date_text),
            escape_markdown(&self.title),
            escape_markdown(&self.conference),
            escape_markdown(&self.place),
            escape_markdown(&self.dates_text)
        ));
        out.push_str(&markdown_runs(&self.chapeau));
        out.push_str("\n\n");
        for paragraph in &self.preamble {
            out.push_str(&markdown_runs(&paragraph.runs));
            out.push_str("\n\n");
            for sub in &paragraph.subparagraphs {
                out.push_str(&format!("> {} {}\n\n", sub.num, markdown_runs(&sub.runs)));
            }
        }
        for paragraph in &self.operative {
            out.push_str(&format!(
                "{} {}\n\n",
                paragraph.num,
                markdown_runs(&paragraph.runs)
            ));
            // A list item's own paragraphs are indented to its text: four spaces under "10.".
            let indent = " ".repeat(paragraph.num.chars().count() + 1);
            for sub in &paragraph.subparagraphs {
                out.push_str(&format!(
                    "{indent}{} {}\n\n",
                    sub.num,
                    markdown_runs(&sub.runs)
                ));
            }
        }
        out
    }

    /// Plain text wrapped at `width` columns, operative numbers and sub-paragraph letters kept.
    pub fn plain(&self, width: usize) -> String {
        let wrap =
            |text: &str, first: &str, rest: &str| super::text::wrap(text, first, rest, width);
        let plain = |runs: &[InlineRun]| runs.iter().map(|r| r.text.as_str()).collect::<String>();
        let mut out = String::new();
        if self.draft {
            out.push_str(&format!("DRAFT ({})\n\n", self.revision));
        }
        out.push_str(&format!(
            "{:>width$}\n{:>width$}\n\n",
            self.symbol,
            self.date_text,
            width = width
        ));
        out.push_str(&wrap(&self.conference, "", ""));
        out.push_str(&format!("\n{}, {}\n\n", self.place, self.dates_text));
        out.push_str(&wrap(&self.title, "", ""));
        out.push_str("\n\n");
        out.push_str(&wrap(&plain(&self.chapeau), "", ""));
        out.push_str("\n\n");
        for paragraph in &self.preamble {
            out.push_str(&wrap(&plain(&paragraph.runs), "     ", ""));
            out.push_str("\n\n");
        }
        for paragraph in &self.operative {
            let number = format!("{:<5}", paragraph.num);
            out.push_str(&wrap(&plain(&paragraph.runs), &number, "     "));
            out.push_str("\n\n");
            for sub in &paragraph.subparagraphs {
                let label = format!("     {:<5}", sub.num);
                out.push_str(&wrap(&plain(&sub.runs), &label, "          "));
                out.push_str("\n\n");
            }
        }
        out.trim_end().to_owned() + "\n"
    }

    /// The numbered structure as JSON, for other tools.
    pub fn json(&self) -> String {
        #[derive(Serialize)]
        struct Paragraph<'a> {
            id: &'a str,
            citation: &'a str,
            number: &'a str,
            text: String,
            markdown: String,
            subparagraphs: Vec<Sub<'a>>,
        }
        #[derive(Serialize)]
        struct Sub<'a> {
            number: &'a str,
            text: String,
        }
        #[derive(Serialize)]
        struct Document<'a> {
            symbol: &'a str,
            date: &'a str,
            language: &'a str,
            draft: bool,
            revision: &'a str,
            title: &'a str,
            short_title: &'a str,
            conference: &'a str,
            place: &'a str,
            chapeau: String,
            preamble: Vec<Paragraph<'a>>,
            operative: Vec<Paragraph<'a>>,
        }
        fn paragraphs(list: &[ExportParagraph]) -> Vec<Paragraph<'_>> {
            list.iter()
                .map(|p| Paragraph {
                    id: &p.id,
                    citation: &p.citation,
                    number: &p.num,
                    text: p.runs.iter().map(|r| r.text.as_str()).collect(),
                    markdown: markdown_runs(&p.runs),
                    subparagraphs: p
                        .subparagraphs
                        .iter()
                        .map(|s| Sub {
                            number: &s.num,
                            text: s.runs.iter().map(|r| r.text.as_str()).collect(),
                        })
                        .collect(),
                })
                .collect()
        }
        let document = Document {
            symbol: &self.symbol,
            date: &self.date_iso,
            language: &self.lang,
            draft: self.draft,
            revision: &self.revision,
            title: &self.title,
            short_title: &self.short_title,
            conference: &self.conference,
            place: &self.place,
            chapeau: plain_text(&markdown_runs(&self.chapeau)),
            preamble: paragraphs(&self.preamble),
            operative: paragraphs(&self.operative),
        };
        serde_json::to_string_pretty(&document).expect("plain data serialises") + "\n"
    }
}

/// How a language writes a date: its month names as they follow a day, and what follows the
/// year.
struct DateStyle {
    months: [&'static str; 12],
    after_year: &'static str,
}

/// "18–19 октября 2022 года": Russian names the month in the genitive.
const RUSSIAN: DateStyle = DateStyle {
    months: [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    after_year: " года",
};

/// "18-19 تشرين الأول/أكتوبر 2022": United Nations Arabic gives both names of each month.
const ARABIC: DateStyle = DateStyle {
    months: [
        "كانون الثاني/يناير",
        "شباط/فبراير",
        "آذار/مارس",
        "نيسان/أبريل",
        "أيار/مايو",
        "حزيران/يونيه",
        "تموز/يوليه",
        "آب/أغسطس",
        "أيلول/سبتمبر",
        "تشرين الأول/أكتوبر",
        "تشرين الثاني/نوفمبر",
        "كانون الأول/ديسمبر",
    ],
    after_year: "",
};

/// A day or a span of days in `style`: "18–19 октября 2022 года".
fn dates_in(style: &DateStyle, from: chrono::NaiveDate, to: Option<chrono::NaiveDate>) -> String {
    use chrono::Datelike;
    let month = |date: chrono::NaiveDate| style.months[date.month0() as usize];
    let year = |date: chrono::NaiveDate| format!("{}{}", date.year(), style.after_year);
    match to.filter(|to| *to != from) {
        None => format!("{} {} {}", from.day(), month(from), year(from)),
        Some(to) if to.year() != from.year() => format!(
            "{} {} {} – {} {} {}",
            from.day(),
            month(from),
            year(from),
            to.day(),
            month(to),
            year(to)
        ),
        Some(to) if to.month() != from.month() => format!(
            "{} {} – {} {} {}",
            from.day(),
            month(from),
            to.day(),
            month(to),
            year(to)
        ),
        Some(to) => format!("{}–{} {} {}", from.day(), to.day(), month(to), year(to)),
    }
}

/// Runs back to Markdown emphasis.
/// Runs as Markdown: the styles as markers, the text escaped, so that `<script>` or `[x](y)`
/// in a clause reads as text in any Markdown viewer.
fn markdown_runs(runs: &[InlineRun]) -> String {
    runs.iter()
        .map(|run| {
            let text = escape_markdown(&run.text);
            match (run.italic, run.bold) {
                (true, true) => format!("***{text}***"),
                (true, false) => format!("*{text}*"),
                (false, true) => format!("**{text}**"),
                (false, false) => text,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> chrono::NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn dates_in_russian_and_arabic() {
        let (from, to) = (day("2022-10-18"), day("2022-10-19"));
        assert_eq!(
            dates_in(&RUSSIAN, from, Some(to)),
            "18–19 октября 2022 года"
        );
        assert_eq!(dates_in(&RUSSIAN, to, None), "19 октября 2022 года");
        assert_eq!(
            dates_in(&RUSSIAN, day("2022-09-30"), Some(to)),
            "30 сентября – 19 октября 2022 года"
        );
        assert_eq!(
            dates_in(&RUSSIAN, day("2022-12-31"), Some(day("2023-01-01"))),
            "31 декабря 2022 года – 1 января 2023 года"
        );
        assert_eq!(
            dates_in(&ARABIC, from, Some(to)),
            "18–19 تشرين الأول/أكتوبر 2022"
        );
        assert_eq!(
            dates_in(&ARABIC, from, Some(from)),
            "18 تشرين الأول/أكتوبر 2022"
        );
    }
}
