//! The offline drafter over the whole evaluation set (a floor that only rises), and requests it
//! cannot draft answered clearly.

mod support;

use floe_blueprint::Blueprint;
use floe_draft::eval::{MEDIAN_LIMIT, SET, cases, evaluate, offline};
use floe_draft::offline::draft_offline;
use support::{Examples, example};

/// The floors: raise them when the drafter gets better, never lower them. When set (112 cases):
/// 100 % compile, 100 % structurally right, node F1 0.95 and edge F1 0.87 on the references.
const FLOOR_COMPILES: f64 = 0.98;
const FLOOR_RIGHT: f64 = 0.95;
const FLOOR_NODE_F1: f64 = 0.85;
const FLOOR_EDGE_F1: f64 = 0.75;

fn base(name: Option<&str>) -> Blueprint {
    name.map_or_else(|| Blueprint::new("draft", ""), example)
}

#[test]
fn the_offline_drafter_meets_its_floor_on_the_evaluation_set() {
    let cases = cases(SET).expect("the set reads");
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let report = evaluate(&cases, &base, &offline(&Examples, None));
    let failures: Vec<String> = report
        .outcomes
        .iter()
        .filter(|o| !o.right)
        .map(|o| format!("{:?}: {}", o.request, o.missing.join("; ")))
        .collect();
    assert!(report.compiles >= FLOOR_COMPILES, "compiles {:.2}:\n{}", report.compiles, failures.join("\n"));
    assert!(report.right >= FLOOR_RIGHT, "right {:.2}:\n{}", report.right, failures.join("\n"));
    assert!(report.median_ms < MEDIAN_LIMIT.as_secs_f64() * 1000.0, "median {} ms", report.median_ms);
    let (nodes, edges) = report.f1.expect("cases with a reference");
    assert!(
        nodes >= FLOOR_NODE_F1 && edges >= FLOOR_EDGE_F1,
        "F1 against the references: nodes {nodes:.2}, edges {edges:.2}"
    );
}

#[test]
fn requests_it_cannot_draft_get_a_clear_answer() {
    let empty = Blueprint::new("draft", "");
    let answer = |request: &str| draft_offline(request, &empty, &Examples, None).expect_err("cannot draft").0;
    assert!(answer("   ").contains("the request is empty"), "{}", answer("   "));
    assert!(answer("purple monkey dishwasher").contains("no step I know"), "{}", answer("purple monkey dishwasher"));
    assert!(answer("Lade die Seite herunter und fasse sie zusammen").contains("set up a model in Settings"));
    let long = "fetch https://example.com and summarise it. ".repeat(3000);
    assert!(answer(&long).contains("KB"), "{}", answer(&long));
}

#[test]
fn an_edit_that_names_no_node_is_about_the_selected_ones() {
    let base = example("fetch-and-summarise.json");
    let selected = vec!["fetch".to_owned(), "save".to_owned()];
    let about = |request: &str| {
        floe_draft::offline::draft_offline_about(request, &base, &selected, &Examples, None).expect("drafted")
    };
    let removed: Vec<String> = about("remove these")
        .iter()
        .filter_map(|op| match op {
            floe_draft::Op::RemoveNode { id } => Some(id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(removed, selected);
    let retried = about("retry them 3 times");
    assert_eq!(retried.len(), 2, "{retried:?}");
    assert!(retried.iter().all(|op| matches!(op, floe_draft::Op::SetPolicy { policy, .. } if policy.retry.as_ref().is_some_and(|r| r.attempts == 4))));
    // A node named in the request wins over the selection.
    assert_eq!(about("remove the summarise node"), [floe_draft::Op::RemoveNode { id: "summarise".into() }]);
}
