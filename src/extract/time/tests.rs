//! Unit tests of the time finder, all through [`check`].

use chrono::NaiveDate;
use proptest::prelude::*;

use super::{Tense, TimeFinder};

/// Every expression found in `text`, as `text=first..last` (`text=day` for a
/// single day), joined by "; "; "" when nothing is found. `anchor` is
/// "YYYY-MM-DD" or "" for none.
#[track_caller]
fn check(text: &str, anchor: &str, tense: Tense, expected: &str) {
    let anchor: Option<NaiveDate> = (!anchor.is_empty()).then(|| anchor.parse().unwrap());
    let found = TimeFinder::new().find(text, anchor, tense);
    let got: Vec<String> = found
        .iter()
        .map(|m| {
            let span = &text[m.start..m.end];
            if m.first == m.last {
                format!("{span}={}", m.first)
            } else {
                format!("{span}={}..{}", m.first, m.last)
            }
        })
        .collect();
    assert_eq!(
        got.join("; "),
        expected,
        "{text:?}, anchor {anchor:?}, {tense:?}"
    );
}

use Tense::{Future, Past, Present, Unknown};

/// Thursday 29 March 2018, the anchor of the contract's examples.
const A: &str = "2018-03-29";

#[test]
fn contract_examples() {
    check("early June", A, Future, "early June=2018-06-01..2018-06-10");
    check("April", A, Future, "April=2018-04-01..2018-04-30");
    check("this week", A, Unknown, "this week=2018-03-26..2018-04-01");
    check("in mid-March", A, Past, "mid-March=2018-03-11..2018-03-20");
    check("last June", A, Unknown, "last June=2017-06-01..2017-06-30");
    check("on Friday", A, Future, "Friday=2018-03-30");
    check("on Friday", A, Past, "Friday=2018-03-23");
}

#[test]
fn absolute_dates() {
    check(
        "on March 29, 2018",
        "",
        Unknown,
        "March 29, 2018=2018-03-29",
    );
    check("29 March 2018", "", Unknown, "29 March 2018=2018-03-29");
    check(
        "the 29th of March, 2018",
        "",
        Unknown,
        "the 29th of March, 2018=2018-03-29",
    );
    check("2018-03-29", "", Unknown, "2018-03-29=2018-03-29");
    check("3/29/2018", "", Unknown, "3/29/2018=2018-03-29");
    check("29/3/2018", "", Unknown, "29/3/2018=2018-03-29");
    check(
        "Thursday, March 29, 2018",
        "",
        Unknown,
        "Thursday, March 29, 2018=2018-03-29",
    );
    check("Mar. 29", A, Past, "Mar. 29=2018-03-29");
    check("March 29", A, Future, "March 29=2018-03-29");
    check("29th of March", A, Past, "29th of March=2018-03-29");
    check("Jan. 5", A, Future, "Jan. 5=2019-01-05");
    check("Jan. 5", A, Past, "Jan. 5=2018-01-05");
    check("on Dec 12", A, Unknown, "Dec 12=2018-12-12");
    check("Sept. 11, 2001", "", Unknown, "Sept. 11, 2001=2001-09-11");
    check(
        "March twenty-first",
        A,
        Future,
        "March twenty-first=2019-03-21",
    );
    check("on the 15th", A, Past, "the 15th=2018-03-15");
    check("on the 15th", A, Future, "the 15th=2018-04-15");
    check("Tuesday the 3rd", A, Future, "Tuesday the 3rd=2018-04-03");
    check("Friday, July 18", A, Unknown, "Friday, July 18=2014-07-18");
    check("February 30", A, Future, "February=2019-02-01..2019-02-28");
    check("2018-02-30", "", Unknown, "");
}

#[test]
fn date_ranges() {
    check("July 13-15", A, Future, "July 13-15=2018-07-13..2018-07-15");
    check("July 13-15", A, Past, "July 13-15=2017-07-13..2017-07-15");
    check(
        "from July 13 to 15",
        A,
        Future,
        "from July 13 to 15=2018-07-13..2018-07-15",
    );
    check(
        "July 13-15, 2019",
        A,
        Past,
        "July 13-15, 2019=2019-07-13..2019-07-15",
    );
    check(
        "between March 3 and March 5",
        A,
        Past,
        "between March 3 and March 5=2018-03-03..2018-03-05",
    );
    check(
        "from 13 to 15 July",
        A,
        Future,
        "from 13 to 15 July=2018-07-13..2018-07-15",
    );
    check(
        "March 30 to April 2, 2018",
        "",
        Unknown,
        "March 30 to April 2, 2018=2018-03-30..2018-04-02",
    );
    check(
        "December 30 - January 2",
        A,
        Future,
        "December 30 - January 2=2018-12-30..2019-01-02",
    );
    check(
        "1960 - 1961",
        "",
        Unknown,
        "1960 - 1961=1960-01-01..1961-12-31",
    );
    check("2018-19", "", Unknown, "2018-19=2018-01-01..2019-12-31");
    check(
        "between 2010 and 2015",
        "",
        Unknown,
        "between 2010 and 2015=2010-01-01..2015-12-31",
    );
    check(
        "from Monday to Wednesday",
        A,
        Future,
        "from Monday to Wednesday=2018-04-02..2018-04-04",
    );
    check(
        "a summit on June 29 and 30",
        A,
        Future,
        "June 29 and 30=2018-06-29..2018-06-30",
    );
    check(
        "on Thursday and Friday",
        A,
        Future,
        "Thursday and Friday=2018-03-29..2018-03-30",
    );
    check(
        "on Wednesday and Thursday",
        A,
        Past,
        "Wednesday and Thursday=2018-03-28..2018-03-29",
    );
    check(
        "on Monday and Wednesday",
        A,
        Past,
        "Monday=2018-03-26; Wednesday=2018-03-28",
    );
    check(
        "the 1986/87 season",
        "",
        Unknown,
        "1986/87=1986-01-01..1987-12-31",
    );
    check("choice 2-4 1030-1360 lbs", "", Unknown, "");
}

#[test]
fn months() {
    check("in April", A, Past, "April=2017-04-01..2017-04-30");
    check("in April", A, Future, "April=2018-04-01..2018-04-30");
    check("in March", A, Past, "March=2018-03-01..2018-03-31");
    check("in March", A, Future, "March=2018-03-01..2018-03-31");
    check("in February", A, Future, "February=2019-02-01..2019-02-28");
    check(
        "April 2019",
        "",
        Unknown,
        "April 2019=2019-04-01..2019-04-30",
    );
    check("last April", A, Future, "last April=2017-04-01..2017-04-30");
    check("next April", A, Past, "next April=2018-04-01..2018-04-30");
    check(
        "next March",
        A,
        Unknown,
        "next March=2019-03-01..2019-03-31",
    );
    check("this April", A, Past, "this April=2018-04-01..2018-04-30");
    check(
        "in March next year",
        A,
        Unknown,
        "March next year=2019-03-01..2019-03-31",
    );
    check("2014-10", "", Unknown, "2014-10=2014-10-01..2014-10-31");
    check("2/2013", "", Unknown, "2/2013=2013-02-01..2013-02-28");
    check(
        "the June Venice summit",
        "1987-04-28",
        Future,
        "June=1987-06-01..1987-06-30",
    );
    check(
        "between May 16 this year and May 31, 1988",
        "1987-03-02",
        Unknown,
        "between May 16 this year and May 31, 1988=1987-05-16..1988-05-31",
    );
}

#[test]
fn may_is_a_month_only_when_something_says_so() {
    check("They may 5 times", A, Future, "");
    check("Theresa May said", A, Past, "");
    check("May said on Thursday", A, Past, "Thursday=2018-03-29");
    check("in May", A, Future, "May=2018-05-01..2018-05-31");
    check("May 5", A, Future, "May 5=2018-05-05");
    check("May 2019", A, Future, "May 2019=2019-05-01..2019-05-31");
    check("early May", A, Future, "early May=2018-05-01..2018-05-10");
    check("in may", A, Future, "");
    check("a protest march", A, Future, "");
    check("June Carter sang", A, Future, "");
}

#[test]
fn years() {
    check("1987", "", Unknown, "1987=1987-01-01..1987-12-31");
    check("in 2019", "", Unknown, "2019=2019-01-01..2019-12-31");
    check(
        "the 2018 summit",
        "",
        Unknown,
        "2018=2018-01-01..2018-12-31",
    );
    check(
        "in 1987 and 1988",
        "",
        Unknown,
        "1987=1987-01-01..1987-12-31; 1988=1988-01-01..1988-12-31",
    );
    check("the 1990s", "", Unknown, "the 1990s=1990-01-01..1999-12-31");
    check(
        "in the early 1990s",
        "",
        Unknown,
        "early 1990s=1990-01-01..1993-12-31",
    );
    check("2014 A.D.", "", Unknown, "2014 A.D.=2014-01-01..2014-12-31");
    check("2000 tonnes", "", Unknown, "");
    check("25", A, Unknown, "");
    check("Pay ABC 2000", A, Unknown, "");
    check("Vision 2030", A, Unknown, "");
    check("$2000", A, Unknown, "");
    check("2,000", A, Unknown, "");
    check("1.5", A, Unknown, "");
    check("2000 percent", A, Unknown, "");
    check("at 1900 GMT", A, Unknown, "");
    check("by 1300 CDT", A, Unknown, "");
    check("Apr 149.00 149.25 2184 May 147.75", A, Unknown, "");
    check("the 2114/PC system", A, Unknown, "");
    check("after 2000 protesters marched", A, Unknown, "");
    check("by 2020", A, Unknown, "2020=2020-01-01..2020-12-31");
}

#[test]
fn weekdays() {
    check("on Thursday", A, Past, "Thursday=2018-03-29");
    check("on Thursday", A, Future, "Thursday=2018-03-29");
    check("on Thursday", A, Present, "Thursday=2018-03-29");
    check("on Thursday", A, Unknown, "Thursday=2018-04-05");
    check("Thursday", A, Past, "Thursday=2018-03-29");
    check("on Monday", A, Past, "Monday=2018-03-26");
    check("on Monday", A, Future, "Monday=2018-04-02");
    check("next Monday", A, Past, "next Monday=2018-04-02");
    check("next Friday", A, Unknown, "next Friday=2018-04-06");
    check("last Friday", A, Future, "last Friday=2018-03-23");
    check("this Monday", A, Past, "this Monday=2018-03-26");
    check(
        "Friday after next",
        A,
        Unknown,
        "Friday after next=2018-04-06",
    );
    check(
        "Wednesday of next week",
        A,
        Unknown,
        "Wednesday of next week=2018-04-04",
    );
    check(
        "last week's Sunday",
        A,
        Unknown,
        "last week's Sunday=2018-03-25",
    );
    check("Thursday morning", A, Past, "Thursday=2018-03-29");
    check("on Fridays", A, Past, "");
    check("the sun was out", A, Past, "");
    check("they were wed", A, Past, "");
}

#[test]
fn relative_days_weeks_months_years() {
    check("today", A, Unknown, "today=2018-03-29");
    check("yesterday", A, Unknown, "yesterday=2018-03-28");
    check("tomorrow", A, Unknown, "tomorrow=2018-03-30");
    check(
        "the day before yesterday",
        A,
        Unknown,
        "the day before yesterday=2018-03-27",
    );
    check(
        "the day after tomorrow",
        A,
        Unknown,
        "the day after tomorrow=2018-03-31",
    );
    check("next week", A, Unknown, "next week=2018-04-02..2018-04-08");
    check("last week", A, Unknown, "last week=2018-03-19..2018-03-25");
    check(
        "the following week",
        A,
        Unknown,
        "the following week=2018-04-02..2018-04-08",
    );
    check(
        "the week after next",
        A,
        Unknown,
        "the week after next=2018-04-09..2018-04-15",
    );
    check(
        "this month",
        A,
        Unknown,
        "this month=2018-03-01..2018-03-31",
    );
    check(
        "next month",
        A,
        Unknown,
        "next month=2018-04-01..2018-04-30",
    );
    check(
        "last month",
        A,
        Unknown,
        "last month=2018-02-01..2018-02-28",
    );
    check("this year", A, Unknown, "this year=2018-01-01..2018-12-31");
    check("next year", A, Unknown, "next year=2019-01-01..2019-12-31");
    check("last year", A, Unknown, "last year=2017-01-01..2017-12-31");
    check(
        "earlier this month",
        A,
        Past,
        "earlier this month=2018-03-01..2018-03-29",
    );
    check(
        "later this month",
        A,
        Future,
        "later this month=2018-03-29..2018-03-31",
    );
    check(
        "later this year",
        A,
        Future,
        "later this year=2018-03-29..2018-12-31",
    );
    check(
        "earlier this week",
        A,
        Past,
        "earlier this week=2018-03-26..2018-03-29",
    );
    check(
        "the rest of the year",
        A,
        Future,
        "the rest of the year=2018-03-29..2018-12-31",
    );
    check(
        "this weekend",
        A,
        Future,
        "this weekend=2018-03-31..2018-04-01",
    );
    check(
        "next weekend",
        A,
        Future,
        "next weekend=2018-04-07..2018-04-08",
    );
    check(
        "last weekend",
        A,
        Past,
        "last weekend=2018-03-24..2018-03-25",
    );
    check(
        "over the weekend",
        A,
        Past,
        "the weekend=2018-03-24..2018-03-25",
    );
    check(
        "at the weekend",
        A,
        Future,
        "the weekend=2018-03-31..2018-04-01",
    );
}

#[test]
fn this_week_in_a_weekend_story_looking_forward_is_the_coming_week() {
    let saturday = "2018-03-31";
    check(
        "this week",
        saturday,
        Future,
        "this week=2018-04-02..2018-04-08",
    );
    check(
        "this week",
        saturday,
        Past,
        "this week=2018-03-26..2018-04-01",
    );
    check(
        "this week",
        "2018-04-01",
        Future,
        "this week=2018-04-02..2018-04-08",
    );
    check(
        "this week",
        "2018-04-01",
        Unknown,
        "this week=2018-03-26..2018-04-01",
    );
    check("this week", A, Future, "this week=2018-03-26..2018-04-01");
}

#[test]
fn offsets() {
    check("three weeks ago", A, Unknown, "three weeks ago=2018-03-08");
    check("in two weeks", A, Unknown, "in two weeks=2018-04-12");
    check("a week ago", A, Unknown, "a week ago=2018-03-22");
    check("two days ago", A, Unknown, "two days ago=2018-03-27");
    check(
        "three months ago",
        A,
        Unknown,
        "three months ago=2017-12-29",
    );
    check(
        "two years ago",
        A,
        Unknown,
        "two years ago=2016-03-01..2016-03-31",
    );
    check(
        "a year from now",
        A,
        Unknown,
        "a year from now=2019-03-01..2019-03-31",
    );
    check(
        "within two weeks",
        A,
        Unknown,
        "within two weeks=2018-03-29..2018-04-11",
    );
    check(
        "over the past two weeks",
        A,
        Past,
        "the past two weeks=2018-03-12..2018-03-25",
    );
    check(
        "in the next three months",
        A,
        Future,
        "the next three months=2018-04-01..2018-06-30",
    );
    check(
        "the next few days",
        A,
        Future,
        "the next few days=2018-03-30..2018-04-01",
    );
    check("in 10 minutes", A, Unknown, "");
    check("the first time in 40 years", A, Past, "");
    check("sold within a month", A, Past, "");
    check(
        "the first visit by a Japanese leader in seven years",
        A,
        Future,
        "",
    );
    check(
        "from 1130 to 1215 GMT on Wednesday",
        A,
        Future,
        "Wednesday=2018-04-04",
    );
    check("in a quarter of an hour", A, Unknown, "");
}

#[test]
fn parts_of_months() {
    check("early June", A, Past, "early June=2017-06-01..2017-06-10");
    check("mid March", A, Future, "mid March=2019-03-11..2019-03-20");
    check("mid March", A, Past, "mid March=2018-03-11..2018-03-20");
    check("mid-March", A, Unknown, "mid-March=2019-03-11..2019-03-20");
    check("late July", A, Future, "late July=2018-07-21..2018-07-31");
    check(
        "late February",
        A,
        Future,
        "late February=2019-02-21..2019-02-28",
    );
    check(
        "late February",
        A,
        Past,
        "late February=2018-02-21..2018-02-28",
    );
    check(
        "at the end of the month",
        A,
        Future,
        "the end of the month=2018-03-21..2018-03-31",
    );
    check(
        "beginning of next month",
        A,
        Future,
        "beginning of next month=2018-04-01..2018-04-10",
    );
    check(
        "the end of March",
        A,
        Past,
        "the end of March=2018-03-21..2018-03-31",
    );
    check("end-March", A, Past, "end-March=2018-03-21..2018-03-31");
    check(
        "the middle of May",
        A,
        Future,
        "the middle of May=2018-05-11..2018-05-20",
    );
    check(
        "by the end of next month",
        A,
        Future,
        "by the end of next month=2018-03-29..2018-04-30",
    );
    check("the late president", A, Past, "");
}

#[test]
fn parts_of_years() {
    check(
        "early 2019",
        "",
        Unknown,
        "early 2019=2019-01-01..2019-04-30",
    );
    check("mid-2019", "", Unknown, "mid-2019=2019-05-01..2019-08-31");
    check("late 2019", "", Unknown, "late 2019=2019-09-01..2019-12-31");
    check(
        "the end of 2019",
        "",
        Unknown,
        "the end of 2019=2019-09-01..2019-12-31",
    );
    check(
        "the beginning of 2019",
        "",
        Unknown,
        "the beginning of 2019=2019-01-01..2019-03-31",
    );
    check(
        "early this year",
        A,
        Past,
        "early this year=2018-01-01..2018-04-30",
    );
    check(
        "late next year",
        A,
        Future,
        "late next year=2019-09-01..2019-12-31",
    );
    check(
        "the end of the year",
        A,
        Future,
        "the end of the year=2018-09-01..2018-12-31",
    );
    check(
        "by the end of the year",
        A,
        Future,
        "by the end of the year=2018-03-29..2018-12-31",
    );
    check(
        "the first half of 2019",
        "",
        Unknown,
        "the first half of 2019=2019-01-01..2019-06-30",
    );
}

#[test]
fn quarters_and_seasons() {
    check(
        "the first quarter",
        A,
        Past,
        "the first quarter=2018-01-01..2018-03-31",
    );
    check(
        "the third quarter",
        A,
        Past,
        "the third quarter=2017-07-01..2017-09-30",
    );
    check(
        "the third quarter",
        A,
        Future,
        "the third quarter=2018-07-01..2018-09-30",
    );
    check("Q3 2019", "", Unknown, "Q3 2019=2019-07-01..2019-09-30");
    check("2019Q3", "", Unknown, "2019Q3=2019-07-01..2019-09-30");
    check(
        "the third quarter of next year",
        A,
        Past,
        "the third quarter of next year=2019-07-01..2019-09-30",
    );
    check(
        "first-quarter 2018 results",
        "",
        Unknown,
        "first-quarter 2018=2018-01-01..2018-03-31",
    );
    check(
        "next quarter",
        A,
        Unknown,
        "next quarter=2018-04-01..2018-06-30",
    );
    check(
        "this summer",
        A,
        Future,
        "this summer=2018-06-21..2018-09-23",
    );
    check("this winter", A, Past, "this winter=2017-12-21..2018-03-20");
    check(
        "this winter",
        A,
        Future,
        "this winter=2018-12-21..2019-03-20",
    );
    check(
        "this winter",
        "2018-02-01",
        Future,
        "this winter=2017-12-21..2018-03-20",
    );
    check("last summer", A, Past, "last summer=2017-06-21..2017-09-23");
    check(
        "next spring",
        A,
        Future,
        "next spring=2019-03-20..2019-06-20",
    );
    check(
        "the summer of 1987",
        "",
        Unknown,
        "the summer of 1987=1987-06-21..1987-09-23",
    );
    check(
        "in the autumn",
        A,
        Future,
        "the autumn=2018-09-24..2018-12-20",
    );
    check("the fall of Saigon", A, Past, "");
}

#[test]
fn nth_in_period() {
    check(
        "the first Tuesday of October",
        A,
        Future,
        "the first Tuesday of October=2018-10-02",
    );
    check(
        "the last Monday of March",
        A,
        Past,
        "the last Monday of March=2018-03-26",
    );
    check(
        "the first week of October 2014",
        "",
        Unknown,
        "the first week of October 2014=2014-10-06..2014-10-12",
    );
    check(
        "the last day of February 2020",
        "",
        Unknown,
        "the last day of February 2020=2020-02-29",
    );
    check(
        "the 20th of next month",
        A,
        Unknown,
        "the 20th of next month=2018-04-20",
    );
    check(
        "the week of October 7th, 2013",
        "",
        Unknown,
        "the week of October 7th, 2013=2013-10-07..2013-10-13",
    );
}

#[test]
fn without_an_anchor_only_dates_with_their_year_resolve() {
    check("next week", "", Future, "");
    check("April", "", Future, "");
    check("on Thursday", "", Past, "");
    check("July 13-15", "", Past, "");
    check("early June", "", Past, "");
    check(
        "in 2019 and next year",
        "",
        Past,
        "2019=2019-01-01..2019-12-31",
    );
    check(
        "next week, then on March 29, 2018",
        "",
        Past,
        "March 29, 2018=2018-03-29",
    );
}

#[test]
fn relative_says_whether_the_anchor_was_used() {
    let f = TimeFinder::new();
    let a = A.parse().ok();
    let rel: Vec<bool> = f
        .find("on March 29, 2018, April, next week and 1987", a, Past)
        .iter()
        .map(|m| m.relative)
        .collect();
    assert_eq!(rel, [false, true, true, false]);
}

#[test]
fn clock_times_and_numbers_are_not_dates() {
    check("at 3 pm", A, Unknown, "");
    check("at 3:30", A, Unknown, "");
    check("tonight", A, Unknown, "");
    check("this morning", A, Unknown, "");
    check("25 percent", A, Unknown, "");
    check("1 adult", A, Unknown, "");
    check("call 650-650-6500", A, Unknown, "");
    check("ranked 3rd", A, Unknown, "");
    check("the 1st Armored Division", A, Unknown, "");
    check("on the first day", A, Unknown, "");
    check("version 1.2.3", A, Unknown, "");
    check("a 2-1 win", A, Unknown, "");
    check("at 3 pm on Thursday", A, Past, "Thursday=2018-03-29");
}

#[test]
fn sentences() {
    check(
        "Kim and Moon met on Friday and agreed to hold a summit in early June, officials said on Thursday.",
        A,
        Past,
        "Friday=2018-03-23; early June=2017-06-01..2017-06-10; Thursday=2018-03-29",
    );
    check(
        "The IMF approved a $2.1 billion loan to Pakistan in July 2019, after 2000 protesters marched.",
        A,
        Past,
        "July 2019=2019-07-01..2019-07-31",
    );
}

#[test]
fn odd_input_does_not_panic() {
    check("", A, Unknown, "");
    check(
        "\u{feff}Ça — “March 3” – 日本 2018年",
        A,
        Past,
        "March 3=2018-03-03",
    );
    check("in 99999999999 years", A, Unknown, "");
    check("in 9999 years", "+262000-01-01", Unknown, "");
    check("3 fridays from now", "+262142-12-30", Unknown, "");
    check("last week", "-262143-01-02", Unknown, "");
}

proptest! {
    #[test]
    fn no_panic_and_sane_spans(text in "\\PC{0,80}", days in 0i64..73_048, tense in 0usize..4) {
        check_invariants(&text, days, tense);
    }

    #[test]
    fn no_panic_on_date_like_text(
        text in "((on|in|the|next|last|early|mid|from|to|between|and|of|ago|[0-9]{1,5}|March|May|Jan\\.|Monday|week|weekend|year|quarter|Q[0-9]|[-/.,' ])[ ]?){0,12}",
        days in 0i64..73_048,
        tense in 0usize..4,
    ) {
        check_invariants(&text, days, tense);
    }
}

/// `days` counts from 1900-01-01 (so anchors cover 1900..2100).
fn check_invariants(text: &str, days: i64, tense: usize) {
    let anchor = NaiveDate::from_ymd_opt(1900, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(days)));
    let tense = [Past, Present, Future, Unknown][tense];
    let found = TimeFinder::new().find(text, anchor, tense);
    let mut previous_end = 0;
    for m in &found {
        assert!(m.start < m.end && m.end <= text.len());
        assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        assert!(m.start >= previous_end, "overlapping matches in {text:?}");
        assert!(m.first <= m.last, "{m:?} in {text:?}");
        previous_end = m.end;
    }
}
