//! The crosswalk from sherpa's records to CAMEO 1.1b3 and PLOVER codes
//! (data/event_codes.csv): one row per record kind, status and detail (the
//! aid type, or where a summit meets relative to its parties). The table is
//! checked complete when it loads, so a look-up always has an answer.

use std::collections::HashSet;

use serde::Deserialize;

use super::KnowledgeError;
use crate::model::{AidStatus, AidType, Plover, SummitStatus};

const FILE: &str = "event_codes.csv";

/// Where a summit meets relative to its parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LocationRelation {
    /// The location's country is a participant: the others visit it.
    Host,
    /// The location's country is known and no participant.
    ThirdParty,
    /// A participant is a body or forum, and no participant hosts.
    Multilateral,
    /// The location's country is not known.
    Unknown,
}

// The table's names for the records' statuses, aid types and relations (the
// records' wire names), in the order of the index functions below.
const SUMMIT_STATUSES: [&str; 4] = ["proposed", "planned", "held", "cancelled"];
const RELATIONS: [&str; 4] = ["host", "third_party", "multilateral", "unknown"];
const AID_STATUSES: [&str; 4] = ["requested", "offered", "pledged", "delivered"];
const AID_TYPES: [&str; 6] = [
    "economic",
    "humanitarian",
    "military",
    "loan",
    "debt_relief",
    "unspecified",
];

fn summit_status_index(s: SummitStatus) -> usize {
    match s {
        SummitStatus::Proposed => 0,
        SummitStatus::Planned => 1,
        SummitStatus::Held => 2,
        SummitStatus::Cancelled => 3,
    }
}

fn relation_index(r: LocationRelation) -> usize {
    match r {
        LocationRelation::Host => 0,
        LocationRelation::ThirdParty => 1,
        LocationRelation::Multilateral => 2,
        LocationRelation::Unknown => 3,
    }
}

fn aid_status_index(s: AidStatus) -> usize {
    match s {
        AidStatus::Requested => 0,
        AidStatus::Offered => 1,
        AidStatus::Pledged => 2,
        AidStatus::Delivered => 3,
    }
}

fn aid_type_index(t: AidType) -> usize {
    match t {
        AidType::Economic => 0,
        AidType::Humanitarian => 1,
        AidType::Military => 2,
        AidType::Loan => 3,
        AidType::DebtRelief => 4,
        AidType::Unspecified => 5,
    }
}

#[derive(Deserialize)]
struct Row {
    kind: String,
    status: String,
    detail: String,
    cameo: String,
    plover_event_type: String,
    plover_mode: String,
    plover_context: String,
}

/// A record's codes in CAMEO and PLOVER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCode {
    /// The CAMEO code as written in the codebook ("036", "0231").
    pub cameo: String,
    pub plover: Plover,
}

/// The compiled crosswalk.
#[derive(Debug)]
pub struct EventCodes {
    /// Indexed by summit status × relation.
    summit: Vec<EventCode>,
    /// Indexed by aid status × aid type.
    aid: Vec<EventCode>,
    /// Actor codes that are bodies or forums, not states.
    bodies: HashSet<String>,
}

impl EventCodes {
    /// Compiles the text of data/event_codes.csv; `bodies` is the text of
    /// data/bodies.csv, whose codes are the participants that make a summit
    /// multilateral. Every (kind, status, detail) must have exactly one row.
    pub fn from_csv(text: &str, bodies: &str) -> Result<EventCodes, KnowledgeError> {
        let mut summit: Vec<Option<EventCode>> =
            vec![None; SUMMIT_STATUSES.len() * RELATIONS.len()];
        let mut aid: Vec<Option<EventCode>> = vec![None; AID_STATUSES.len() * AID_TYPES.len()];
        let rows = super::csv_rows::<Row>(FILE, text)?;
        for (i, row) in rows.into_iter().enumerate() {
            let err =
                |message: String| KnowledgeError::new(FILE, format!("row {}: {message}", i + 2));
            let slot = match row.kind.as_str() {
                "summit" => {
                    let s = SUMMIT_STATUSES.iter().position(|&s| s == row.status);
                    let r = RELATIONS.iter().position(|&r| r == row.detail);
                    match (s, r) {
                        (Some(s), Some(r)) => &mut summit[s * RELATIONS.len() + r],
                        _ => return Err(err(format!("no summit {} {}", row.status, row.detail))),
                    }
                }
                "aid" => {
                    let s = AID_STATUSES.iter().position(|&s| s == row.status);
                    let t = AID_TYPES.iter().position(|&t| t == row.detail);
                    match (s, t) {
                        (Some(s), Some(t)) => &mut aid[s * AID_TYPES.len() + t],
                        _ => return Err(err(format!("no aid {} {}", row.status, row.detail))),
                    }
                }
                other => return Err(err(format!("unknown kind {other:?}"))),
            };
            if !(2..=4).contains(&row.cameo.len()) || !row.cameo.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(err(format!("{:?} is no CAMEO code", row.cameo)));
            }
            if row.plover_event_type.is_empty() {
                return Err(err("no PLOVER event type".to_string()));
            }
            if slot.is_some() {
                return Err(err(format!(
                    "{} {} {} appears twice",
                    row.kind, row.status, row.detail
                )));
            }
            let optional = |s: String| (!s.is_empty()).then_some(s);
            *slot = Some(EventCode {
                cameo: row.cameo,
                plover: Plover {
                    event_type: row.plover_event_type,
                    mode: optional(row.plover_mode),
                    context: optional(row.plover_context),
                },
            });
        }
        let complete = |slots: Vec<Option<EventCode>>, kind: &str| {
            let missing = slots.iter().filter(|s| s.is_none()).count();
            if missing > 0 {
                return Err(KnowledgeError::new(
                    FILE,
                    format!("{missing} {kind} combinations have no row"),
                ));
            }
            Ok(slots.into_iter().flatten().collect::<Vec<_>>())
        };
        #[derive(Deserialize)]
        struct BodyRow {
            code: String,
        }
        let bodies = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .flexible(true)
            .from_reader(bodies.as_bytes())
            .into_deserialize::<BodyRow>()
            .map(|r| r.map(|r| r.code))
            .collect::<Result<HashSet<_>, _>>()
            .map_err(|e| KnowledgeError::new("bodies.csv", e.to_string()))?;
        Ok(EventCodes {
            summit: complete(summit, "summit")?,
            aid: complete(aid, "aid")?,
            bodies,
        })
    }

    /// Where a summit of `participants` held in `country` meets relative
    /// to them.
    pub fn relation(&self, participants: &[String], country: Option<&str>) -> LocationRelation {
        match country {
            Some(c) if participants.iter().any(|p| p == c) => LocationRelation::Host,
            _ if participants.iter().any(|p| self.bodies.contains(p)) => {
                LocationRelation::Multilateral
            }
            Some(_) => LocationRelation::ThirdParty,
            None => LocationRelation::Unknown,
        }
    }

    /// The codes of a summit record.
    pub fn summit(&self, status: SummitStatus, relation: LocationRelation) -> &EventCode {
        &self.summit[summit_status_index(status) * RELATIONS.len() + relation_index(relation)]
    }

    /// The codes of an aid record.
    pub fn aid(&self, status: AidStatus, aid_type: AidType) -> &EventCode {
        &self.aid[aid_status_index(status) * AID_TYPES.len() + aid_type_index(aid_type)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> EventCodes {
        EventCodes::from_csv(
            crate::knowledge::EVENT_CODES_CSV,
            crate::knowledge::BODIES_CSV,
        )
        .unwrap()
    }

    fn codes(code: &EventCode) -> (String, String, Option<String>, Option<String>) {
        (
            code.cameo.clone(),
            code.plover.event_type.clone(),
            code.plover.mode.clone(),
            code.plover.context.clone(),
        )
    }

    fn check_summit(status: SummitStatus, relation: LocationRelation, expected: [&str; 4]) {
        let got = codes(builtin().summit(status, relation));
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let want = (
            expected[0].to_string(),
            expected[1].to_string(),
            opt(expected[2]),
            opt(expected[3]),
        );
        assert_eq!(got, want, "{status:?} {relation:?}");
    }

    fn check_aid(status: AidStatus, aid_type: AidType, cameo: &str, plover: &str) {
        let code = builtin().aid(status, aid_type).clone();
        assert_eq!(
            (code.cameo.as_str(), code.plover.event_type.as_str()),
            (cameo, plover),
            "{status:?} {aid_type:?}"
        );
    }

    #[test]
    fn summits_by_status_and_place() {
        use LocationRelation::*;
        check_summit(
            SummitStatus::Proposed,
            Unknown,
            ["036", "AGREE", "", "diplomatic"],
        );
        check_summit(
            SummitStatus::Planned,
            Host,
            ["036", "AGREE", "", "diplomatic"],
        );
        check_summit(SummitStatus::Held, Host, ["042", "CONSULT", "visit", ""]);
        check_summit(
            SummitStatus::Held,
            ThirdParty,
            ["044", "CONSULT", "third-party", ""],
        );
        check_summit(
            SummitStatus::Held,
            Multilateral,
            ["040", "CONSULT", "multilateral", ""],
        );
        check_summit(SummitStatus::Held, Unknown, ["040", "CONSULT", "", ""]);
        check_summit(
            SummitStatus::Cancelled,
            Host,
            ["125", "REJECT", "meet", "diplomatic"],
        );
    }

    #[test]
    fn aid_by_status_and_type() {
        check_aid(AidStatus::Requested, AidType::Economic, "0231", "REQUEST");
        check_aid(AidStatus::Requested, AidType::Military, "0232", "REQUEST");
        check_aid(
            AidStatus::Requested,
            AidType::Humanitarian,
            "0233",
            "REQUEST",
        );
        check_aid(AidStatus::Offered, AidType::Economic, "0331", "AGREE");
        check_aid(AidStatus::Pledged, AidType::Loan, "0331", "AGREE");
        check_aid(AidStatus::Pledged, AidType::Unspecified, "033", "AGREE");
        check_aid(AidStatus::Delivered, AidType::Economic, "071", "AID");
        check_aid(AidStatus::Delivered, AidType::DebtRelief, "071", "AID");
        check_aid(AidStatus::Delivered, AidType::Military, "072", "AID");
        check_aid(AidStatus::Delivered, AidType::Humanitarian, "073", "AID");
        check_aid(AidStatus::Delivered, AidType::Unspecified, "070", "AID");
        let humanitarian = builtin()
            .aid(AidStatus::Delivered, AidType::Humanitarian)
            .clone();
        assert_eq!(humanitarian.plover.context.as_deref(), Some("humanitarian"));
        assert_eq!(humanitarian.plover.mode, None);
    }

    #[test]
    fn relation_from_location_and_participants() {
        let table = builtin();
        let p = |codes: &[&str]| codes.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        use LocationRelation::*;
        assert_eq!(table.relation(&p(&["JPN", "USA"]), Some("USA")), Host);
        assert_eq!(table.relation(&p(&["CHN", "EU"]), Some("CHN")), Host);
        assert_eq!(table.relation(&p(&["PRK", "USA"]), Some("SGP")), ThirdParty);
        assert_eq!(table.relation(&p(&["G7"]), Some("ITA")), Multilateral);
        assert_eq!(
            table.relation(&p(&["CHN", "EU"]), Some("BEL")),
            Multilateral
        );
        assert_eq!(table.relation(&p(&["G20"]), None), Multilateral);
        assert_eq!(table.relation(&p(&["PRK", "USA"]), None), Unknown);
    }

    #[test]
    fn gaps_and_duplicates_are_refused() {
        let header = "kind,status,detail,cameo,plover_event_type,plover_mode,plover_context\n";
        let full = crate::knowledge::EVENT_CODES_CSV;
        let bodies = crate::knowledge::BODIES_CSV;
        let without_last = full.trim_end().rsplit_once('\n').unwrap().0;
        assert!(EventCodes::from_csv(without_last, bodies).is_err(), "a gap");
        let twice = format!("{full}aid,delivered,unspecified,070,AID,,\n");
        assert!(EventCodes::from_csv(&twice, bodies).is_err(), "a duplicate");
        for bad in [
            "summit,held,nowhere,040,CONSULT,,\n",
            "aid,given,economic,071,AID,,economic\n",
            "treaty,held,host,040,CONSULT,,\n",
            "aid,delivered,economic,7a,AID,,economic\n",
            "aid,delivered,economic,071,,,economic\n",
        ] {
            assert!(
                EventCodes::from_csv(&format!("{header}{bad}"), bodies).is_err(),
                "{bad:?} should be refused"
            );
        }
    }
}
