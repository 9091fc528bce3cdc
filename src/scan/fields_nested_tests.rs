//! Nested maps and lists: where real themes keep people.

use super::*;

fn run(text: &str) -> Extracted {
    let value: Value = serde_saphyr::from_str(text).unwrap();
    let names = FieldNames::new(&ScanConfig::default());
    extract(&value, &names, &mut Locator::new(text, 1))
}

/// Each record as (kind, raw, line) triples.
fn records(extracted: &Extracted) -> Vec<Vec<(FieldKind, &str, Option<usize>)>> {
    extracted
        .records
        .iter()
        .map(|record| {
            record
                .iter()
                .map(|f| (f.kind, f.raw.as_str(), f.line))
                .collect()
        })
        .collect()
}

#[test]
fn a_post_author_map_is_one_person_and_separate_from_the_post() {
    let extracted = run("\
title: Post
email: post@example.org
author:
  name: Ada
  email: ada@example.org
  email_md5: 0bc83cb571cd1c50ba6f3e8a78ef1346
  links:
    github: ada-l
authors:
  - name: Bob
    mail: bob@example.org
    sns: {github: bob-b, qq: 17450856}
  - {name: Cy, avatar_hash: 0BC83CB571CD1C50BA6F3E8A78EF1347}
");
    assert!(extracted.problems.is_empty(), "{:?}", extracted.problems);
    assert_eq!(
        records(&extracted),
        vec![
            vec![(FieldKind::Email, "post@example.org", Some(2))],
            vec![
                (FieldKind::Email, "ada@example.org", Some(5)),
                (FieldKind::Hash, "0bc83cb571cd1c50ba6f3e8a78ef1346", Some(6)),
                (FieldKind::Github, "ada-l", Some(8)),
            ],
            vec![
                (FieldKind::Email, "bob@example.org", Some(11)),
                (FieldKind::Github, "bob-b", Some(12)),
                (FieldKind::Qq, "17450856", Some(12)),
            ],
            vec![(
                FieldKind::Hash,
                "0BC83CB571CD1C50BA6F3E8A78EF1347",
                Some(13)
            )],
        ]
    );
}

#[test]
fn a_data_file_lists_or_maps_people() {
    let list = run("\
- name: Ada
  avatar: 17450856@qq.com
  sns:
    github: ada-l
    qq: 17450856
- name: Bob
  gravatar_hash: 0bc83cb571cd1c50ba6f3e8a78ef1346
");
    assert_eq!(
        records(&list),
        vec![
            vec![
                (FieldKind::Avatar, "17450856@qq.com", Some(2)),
                (FieldKind::Github, "ada-l", Some(4)),
                (FieldKind::Qq, "17450856", Some(5)),
            ],
            vec![(FieldKind::Hash, "0bc83cb571cd1c50ba6f3e8a78ef1346", Some(7))],
        ]
    );
    // Jekyll `_data/authors.yml`: people by name, accounts in a Blowfish-style list.
    let map = run("\
ada:
  name: Ada
  email: ada@example.org
  social:
    - github: https://github.com/ada-l
    - md5: 0bc83cb571cd1c50ba6f3e8a78ef1346
bob:
  name: Bob
  e-mail: bob@example.org
");
    assert_eq!(
        records(&map),
        vec![
            vec![
                (FieldKind::Email, "ada@example.org", Some(3)),
                (FieldKind::Github, "https://github.com/ada-l", Some(5)),
                (FieldKind::Hash, "0bc83cb571cd1c50ba6f3e8a78ef1346", Some(6)),
            ],
            vec![(FieldKind::Email, "bob@example.org", Some(9))],
        ]
    );
}

#[test]
fn configured_names_apply_at_every_depth() {
    let value = serde_json::json!({
        "team": [{"people": {"lead": {"Commenter_Mail": "lead@example.org"}}}]
    });
    let names = FieldNames::new(&ScanConfig {
        email_fields: vec!["commenter_mail".into()],
        ..ScanConfig::default()
    });
    let extracted = extract(&value, &names, &mut Locator::new("", 1));
    assert_eq!(extracted.records.len(), 1);
    assert_eq!(extracted.records[0][0].raw, "lead@example.org");
}

#[test]
fn deeper_than_the_bound_is_one_problem_per_file() {
    // Eight levels are read; a map on the ninth is not, and two of them make one problem.
    let mut text = String::new();
    for level in 0..8 {
        text.push_str(&format!("{}l{level}:\n", "  ".repeat(level)));
    }
    text.push_str(&format!("{}email: deep8@example.org\n", "  ".repeat(8)));
    text.push_str(&format!("{}l8:\n", "  ".repeat(8)));
    text.push_str(&format!("{}email: deep9@example.org\n", "  ".repeat(9)));
    text.push_str(&format!(
        "{}l8b: {{email: deep9b@example.org}}\n",
        "  ".repeat(8)
    ));
    let extracted = run(&text);
    let raws: Vec<&str> = extracted
        .records
        .iter()
        .flatten()
        .map(|f| f.raw.as_str())
        .collect();
    assert_eq!(raws, ["deep8@example.org"]);
    assert_eq!(extracted.problems.len(), 1, "{:?}", extracted.problems);
    assert!(
        extracted.problems[0]
            .message
            .contains("deeper than 8 levels")
    );
    // Lists count as levels too; a deep list of empty lists holds nobody and is no problem.
    let lists = run(&format!("x: {}{}\n", "[".repeat(12), "]".repeat(12)));
    assert!(lists.problems.is_empty());
    let people = run(&format!(
        "x: {}{{email: a@example.org}}{}\n",
        "[".repeat(12),
        "]".repeat(12)
    ));
    assert!(people.records.is_empty());
    assert_eq!(people.problems.len(), 1);
}

#[test]
fn a_value_is_located_on_its_own_line_not_inside_a_longer_one() {
    let extracted = run("comments:\n  - qq: \"0123456\"\n  - qq: 1234\n");
    let lines: Vec<_> = extracted.records.iter().flatten().map(|f| f.line).collect();
    assert_eq!(lines, [Some(2), Some(3)]);
}

#[test]
fn hexo_next_theme_data_is_read_as_next_reads_it() {
    // `source/_data/next.yml` of the NexT theme: the owner's avatar as a map, `link || icon`.
    let extracted = run("\
avatar:
  url: /images/avatar.gif
  rounded: false
social:
  GitHub: https://github.com/ada-l || fab fa-github
  E-Mail: mailto:ada@example.org || fa fa-envelope
");
    assert!(extracted.problems.is_empty(), "{:?}", extracted.problems);
    assert_eq!(
        records(&extracted),
        vec![vec![
            (FieldKind::Avatar, "/images/avatar.gif", Some(2)),
            (
                FieldKind::Github,
                "https://github.com/ada-l || fab fa-github",
                Some(5)
            ),
            (
                FieldKind::Email,
                "mailto:ada@example.org || fa fa-envelope",
                Some(6)
            ),
        ]]
    );
}
