//! The leaders' summits of the main forums by year and host city
//! (data/forum_summits.csv), so that "the Venice summit" in a 1987 story
//! resolves to the G7 and "the Kazan summit" in 2024 to BRICS.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;

use super::KnowledgeError;
use super::lexicon::is_word_bounded;

#[derive(Deserialize)]
struct Row {
    code: String,
    year: i32,
    #[allow(dead_code)]
    start: String,
    #[allow(dead_code)]
    end: String,
    cities: String,
}

/// A host-city name found in a text: byte offsets and the city's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CityHit {
    pub start: usize,
    pub end: usize,
    city: usize,
}

/// Forum summits by host city, compiled.
#[derive(Debug)]
pub struct ForumSummits {
    matcher: AhoCorasick,
    /// Per city: (forum code, year) of every summit it hosted.
    summits: Vec<Vec<(String, i32)>>,
}

impl ForumSummits {
    /// Compiles the text of data/forum_summits.csv.
    pub fn from_csv(text: &str) -> Result<ForumSummits, KnowledgeError> {
        let mut cities: Vec<String> = Vec::new();
        let mut summits: Vec<Vec<(String, i32)>> = Vec::new();
        let rows = super::csv_rows::<Row>("forum_summits.csv", text)?;
        for row in rows {
            for city in row
                .cities
                .split('|')
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                let index = match cities.iter().position(|c| c == city) {
                    Some(i) => i,
                    None => {
                        cities.push(city.to_string());
                        summits.push(Vec::new());
                        cities.len() - 1
                    }
                };
                summits[index].push((row.code.clone(), row.year));
            }
        }
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&cities)
            .map_err(|e| KnowledgeError::new("forum_summits.csv", e.to_string()))?;
        Ok(ForumSummits { matcher, summits })
    }

    /// Host-city names in `text`, as whole words.
    pub fn find_cities(&self, text: &str) -> Vec<CityHit> {
        self.matcher
            .find_iter(text)
            .filter(|m| is_word_bounded(text, m.start(), m.end()))
            .map(|m| CityHit {
                start: m.start(),
                end: m.end(),
                city: m.pattern().as_usize(),
            })
            .collect()
    }

    /// The one forum whose summit the city hosted in `year`; `None` when
    /// none did or several forums did (Brussels hosts NATO and the EU alike).
    pub fn forum(&self, hit: CityHit, year: i32) -> Option<&str> {
        let mut codes: Vec<&str> = self.summits[hit.city]
            .iter()
            .filter(|(_, y)| *y == year)
            .map(|(c, _)| c.as_str())
            .collect();
        codes.sort_unstable();
        codes.dedup();
        match codes.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn city_and_year_name_the_forum() {
        let f = ForumSummits::from_csv(crate::knowledge::FORUM_SUMMITS_CSV).unwrap();
        let text = "before the Venice summit";
        let hit = f.find_cities(text)[0];
        assert_eq!(&text[hit.start..hit.end], "Venice");
        assert_eq!(f.forum(hit, 1987), Some("G7"));
        assert_eq!(f.forum(hit, 1988), None);
    }
}
