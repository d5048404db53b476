//! "Did you mean ...?": the nearest known name to a mistyped one.

/// The closest candidate to `input`, if one is close enough to be a plausible typo.
pub fn nearest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input_lower = input.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(&input_lower, &candidate.to_lowercase()), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// `"; did you mean op-border-data?"`, or nothing when no candidate is close.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(input, candidates)
        .map(|candidate| format!("; did you mean {candidate}?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_its_clause_and_nonsense_finds_nothing() {
        let ids = ["op-border-data", "op-small-arms", "pp-charter"];
        assert_eq!(nearest("op-border-dat", ids), Some("op-border-data"));
        assert_eq!(nearest("tur", ["TUR", "TJK"]), Some("TUR"));
        assert_eq!(nearest("zzzz", ids), None);
        assert_eq!(did_you_mean("op-smal-arms", ids), "; did you mean op-small-arms?");
    }
}
