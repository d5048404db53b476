//! Plain column-aligned tables for the terminal (`decl amend list`, `decl status`).

use unicode_segmentation::UnicodeSegmentation;

/// Lays out rows under a header, each column as wide as its widest cell (counted in
/// graphemes, so "Türkiye" lines up with "Turkey").
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let width = |cell: &str| cell.graphemes(true).count();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (idx, cell) in row.iter().enumerate() {
            if idx < widths.len() {
                widths[idx] = widths[idx].max(width(cell));
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        let last = cells.len().saturating_sub(1);
        for (idx, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if idx < last {
                out.push_str(&" ".repeat(widths[idx] - width(cell) + 2));
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_align_by_grapheme() {
        let out = super::table(
            &["CODE", "NAME"],
            &[
                vec!["TUR".into(), "Türkiye".into()],
                vec!["EU".into(), "European Union".into()],
            ],
        );
        assert_eq!(out, "CODE  NAME\nTUR   Türkiye\nEU    European Union\n");
    }
}
