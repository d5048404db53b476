//! "Did you mean ...?": the nearest known name to a mistyped one.

/// The closest candidate to `input`, if one is close enough to be a plausible typo.
pub fn nearest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input_lower = input.to_lowercase();
    // Jaro-Winkler favours a shared beginning ("op-border-dat"); the edit distance catches
    // short codes with swapped letters ("TRU" for "TUR"), which Jaro-Winkler scores low.
    let max_edits = (input.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| {
            let candidate_lower = candidate.to_lowercase();
            let close = strsim::damerau_levenshtein(&input_lower, &candidate_lower) <= max_edits;
            let score = strsim::jaro_winkler(&input_lower, &candidate_lower)
                + if close { 1.0 } else { 0.0 };
            (score, candidate)
        })
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
        assert_eq!(nearest("TRU", ["TUR", "TJK", "QAT"]), Some("TUR"));
        assert_eq!(nearest("QQQ", ["TUR", "TJK", "QAT"]), None);
        assert_eq!(
            did_you_mean("op-smal-arms", ids),
            "; did you mean op-small-arms?"
        );
    }
}
