//! `openapi.yaml` and the router describe the same set of routes.

use std::collections::BTreeSet;

use molam_mock::router::ROUTES;

fn document() -> serde_yaml::Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

#[test]
fn openapi_document_is_3_1() {
    let doc = document();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[test]
fn openapi_paths_and_methods_are_the_routers_routes() {
    let doc = document();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_mapping().unwrap() {
        for (method, _) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if ["get", "post", "put", "patch", "delete", "head", "options"].contains(&method) {
                documented.insert((method.to_uppercase(), path.as_str().unwrap().to_owned()));
            }
        }
    }
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    assert_eq!(documented, routed);
}

#[test]
fn every_api_path_takes_the_molam_account_header() {
    let doc = document();
    let header = &doc["components"]["parameters"]["MolamAccount"];
    assert_eq!(
        (header["name"].as_str(), header["in"].as_str()),
        (Some("Molam-Account"), Some("header"))
    );
    for (path, item) in doc["paths"].as_mapping().unwrap() {
        let path = path.as_str().unwrap();
        if !path.starts_with("/v1/") {
            continue;
        }
        let refs: Vec<&str> = item["parameters"]
            .as_sequence()
            .map(|ps| ps.iter().filter_map(|p| p["$ref"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            refs.contains(&"#/components/parameters/MolamAccount"),
            "{path}"
        );
    }
}

#[test]
fn the_documented_amount_range_is_the_sdks() {
    let amount = &document()["components"]["schemas"]["Amount"];
    assert_eq!(
        (amount["minimum"].as_i64(), amount["maximum"].as_i64()),
        (Some(1), Some(molam_core::params::MAX_AMOUNT))
    );
}
