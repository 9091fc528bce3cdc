//! Field names, records and line numbers in flat documents.

use super::*;

fn run(text: &str) -> Extracted {
    let value: Value = serde_saphyr::from_str(text).unwrap();
    let names = FieldNames::new(&ScanConfig::default());
    extract(&value, &names, &mut Locator::new(text, 1))
}

fn raws(record: &[RawField]) -> Vec<(FieldKind, &str, Option<usize>)> {
    record
        .iter()
        .map(|f| (f.kind, f.raw.as_str(), f.line))
        .collect()
}

#[test]
fn locating_values_not_written_verbatim_stays_linear() {
    // Every value is written with an escape, so none is found in the text: without a cap
    // each would cost a pass over all 20,000 lines.
    let mut text = String::from("[\n");
    for i in 0..20_000 {
        text.push_str(&format!("{{\"email\": \"\\u0061{i}@b.co\"}},\n"));
    }
    text.push_str("{\"email\": \"a@b.co\"}\n]\n");
    let value: Value = serde_json::from_str(&text).unwrap();
    let names = FieldNames::new(&ScanConfig::default());
    let started = std::time::Instant::now();
    let extracted = extract(&value, &names, &mut Locator::new(&text, 1));
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    assert_eq!(extracted.records.len(), 20_001);
    assert_eq!(extracted.records[0][0].raw, "a0@b.co");
    assert_eq!(extracted.records[0][0].line, None);
    // Found verbatim, and early enough to be within the budget: located.
    let mut locator = Locator::new("a: 1\nemail: x@y.org\n", 1);
    assert_eq!(locator.locate("email", "x@y.org"), Some(2));
}

#[test]
fn top_level_extra_params_and_comments() {
    let text = "\
title: Post
Email: ada@example.org
extra:
  github: ada
  comments:
    - name: Bob
      MAIL: bob@example.org
      avatar: https://example.com/b.png
    - name: Carl
      qq: 123456
params:
  e-mail: ada@example.org
comments:
  - email: 0bc83cb571cd1c50ba6f3e8a78ef1346
";
    let extracted = run(text);
    assert!(extracted.problems.is_empty(), "{:?}", extracted.problems);
    assert_eq!(extracted.records.len(), 4);
    assert_eq!(
        raws(&extracted.records[0]),
        vec![
            (FieldKind::Email, "ada@example.org", Some(2)),
            (FieldKind::Github, "ada", Some(4)),
            (FieldKind::Email, "ada@example.org", Some(12)),
        ]
    );
    assert_eq!(
        raws(&extracted.records[1]),
        vec![
            (FieldKind::Email, "bob@example.org", Some(7)),
            (FieldKind::Avatar, "https://example.com/b.png", Some(8)),
        ]
    );
    assert_eq!(
        raws(&extracted.records[2]),
        vec![(FieldKind::Qq, "123456", Some(10))]
    );
    assert_eq!(extracted.records[3][0].line, Some(14));
}

#[test]
fn a_list_of_comments_at_the_top() {
    let extracted = run("- email: a@b.org\n- email: c@d.org\n- 42\n");
    assert_eq!(extracted.records.len(), 2);
    assert_eq!(extracted.records[1][0].line, Some(2));
    assert_eq!(extracted.problems.len(), 1);
    let words = run("- home\n- about\n");
    assert!(words.records.is_empty() && words.problems.is_empty());
}

#[test]
fn wrong_types_are_problems_with_lines() {
    let extracted = run("title: x\nemail:\n  - a@b.org\nqq: {a: 1}\ngithub: true\n");
    let messages: Vec<_> = extracted
        .problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        vec![
            (Some(2), "field `email` should be text, found a list"),
            (Some(4), "field `qq` should be text, found a map"),
            (Some(5), "field `github` should be text, found a boolean"),
        ]
    );
    assert!(extracted.records.is_empty());
}

#[test]
fn configured_names_are_added() {
    let value: Value = serde_json::json!({"Commenter_Mail": "a@b.org", "email": "c@d.org"});
    let names = FieldNames::new(&ScanConfig {
        email_fields: vec!["commenter_mail".into()],
        ..ScanConfig::default()
    });
    let extracted = extract(&value, &names, &mut Locator::new("", 1));
    assert_eq!(extracted.records[0].len(), 2);
    assert_eq!(extracted.records[0][0].line, None);
}
